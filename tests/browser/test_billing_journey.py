"""A town admin subscribes by card or SEPA debit (Stripe.js served by localstripe): during the
trial nothing is paid before its end; after it, the first invoice is paid and downloadable."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.utils import timezone, translation
from django_tenants.utils import schema_context
from playwright.sync_api import expect

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_member
from billing import gateway, services
from billing.models import BillingAccount, BillingNotice, Invoice, StripeEvent
from tenants.dates import long_date
from tenants.models import Collectivite
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.conftest import TOWNS

pytestmark = pytest.mark.browser
ADMIN_EMAIL = "maire@town-a.example"
NBSP = "\u00a0"


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
        BillingAccount.objects.filter(pk=account.pk).update(
            **saved,
            stripe_subscription_id="",
            period="",
            payment_method="",
            status=BillingAccount.Status.TRIALING,
            current_period_end=None,
            cancel_at_period_end=False,
            overdue_since=None,
        )
        account.collectivite.site_access = Collectivite.Access.FULL
        account.collectivite.save(update_fields=["site_access"])


CONFIRM_PATH = "/administration/abonnement/confirmer/"
IBAN = "FR14 2004 1010 0505 0001 3M02 606"


def _posted_to_placette(request: Any) -> bool:
    return request.method == "POST" and urlparse(request.url).path == CONFIRM_PATH


def _assert_only_the_setup_intent_is_posted(request: Any, *secrets: str) -> None:
    """What the payment form sends to our server: the SetupIntent's id, never the details."""
    body = request.post_data or ""
    fields = parse_qs(body, keep_blank_values=True)
    assert sorted(fields) == ["csrfmiddlewaretoken", "setup_intent", "token"], body
    assert fields["setup_intent"][0].startswith("seti_")
    for secret in secrets:
        assert secret not in body
        assert secret.replace(" ", "") not in body


def _fill_card(page: Any, number: str, *, year: str = "34") -> None:
    """Type the card as a person does, key by key, in the fields' French names."""
    card = page.locator("#card-element")
    card.get_by_label("Numéro de carte").press_sequentially(number)
    card.get_by_label("Mois d’expiration (MM)").press_sequentially("12")
    card.get_by_label("Année d’expiration (AA)").press_sequentially(year)
    card.get_by_label("Code de sécurité (3 chiffres au dos)").press_sequentially("123")
    card.get_by_label("Code postal").press_sequentially("78450")


def _is_before(page: Any, first: Any, second: Any) -> bool:
    """`first` comes before `second`, in the page's order and on the screen."""
    in_order = page.evaluate(
        "([a, b]) => Boolean(a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING)",
        [first.element_handle(), second.element_handle()],
    )
    return bool(in_order) and first.bounding_box()["y"] < second.bounding_box()["y"]


def _trial_end_in_french() -> tuple[str, BillingAccount]:
    account = BillingAccount.objects.get(collectivite__slug=TOWNS["a"]["slug"])
    with translation.override("fr"):
        return long_date(account.trial_ends_at), account


