"""Stripe charges the price incl. VAT the page announces: 20 % French VAT as a Stripe tax rate."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from billing import gateway, services
from billing.models import BillingAccount, Plan, TaxRate
from tests.stripe_support import StripeStub, confirm_setup_as_stripe_js

pytestmark = pytest.mark.django_db
PAGE = "/administration/abonnement/"
NBSP = "\u00a0"


def _card_subscription(client: Client, period: str) -> tuple[str, BillingAccount]:
    """Subscribe on the billing page; the payment page's text, and the account after."""
    response = client.post(PAGE + "souscrire/", {"period": period, "method": "card", "token": "t"})
    page = response.content.decode()
    secret = re.search(r'data-client-secret="([^"]+)"', page)
    assert secret
    intent = confirm_setup_as_stripe_js(secret.group(1))
    client.post(PAGE + "confirmer/", {"setup_intent": intent, "token": "t"})
    return page, BillingAccount.objects.get(collectivite__slug="town-a")


def _vat_rate_on_stripe() -> dict:
    rate = TaxRate.objects.get()
    return dict(gateway.client().v1.tax_rates.retrieve(rate.stripe_tax_rate_id).to_dict())


def test_a_card_subscription_is_charged_the_amount_incl_vat_the_page_shows(
    client_for, town_a, admin_a, trial_over, stripe_stub: StripeStub
) -> None:
    page, account = _card_subscription(client_for(town_a, admin_a), "monthly")
    assert f"Vous paierez 34,80{NBSP}€ TTC par mois." in page
    assert f"Soit 29,00{NBSP}€ HT et 5,80{NBSP}€ de TVA (20 %)." in page

    subscription = gateway.retrieve_subscription(account.stripe_subscription_id)
    [rate] = subscription["default_tax_rates"]
    assert (rate["percentage"], rate["inclusive"], rate["jurisdiction"]) == (20.0, False, "FR")
    assert rate["display_name"] == "TVA"

    [invoice] = gateway.list_invoices(account.stripe_customer_id)
    assert (invoice["subtotal"], invoice["tax"], invoice["total"]) == (2900, 580, 3480)
    assert invoice["status"] == "paid" and invoice["amount_paid"] == 3480
    ours = account.invoices.get()
    assert (ours.subtotal_cents, ours.tax_cents, ours.amount_due_cents) == (2900, 580, 3480)


def test_an_invoice_subscription_carries_the_vat_too(trial_over, stripe_stub: StripeStub) -> None:
    account_a = trial_over
    services.save_buyer_details(
        account_a, billing_email="finances@mairie.example", siret="21380152100017"
    )
    services.subscribe_by_invoice(account_a, period="yearly", token="t")
    [create] = [form for method, path, form in stripe_stub.calls if path == "/v1/subscriptions"]
    assert create["default_tax_rates[0]"] == TaxRate.objects.get().stripe_tax_rate_id
    plan = Plan.objects.get(code="village")
    invoice = BillingAccount.objects.get(pk=account_a.pk).invoices.get()
    assert invoice.amount_due_cents == plan.yearly_price_incl_vat_cents == 34_800
    assert (invoice.subtotal_cents, invoice.tax_cents) == (29_000, 5_800)


def test_the_vat_rate_is_created_on_stripe_once(
    account_a, account_b, stripe_stub: StripeStub
) -> None:
    for account in (account_a, account_b):
        services.save_buyer_details(
            account, billing_email="finances@mairie.example", siret="21380152100017"
        )
        services.subscribe_by_invoice(account, period="monthly", token=f"t-{account.pk}")
    created = [path for method, path, _form in stripe_stub.calls if path == "/v1/tax_rates"]
    assert len(created) == 1
    rate = TaxRate.objects.get()
    assert _vat_rate_on_stripe()["percentage"] == 20.0
    assert [
        form["default_tax_rates[0]"]
        for _m, path, form in stripe_stub.calls
        if path == "/v1/subscriptions"
    ] == [
        rate.stripe_tax_rate_id,
        rate.stripe_tax_rate_id,
    ]


def test_the_invoice_list_shows_excl_vat_vat_and_incl_vat(
    client_for, town_a, admin_a, trial_over, stripe_stub: StripeStub
) -> None:
    client = client_for(town_a, admin_a)
    _card_subscription(client, "monthly")
    page = client.get(PAGE).content.decode()
    assert '<th scope="col">HT</th><th scope="col">TVA</th><th scope="col">TTC</th>' in page
    assert f"<td>29,00{NBSP}€</td><td>5,80{NBSP}€</td><td>34,80{NBSP}€</td>" in page
