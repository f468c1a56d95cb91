"""A Stripe event is done only once applied: failures are kept on it and the sweep runs it again."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from billing import services
from billing.models import BillingAccount, Invoice, StripeEvent
from billing.services.stripe_events import retry_delay
from tenants.models import AuditEntry
from tests.billing_fixtures import billed
from tests.stripe_support import StripeStub

pytestmark = pytest.mark.django_db
Status = BillingAccount.Status


def _failed_renewal(account: BillingAccount, stub: StripeStub) -> dict[str, Any]:
    return stub.add_invoice(
        customer=account.stripe_customer_id,
        subscription=account.stripe_subscription_id,
        amount=2900,
        tax=580,
        status="open",
    )


@pytest.fixture
def paying_a(account_a: BillingAccount, stripe_stub: StripeStub) -> BillingAccount:
    return billed(account_a, stripe_stub)


def test_a_stripe_error_while_processing_is_recorded_and_the_sweep_retries_with_backoff(
    paying_a, admin_a, stripe_stub, post_webhook, time_machine, django_capture_on_commit_callbacks
) -> None:
    invoice = _failed_renewal(paying_a, stripe_stub)
    stripe_stub.fail_next("get", f"/v1/invoices/{invoice['id']}", times=2)  # Stripe is down
    time_machine.move_to(timezone.now(), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook("invoice.payment_failed", invoice).status_code == 200

    event = StripeEvent.objects.get()
    assert event.processed_at is None
    assert event.attempts == 1
    assert event.error.startswith("APIError: ")
    assert event.next_attempt_at == timezone.now() + timedelta(minutes=1)
    paying_a.refresh_from_db()
    assert (paying_a.status, paying_a.overdue_since) == (Status.ACTIVE, None)
    assert not Invoice.objects.exists()  # nothing half done

    assert services.sweep() == {"processed": 0, "failed": 0}  # not due yet
    time_machine.shift(timedelta(minutes=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep() == {"processed": 0, "failed": 1}  # still down
    event.refresh_from_db()
    assert event.attempts == 2
    assert event.next_attempt_at == timezone.now() + timedelta(minutes=2)

    time_machine.shift(timedelta(minutes=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.sweep() == {"processed": 1, "failed": 0}
    event.refresh_from_db()
    assert event.processed_at is not None
    assert event.attempts == 3
    paying_a.refresh_from_db()
    assert paying_a.status == Status.PAST_DUE
    assert paying_a.overdue_since is not None
    assert [m.subject for m in mail.outbox] == ["Un paiement Placette a échoué"]


def test_a_bug_while_processing_is_recorded_too(
    paying_a, stripe_stub, post_webhook, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        # An invoice event without the invoice's id: our handler cannot read it.
        assert post_webhook("invoice.payment_failed", {"object": "invoice"}).status_code == 200
    event = StripeEvent.objects.get()
    assert event.processed_at is None
    assert event.error == "KeyError: 'id'"
    assert event.next_attempt_at is not None


def test_a_repeat_delivery_of_an_unprocessed_event_queues_it_again(
    paying_a, stripe_stub, post_webhook, django_capture_on_commit_callbacks
) -> None:
    invoice = _failed_renewal(paying_a, stripe_stub)
    stripe_stub.fail_next("get", f"/v1/invoices/{invoice['id']}")
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook("invoice.payment_failed", invoice, event_id="evt_retried")
    assert StripeEvent.objects.get().processed_at is None

    # Stripe delivers it again (it retries for days when it has no answer it likes).
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            post_webhook("invoice.payment_failed", invoice, event_id="evt_retried").status_code
            == 200
        )
    event = StripeEvent.objects.get()
    assert event.processed_at is not None
    assert event.attempts == 2
    paying_a.refresh_from_db()
    assert paying_a.status == Status.PAST_DUE


def test_with_the_broker_down_at_delivery_the_sweep_applies_the_event(
    paying_a, stripe_stub, post_webhook, broker_down, time_machine
) -> None:
    invoice = _failed_renewal(paying_a, stripe_stub)
    time_machine.move_to(timezone.now(), tick=False)
    assert post_webhook("invoice.payment_failed", invoice).status_code == 200  # stored: ours now
    event = StripeEvent.objects.get()
    assert (event.processed_at, event.attempts) == (None, 0)

    assert services.sweep() == {"processed": 0, "failed": 0}  # its task may still come
    time_machine.shift(timedelta(minutes=2))
    assert services.sweep() == {"processed": 1, "failed": 0}
    event.refresh_from_db()
    assert event.processed_at is not None
    paying_a.refresh_from_db()
    assert paying_a.status == Status.PAST_DUE


def test_an_event_for_a_customer_we_do_not_know_is_done_and_changes_nothing(
    paying_a, stripe_stub, post_webhook, django_capture_on_commit_callbacks
) -> None:
    stranger = stripe_stub.add_invoice(
        customer="cus_not_ours", subscription="sub_x", amount=100, status="open"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook("invoice.payment_failed", stranger).status_code == 200
    event = StripeEvent.objects.get()
    assert event.processed_at is not None and event.error == ""
    assert not Invoice.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="billing.").exists()
    assert not mail.outbox


def test_stuck_events_are_counted_and_shown_by_healthz(
    paying_a,
    stripe_stub,
    post_webhook,
    public_client,
    time_machine,
    django_capture_on_commit_callbacks,
) -> None:
    invoice = _failed_renewal(paying_a, stripe_stub)
    stripe_stub.fail_next("get", f"/v1/invoices/{invoice['id']}")
    time_machine.move_to(timezone.now(), tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook("invoice.payment_failed", invoice)  # queued, run, failed
    assert services.stuck_event_count() == 0  # just received: not stuck yet

    time_machine.shift(timedelta(minutes=16))
    assert services.stuck_event_count() == 1
    health = public_client.get("/healthz")
    assert health.status_code == 200  # a stuck event is for ops to see, not a dead server
    assert health.json()["stripe_events_stuck"] == 1

    services.sweep()
    assert services.stuck_event_count() == 0
    assert public_client.get("/healthz").json()["stripe_events_stuck"] == 0


def test_retries_wait_longer_each_time_up_to_six_hours() -> None:
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [
        timedelta(minutes=1),
        timedelta(minutes=2),
        timedelta(minutes=4),
        timedelta(minutes=8),
    ]
    assert retry_delay(30) == timedelta(hours=6)


def test_celery_beat_runs_the_sweep_every_minute() -> None:
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["billing-stripe-events-sweep"]
    assert entry["schedule"] == 60.0
    assert entry["task"] in app.tasks
