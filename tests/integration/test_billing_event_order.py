"""Stripe delivers events late and out of order: the current state of the invoice decides."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail

from billing import services
from billing.models import BillingAccount
from tests.billing_fixtures import billed
from tests.stripe_support import StripeStub

pytestmark = pytest.mark.django_db
Status = BillingAccount.Status


@pytest.fixture
def paying_a(account_a: BillingAccount, admin_a: Any, stripe_stub: StripeStub) -> BillingAccount:
    return billed(account_a, stripe_stub)


@pytest.fixture
def deliver(post_webhook: Any, django_capture_on_commit_callbacks: Any) -> Any:
    def deliver(event_type: str, invoice: dict[str, Any]) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            assert post_webhook(event_type, invoice).status_code == 200

    return deliver


def _renewal(account: BillingAccount, stub: StripeStub, **fields: Any) -> dict[str, Any]:
    return stub.add_invoice(
        customer=account.stripe_customer_id,
        subscription=account.stripe_subscription_id,
        amount=2900,
        tax=580,
        **fields,
    )


def test_an_old_payment_failed_about_an_invoice_since_paid_changes_nothing(
    paying_a, stripe_stub, deliver, time_machine
) -> None:
    invoice = _renewal(paying_a, stripe_stub, status="paid")
    deliver("invoice.payment_failed", invoice)
    paying_a.refresh_from_db()
    assert paying_a.status == Status.ACTIVE
    assert paying_a.overdue_since is None
    assert not mail.outbox

    # Nor does it make the town read only a month later.
    time_machine.move_to(paying_a.updated_at + timedelta(days=31))
    services.run_daily()
    paying_a.refresh_from_db()
    assert paying_a.status == Status.ACTIVE


def test_failed_then_paid_delivered_in_reverse_order_leaves_the_town_active(
    paying_a, stripe_stub, deliver
) -> None:
    invoice = _renewal(paying_a, stripe_stub, status="open")
    stripe_stub.set_status(invoice["id"], status="paid")  # the retry took the money
    deliver("invoice.paid", invoice)
    deliver("invoice.payment_failed", invoice)  # the older event, arriving last
    paying_a.refresh_from_db()
    assert paying_a.status == Status.ACTIVE
    assert paying_a.overdue_since is None
    assert not mail.outbox
    assert paying_a.invoices.get().status == "paid"


def test_failed_then_paid_delivered_in_order_ends_active(paying_a, stripe_stub, deliver) -> None:
    invoice = _renewal(paying_a, stripe_stub, status="open")
    deliver("invoice.payment_failed", invoice)
    paying_a.refresh_from_db()
    assert paying_a.status == Status.PAST_DUE
    stripe_stub.set_status(invoice["id"], status="paid")
    deliver("invoice.paid", invoice)
    paying_a.refresh_from_db()
    assert (paying_a.status, paying_a.overdue_since) == (Status.ACTIVE, None)


def test_any_event_about_an_invoice_whose_payment_failed_marks_it_missing(
    paying_a, stripe_stub, deliver
) -> None:
    """The first news of a refused card may be an `invoice.updated`: its state says failed."""
    invoice = _renewal(paying_a, stripe_stub, status="open")
    deliver("invoice.updated", invoice)
    paying_a.refresh_from_db()
    assert paying_a.status == Status.PAST_DUE
    assert paying_a.overdue_since is not None
    assert [m.subject for m in mail.outbox] == ["Un paiement Placette a échoué"]

    deliver("invoice.payment_failed", invoice)  # the same failure: one email only
    assert len(mail.outbox) == 1


def test_an_invoice_not_yet_attempted_is_not_a_failed_payment(
    paying_a, stripe_stub, deliver
) -> None:
    invoice = _renewal(paying_a, stripe_stub, status="open", attempted=False)
    deliver("invoice.payment_failed", invoice)
    paying_a.refresh_from_db()
    assert (paying_a.status, paying_a.overdue_since) == (Status.ACTIVE, None)


def test_a_paid_event_does_not_settle_while_another_payment_is_missing(
    paying_a, stripe_stub, deliver
) -> None:
    missing = _renewal(paying_a, stripe_stub, status="open")
    deliver("invoice.payment_failed", missing)
    other = _renewal(paying_a, stripe_stub, status="paid")
    deliver("invoice.paid", other)
    paying_a.refresh_from_db()
    assert paying_a.status == Status.PAST_DUE
    assert paying_a.overdue_since is not None


def test_a_late_subscription_event_follows_the_subscription_as_it_is_now(
    paying_a, stripe_stub, post_webhook, django_capture_on_commit_callbacks
) -> None:
    subscription = stripe_stub.objects[paying_a.stripe_subscription_id]
    old_view = {**subscription, "status": "past_due"}  # what the event carried back then
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook("customer.subscription.updated", old_view)
    paying_a.refresh_from_db()
    assert paying_a.status == Status.ACTIVE
