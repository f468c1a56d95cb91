"""A town admin sees and changes only their own town's billing."""

from __future__ import annotations

import re

import pytest

from billing.models import BillingAccount, Invoice
from tests.helpers import probe
from tests.stripe_support import confirm_setup_as_stripe_js

pytestmark = pytest.mark.django_db
PAGE = "/administration/abonnement/"


@pytest.fixture
def a_has_an_invoice(account_a: BillingAccount) -> Invoice:
    account_a.stripe_customer_id = "cus_secret_of_a"
    account_a.save()
    return Invoice.objects.create(
        account=account_a,
        stripe_invoice_id="in_secret_of_a",
        number="FACT-A-0001",
        status="paid",
        amount_due_cents=34_800,
        created_at="2026-11-01T10:00:00Z",
    )


def test_each_admin_sees_only_their_own_billing(
    client_for, town_a, town_b, admin_a, admin_b, a_has_an_invoice
) -> None:
    page_a = client_for(town_a, admin_a).get(PAGE).content.decode()
    assert "FACT-A-0001" in page_a
    page_b = client_for(town_b, admin_b).get(PAGE)
    assert page_b.status_code == 200
    assert "FACT-A-0001" not in page_b.content.decode()
    assert town_a.name not in page_b.content.decode()


def test_nobody_else_reaches_a_billing_page(
    client_for, town_a, town_b, admin_b, resident_a, moderator_a, a_has_an_invoice
) -> None:
    leaked = ["FACT-A-0001", "cus_secret_of_a"]
    probe(client_for(town_a), PAGE, leaked=leaked)  # a guest is sent to log in
    probe(client_for(town_a, resident_a), PAGE, leaked=leaked)
    probe(client_for(town_a, moderator_a), PAGE, leaked=leaked)
    for intruder in (client_for(town_a), client_for(town_a, resident_a)):
        probe(intruder, PAGE + "facture/", method="post", data={"token": "t"}, leaked=leaked)
    stolen = client_for(town_b, admin_b)
    stolen.defaults["HTTP_HOST"] = town_a.primary_host  # B's admin cookie on A's site
    probe(stolen, PAGE, leaked=leaked)
    for path in ("souscrire/", "confirmer/", "facture/", "resilier/", "reprendre/", "periode/"):
        probe(stolen, PAGE + path, method="post", data={"token": "t"}, leaked=leaked)
    probe(client_for(None), PAGE, leaked=leaked)  # not on the root domain either
    account = BillingAccount.objects.get(collectivite=town_a)
    assert (account.status, account.stripe_subscription_id, account.payment_method) == (
        BillingAccount.Status.TRIALING,
        "",
        "",
    )


def test_a_setup_intent_of_town_a_is_refused_to_town_b(
    client_for, town_a, town_b, admin_a, admin_b, account_a, account_b, stripe_stub
) -> None:
    response = client_for(town_a, admin_a).post(
        PAGE + "souscrire/", {"period": "monthly", "method": "card", "token": "t-a"}
    )
    secret = re.search(r'data-client-secret="([^"]+)"', response.content.decode())
    assert secret
    intent_of_a = confirm_setup_as_stripe_js(secret.group(1))

    admin = client_for(town_b, admin_b)
    admin.post(PAGE + "souscrire/", {"period": "monthly", "method": "card", "token": "t-b"})
    response = admin.post(
        PAGE + "confirmer/", {"setup_intent": intent_of_a, "token": "t-b"}, follow=True
    )
    assert "Cette tentative de paiement est inconnue" in response.content.decode()
    account_a.refresh_from_db()
    account_b.refresh_from_db()
    assert account_b.status == BillingAccount.Status.TRIALING
    assert account_b.stripe_subscription_id == ""
    assert account_a.stripe_subscription_id == ""


def test_ops_commands_change_only_the_named_town(account_a, account_b, ops_staff) -> None:
    from django.core.management import call_command

    call_command("sponsor", "--tenant", "town-b", "--reason", "Crise", "--by", ops_staff.email)
    account_a.refresh_from_db()
    account_b.refresh_from_db()
    assert account_b.status == BillingAccount.Status.SPONSORED
    assert account_a.status == BillingAccount.Status.TRIALING
    call_command("sponsor", "--tenant", "town-b", "--end", "--by", ops_staff.email)
    account_b.refresh_from_db()
    assert account_b.status == BillingAccount.Status.TRIALING
