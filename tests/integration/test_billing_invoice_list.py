"""The invoice list: each invoice's number, its amounts HT, TVA and TTC, and its PDF."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from billing.models import BillingAccount, Invoice
from tests.stripe_support import StripeStub, confirm_setup_as_stripe_js

pytestmark = pytest.mark.django_db
PAGE = "/administration/abonnement/"
NBSP = "\u00a0"


def _subscribe_by_card(client: Client) -> BillingAccount:
    response = client.post(
        PAGE + "souscrire/", {"period": "monthly", "method": "card", "token": "t"}
    )
    secret = re.search(r'data-client-secret="([^"]+)"', response.content.decode())
    assert secret
    intent = confirm_setup_as_stripe_js(secret.group(1))
    client.post(PAGE + "confirmer/", {"setup_intent": intent, "token": "t"})
    return BillingAccount.objects.get(collectivite__slug="town-a")


def _rows(page: str) -> list[str]:
    tbody = page.split('<h2 id="invoices-title">')[1].split("<tbody>")[1].split("</tbody>")[0]
    return re.findall(r"<tr>(.*?)</tr>", tbody, flags=re.S)


def test_a_paid_invoice_shows_its_number_amounts_and_pdf(
    client_for, town_a, admin_a, trial_over, stripe_stub: StripeStub
) -> None:
    client = client_for(town_a, admin_a)
    account = _subscribe_by_card(client)
    invoice = account.invoices.get()
    assert re.fullmatch(r"[0-9A-F]{8}-0001", invoice.number)  # Stripe's number, prefix-sequence
    assert invoice.invoice_pdf.startswith("https://pay.stripe.com/invoice/")

    [row] = _rows(client.get(PAGE).content.decode())
    assert f"<td>{invoice.number}</td>" in row
    assert f"<td>29,00{NBSP}€</td><td>5,80{NBSP}€</td><td>34,80{NBSP}€</td>" in row
    assert (
        f'<a href="{invoice.invoice_pdf}">Télécharger la facture<span class="visually-hidden">'
        f" n° {invoice.number}</span> (PDF)</a>"
    ) in row
    assert "—" not in row


def test_an_invoice_without_its_pdf_yet_says_so(client_for, town_a, admin_a, account_a) -> None:
    Invoice.objects.create(
        account=account_a,
        stripe_invoice_id="in_draft_a",
        status="draft",
        amount_due_cents=34_800,
        subtotal_cents=29_000,
        tax_cents=5_800,
        created_at="2026-11-01T10:00:00Z",
    )
    [row] = _rows(client_for(town_a, admin_a).get(PAGE).content.decode())
    assert "<td>Pas encore de numéro</td>" in row
    assert "<td>PDF bientôt disponible</td>" in row
    assert "—" not in row


def test_a_0_euro_invoice_is_not_listed(client_for, town_a, admin_a, account_a) -> None:
    Invoice.objects.create(
        account=account_a,
        stripe_invoice_id="in_trial_a",
        number="ABCD1234-0001",
        status="paid",
        created_at="2026-11-01T10:00:00Z",
    )
    page = client_for(town_a, admin_a).get(PAGE).content.decode()
    assert "ABCD1234-0001" not in page
    assert "Pas encore de facture." in page


def test_the_stub_numbers_each_customer_s_invoices_in_sequence(
    account_a, account_b, stripe_stub: StripeStub
) -> None:
    """What the page's numbers rest on: a number per finalised invoice, given once."""
    first = stripe_stub.add_invoice(customer="cus_a", subscription="sub_a", amount=1, status="paid")
    second = stripe_stub.add_invoice(
        customer="cus_a", subscription="sub_a", amount=1, status="open"
    )
    other = stripe_stub.add_invoice(customer="cus_b", subscription="sub_b", amount=1, status="paid")
    draft = stripe_stub.add_invoice(
        customer="cus_a", subscription="sub_a", amount=1, status="draft"
    )
    prefix = first["number"].split("-")[0]
    assert [first["number"], second["number"]] == [f"{prefix}-0001", f"{prefix}-0002"]
    assert other["number"].endswith("-0001") and not other["number"].startswith(prefix)
    assert "number" not in draft and "invoice_pdf" not in draft