def test_a_town_admin_subscribes_during_the_trial_and_pays_nothing_until_its_end(
    live_server_any_host: LiveServer, page: Any, committed_admin_a: User, stripe_stub: Any
) -> None:
    trial_end, _account = _trial_end_in_french()
    host = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
    log_in(page, live_server_any_host, host, ADMIN_EMAIL, TEST_PASSWORD)
    assert "Essai gratuit" in page.locator(".banner").inner_text()

    page.get_by_role("link", name="Abonnement").first.click()
    page.wait_for_url("**/administration/abonnement/")
    assert page.get_by_test_id("billing-status").inner_text() == "Essai gratuit"
    note = page.get_by_test_id("first-payment")
    assert f"Vous ne payez rien aujourd’hui. Le premier paiement aura lieu le {trial_end}" in (
        note.inner_text()
    )
    assert _is_before(page, note, page.get_by_role("button", name="Continuer"))
    assert_accessible(page)

    page.get_by_label("Mensuel", exact=False).check()
    page.get_by_label("Carte bancaire").check()
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/administration/abonnement/souscrire/")
    sentence = page.get_by_test_id("first-payment")
    assert sentence.inner_text() == (
        f"Vous ne payez rien aujourd’hui. Le premier paiement de 34,80{NBSP}€ TTC aura lieu "
        f"le {trial_end}, à la fin de votre essai gratuit."
    )
    button = page.get_by_role("button", name="Souscrire")
    assert sentence.is_visible() and _is_before(page, sentence, button)
    _fill_card(page, "4242 4242 4242 4242")
    assert page.get_by_label("Numéro de carte").input_value() == "4242 4242 4242 4242"
    assert page.get_by_label("Numéro de carte").get_attribute("inputmode") == "numeric"
    assert page.get_by_label("Numéro de carte").get_attribute("autocomplete") == "cc-number"
    assert_accessible(page)
    with page.expect_request(_posted_to_placette) as posted:
        button.click()
    _assert_only_the_setup_intent_is_posted(posted.value, "4242424242424242", "4242")

    page.wait_for_url("**/administration/abonnement/")
    main = page.locator("main").inner_text()
    assert f"Rien n’est prélevé avant le {trial_end}, la fin de votre essai gratuit." in main
    assert page.get_by_test_id("billing-status").inner_text() == "Essai gratuit"
    assert page.get_by_test_id("first-payment").inner_text() == (
        f"Abonnement souscrit : premier paiement le {trial_end} (34,80{NBSP}€ TTC)."
    )
    assert "Pas encore de facture." in main
    assert_accessible(page)

    account = BillingAccount.objects.get(collectivite__slug=TOWNS["a"]["slug"])
    assert account.status == BillingAccount.Status.TRIALING and account.awaits_first_payment
    charges = gateway.client().v1.charges.list({"customer": account.stripe_customer_id})
    assert charges.data == []  # nothing taken today
    assert not account.invoices.filter(amount_paid_cents__gt=0).exists()
    page.goto(live_server_any_host.url(host))
    assert page.locator(".banner").count() == 0


@pytest.fixture
def trial_over_a(committed_admin_a: User, django_db_blocker: Any) -> User:
    """Town A's trial ended yesterday, unpaid: the daily run made its site read only."""
    with django_db_blocker.unblock():
        BillingAccount.objects.filter(collectivite__slug=TOWNS["a"]["slug"]).update(
            trial_ends_at=timezone.now() - timedelta(days=1)
        )
        services.run_daily()
    return committed_admin_a


def test_after_the_trial_a_card_typed_with_dashes_pays_and_the_invoice_can_be_downloaded(
    live_server_any_host: LiveServer, page: Any, trial_over_a: User, stripe_stub: Any
) -> None:
    host = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
    log_in(page, live_server_any_host, host, ADMIN_EMAIL, TEST_PASSWORD)
    page.goto(live_server_any_host.url(host, "/administration/abonnement/"))
    assert page.get_by_test_id("billing-status").inner_text() == "Lecture seule"
    page.get_by_label("Mensuel", exact=False).check()
    page.get_by_label("Carte bancaire").check()
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/administration/abonnement/souscrire/")
    assert page.get_by_test_id("first-payment").count() == 0  # paid today: no such promise
    assert f"Vous paierez 34,80{NBSP}€ TTC par mois." in page.locator("main").inner_text()
    _fill_card(page, "4242-4242-4242-4242", year="2034")
    page.get_by_role("button", name="Souscrire").click()

    page.wait_for_url("**/administration/abonnement/")
    assert "Merci : votre abonnement est actif." in page.locator("main").inner_text()
    assert page.get_by_test_id("billing-status").inner_text() == "Actif"
    invoice = BillingAccount.objects.get(collectivite__slug=TOWNS["a"]["slug"]).invoices.get()
    assert invoice.number and invoice.invoice_pdf
    row = page.get_by_role("row", name=invoice.number)
    assert row.get_by_role("cell").all_inner_texts()[1:6] == [
        invoice.number,
        f"29,00{NBSP}€",
        f"5,80{NBSP}€",
        f"34,80{NBSP}€",
        "Payée",
    ]
    link = page.get_by_role("link", name=f"Télécharger la facture n° {invoice.number} (PDF)")
    assert link.get_attribute("href") == invoice.invoice_pdf
    shown = link.evaluate(  # what is seen: the number is for screen readers only
        "a => [...a.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE)"
        ".map((n) => n.textContent).join('')"
    )
    assert shown == "Télécharger la facture (PDF)"
    assert_accessible(page)


