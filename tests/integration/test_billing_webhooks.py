"""The Stripe webhook: signature on the raw body, each event once, effects from Stripe's truth."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client

from billing.models import BillingAccount, StripeEvent
from tests.billing_fixtures import WEBHOOK_SECRET
from tests.stripe_support import StripeStub, signed_event

pytestmark = pytest.mark.django_db
Status = BillingAccount.Status
URL = "/billing/stripe/webhook/"


@pytest.fixture(autouse=True)
def _no_event_yet() -> None:
    """These tests count events from an empty table. A browser test's localstripe may deliver
    an event to its live server after that test's clean-up (then committed); deleting here is
    undone with the test's transaction."""
    StripeEvent.objects.all().delete()


def _deliver(payload: bytes, signature: str | None) -> int:
    headers = {"Stripe-Signature": signature} if signature else {}
    client = Client(HTTP_HOST=settings.ROOT_DOMAIN)
    return client.post(URL, payload, content_type="application/json", headers=headers).status_code


def _billed(account: BillingAccount, customer: str) -> BillingAccount:
    account.stripe_customer_id = customer
    account.stripe_subscription_id = f"sub_of_{customer}"
    account.status = Status.ACTIVE
    account.save()
    return account


def test_unsigned_forged_tampered_or_stale_requests_get_400(stripe_stub: StripeStub) -> None:
    payload, signature = signed_event("invoice.payment_failed", {"id": "in_1"}, WEBHOOK_SECRET)
    assert _deliver(payload, None) == 400
    _, forged = signed_event("invoice.payment_failed", {"id": "in_1"}, "whsec_not_ours")
    assert _deliver(payload, forged) == 400
    assert _deliver(payload.replace(b"in_1", b"in_2"), signature) == 400
    stale, stale_signature = signed_event(
        "invoice.payment_failed",
        {"id": "in_1"},
        WEBHOOK_SECRET,
        timestamp=int(time.time()) - 3600,
    )
    assert _deliver(stale, stale_signature) == 400
    assert _deliver(b"not json", signature) == 400
    assert not StripeEvent.objects.exists()


def test_the_webhook_only_takes_post(stripe_stub: StripeStub) -> None:
    assert Client(HTTP_HOST=settings.ROOT_DOMAIN).get(URL).status_code == 405


def test_the_webhook_is_not_on_town_sites(stripe_stub: StripeStub, town_a) -> None:
    payload, signature = signed_event("customer.created", {"id": "cus_x"}, WEBHOOK_SECRET)
    client = Client(HTTP_HOST=town_a.primary_host)
    response = client.post(
        URL, payload, content_type="application/json", HTTP_STRIPE_SIGNATURE=signature
    )
    assert response.status_code == 404
    assert not StripeEvent.objects.exists()


def test_an_event_type_we_do_not_handle_is_acknowledged_and_ignored(
    stripe_stub: StripeStub, post_webhook, account_a, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook("customer.tax_id.created", {"id": "txi_1"}).status_code == 200
    event = StripeEvent.objects.get()
    assert event.processed_at is not None
    account_a.refresh_from_db()
    assert account_a.status == Status.TRIALING


def test_a_repeated_delivery_has_one_effect(
    stripe_stub: StripeStub, post_webhook, account_a, admin_a, django_capture_on_commit_callbacks
) -> None:
    account = _billed(account_a, "cus_town_a")
    invoice = stripe_stub.add_invoice(
        customer="cus_town_a", subscription="sub_of_cus_town_a", amount=2900, status="open"
    )
    for _ in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            response = post_webhook("invoice.payment_failed", invoice, event_id="evt_same")
        assert response.status_code == 200
    assert StripeEvent.objects.count() == 1
    assert len(mail.outbox) == 1
    account.refresh_from_db()
    assert account.status == Status.PAST_DUE


def test_an_event_changes_only_the_town_of_the_stripe_customer(
    stripe_stub: StripeStub,
    post_webhook,
    account_a,
    account_b,
    django_capture_on_commit_callbacks,
) -> None:
    """What an event claims is never trusted: the object fetched from Stripe decides."""
    _billed(account_a, "cus_town_a")
    _billed(account_b, "cus_town_b")
    invoice = stripe_stub.add_invoice(
        customer="cus_town_a", subscription="sub_of_cus_town_a", amount=2900, status="open"
    )
    claim = {**invoice, "customer": "cus_town_b", "metadata": {"collectivite": "town-b"}}
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook("invoice.payment_failed", claim).status_code == 200
    account_a.refresh_from_db()
    account_b.refresh_from_db()
    assert account_a.status == Status.PAST_DUE
    assert account_b.status == Status.ACTIVE
    assert not account_b.invoices.exists()

    stranger = stripe_stub.add_invoice(
        customer="cus_unknown", subscription="sub_x", amount=100, status="open"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook("invoice.payment_failed", stranger).status_code == 200
    account_b.refresh_from_db()
    assert account_b.status == Status.ACTIVE
