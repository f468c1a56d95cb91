"""A town admin subscribes by card (Stripe.js served by localstripe) and sees the site active."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_member
from billing import services
from billing.models import BillingAccount, BillingNotice, Invoice, StripeEvent
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.conftest import TOWNS

pytestmark = pytest.mark.browser
ADMIN_EMAIL = "maire@town-a.example"


@pytest.fixture
def committed_admin_a(django_db_blocker: Any) -> Iterator[User]:
    """An admin of town A and its billing account, committed for the server's threads, then
    put back as they were."""
    with django_db_blocker.unblock():
        account = BillingAccount.objects.select_related("collectivite").get(
            collectivite__slug=TOWNS["a"]["slug"]
        )
        saved = {f: getattr(account, f) for f in ("trial_ends_at", "stripe_customer_id")}
        with schema_context(account.collectivite.schema_name):
            admin = create_member(
                email=ADMIN_EMAIL,
                display_name="Madame la maire",
                role=User.Role.ADMIN,
                password=TEST_PASSWORD,
            )
    yield admin
    with django_db_blocker.unblock():
        with schema_context(account.collectivite.schema_name):
            User.objects.filter(email=ADMIN_EMAIL).delete()
        StripeEvent.objects.all().delete()
        BillingNotice.objects.filter(account=account).delete()
        Invoice.objects.filter(account=account).delete()
        account.refresh_from_db()
        for field, value in saved.items():
            setattr(account, field, value)
        account.stripe_subscription_id = ""
        account.period = account.payment_method = ""
        services._set_status(account, BillingAccount.Status.TRIALING)


def test_a_town_admin_subscribes_by_card(
    live_server_any_host: LiveServer, page: Any, committed_admin_a: User, stripe_stub: Any
) -> None:
    host = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
    log_in(page, live_server_any_host, host, ADMIN_EMAIL, TEST_PASSWORD)
    assert "Essai gratuit" in page.locator(".banner").inner_text()

    page.get_by_role("link", name="Abonnement").first.click()
    page.wait_for_url("**/administration/abonnement/")
    assert page.get_by_test_id("billing-status").inner_text() == "Essai gratuit"
    # The billing form's help ids (id_billing_email, id_siret) are issue 8 item 16, fixed on
    # the billing side; axe reports them as "needs review" until then.
    assert_accessible(page, known_reviews=("aria-valid-attr-value",))

    page.get_by_label("Mensuel", exact=False).check()
    page.get_by_label("Carte bancaire").check()
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/administration/abonnement/souscrire/")
    assert "TTC par mois" in page.locator("main").inner_text()
    card = page.locator("#card-element")
    card.locator("input[placeholder=number]").fill("4242424242424242")
    card.locator("input[placeholder=exp_month]").fill("12")
    card.locator("input[placeholder=exp_year]").fill("34")
    card.locator("input[placeholder=cvc]").fill("123")
    card.locator("input[placeholder=postal_code]").fill("78450")
    assert_accessible(page, exclude=("#card-element",))
    page.get_by_role("button", name="Souscrire").click()

    page.wait_for_url("**/administration/abonnement/")
    assert "Merci : votre abonnement est actif." in page.locator("main").inner_text()
    assert page.get_by_test_id("billing-status").inner_text() == "Actif"
    assert "Payée" in page.locator("main").inner_text()
    assert_accessible(page)

    page.goto(live_server_any_host.url(host))
    assert page.locator(".banner").count() == 0