@pytest.mark.parametrize(
    ("number", "message", "stripe_says"),
    [
        (  # Stripe's test card that is always declined: Stripe answers "Your card was declined."
            "4000 0000 0000 0002",
            "Votre banque a refusé cette carte. Essayez une autre carte ou un autre moyen de "
            "paiement.",
            402,
        ),
        ("4242 4242 4242", "Le numéro de carte n’est pas bon. Vérifiez-le.", None),  # too short
    ],
)
def test_a_refused_or_mistyped_card_is_told_in_french(
    live_server_any_host: LiveServer,
    page: Any,
    committed_admin_a: User,
    stripe_stub: Any,
    number: str,
    message: str,
    stripe_says: int | None,
) -> None:
    host = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
    log_in(page, live_server_any_host, host, ADMIN_EMAIL, TEST_PASSWORD)
    page.goto(live_server_any_host.url(host, "/administration/abonnement/"))
    page.get_by_label("Carte bancaire").check()
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/administration/abonnement/souscrire/")
    _fill_card(page, number)
    to_stripe: list[int] = []
    page.on(
        "response",
        lambda response: (
            to_stripe.append(response.status) if "/setup_intents/" in response.url else None
        ),
    )
    page.get_by_role("button", name="Souscrire").click()

    errors = page.locator("#payment-errors")
    expect(errors).to_have_text(message)
    text = page.locator("main").inner_text()
    for english in ("Bad request", "declined", "Your card", "invalid", "card number"):
        assert english.lower() not in text.lower()
    assert to_stripe == ([stripe_says] if stripe_says else [])  # a short number is not sent
    assert page.get_by_role("button", name="Souscrire").is_enabled()  # they may try again
    assert_accessible(page)
    account = BillingAccount.objects.get(collectivite__slug=TOWNS["a"]["slug"])
    assert account.stripe_subscription_id == ""


def test_a_town_admin_subscribes_by_sepa_debit_and_the_iban_goes_to_stripe_only(
    live_server_any_host: LiveServer, page: Any, committed_admin_a: User, stripe_stub: Any
) -> None:
    host = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
    log_in(page, live_server_any_host, host, ADMIN_EMAIL, TEST_PASSWORD)
    page.goto(live_server_any_host.url(host, "/administration/abonnement/"))
    page.get_by_label("Annuel", exact=False).check()
    page.get_by_label("Prélèvement SEPA").check()
    page.get_by_role("button", name="Continuer").click()
    page.wait_for_url("**/administration/abonnement/souscrire/")
    page.get_by_label("IBAN du compte à prélever").fill(IBAN)
    assert "Vous ne payez rien aujourd’hui." in page.get_by_test_id("first-payment").inner_text()
    assert_accessible(page)

    to_stripe: list[str] = []
    page.on(
        "request",
        lambda request: (
            to_stripe.append(request.post_data or "") if "/setup_intents/" in request.url else None
        ),
    )
    with page.expect_request(_posted_to_placette) as posted:
        page.get_by_role("button", name="Souscrire").click()
    _assert_only_the_setup_intent_is_posted(posted.value, IBAN, "3M02606")
    assert any(IBAN.replace(" ", "") in body for body in to_stripe)  # Stripe.js took it

    page.wait_for_url("**/administration/abonnement/")
    assert "Merci : l’abonnement est souscrit." in page.locator("main").inner_text()
    assert page.get_by_test_id("billing-status").inner_text() == "Essai gratuit"
    account = BillingAccount.objects.get(collectivite__slug=TOWNS["a"]["slug"])
    assert account.payment_method == "sepa_debit"
    assert account.awaits_first_payment
