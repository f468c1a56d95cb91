"""Stripe's events: verified, stored once, applied until done, swept again when they were not.

An event is done only when processed (`processed_at`). Receiving stores it and queues its
processing; a failure is recorded on the event (`error`, `attempts`, `next_attempt_at`) and the
sweep, run every minute by Celery beat, tries it again with a growing delay. So an event whose
task was lost (broker down, worker killed, a bug) is applied later, never acknowledged and lost.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import stripe
from django.db import IntegrityError, transaction
from django.utils import timezone

from billing import gateway
from billing.models import BillingAccount, StripeEvent
from billing.services.core import lock, save_changes, snapshot
from billing.services.stripe_state import apply_invoice, apply_subscription

logger = logging.getLogger(__name__)

# The queued task normally runs within seconds; the sweep takes over an event after this.
SWEEP_GRACE = timedelta(minutes=2)
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=6)
SWEEP_BATCH = 200


class InvalidWebhook(Exception):
    pass


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4, 8… minutes after each failed attempt, at most 6 hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def record_stripe_event(payload: bytes, signature: str) -> StripeEvent:
    """Check the signature, store the event once, and queue its processing.

    A repeated delivery (Stripe retries, races) of an event not yet processed queues it again;
    of a processed one, does nothing.
    """
    try:
        event = gateway.verify_event(payload, signature)
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise InvalidWebhook(str(error)) from None
    try:
        with transaction.atomic():
            record = StripeEvent.objects.create(
                event_id=event["id"],
                type=event["type"],
                payload=event.to_dict(),
                next_attempt_at=timezone.now() + SWEEP_GRACE,
            )
    except IntegrityError:
        record = StripeEvent.objects.get(event_id=event["id"])
        if record.processed_at is not None:
            return record
    transaction.on_commit(lambda: _queue(record.event_id))
    return record


def _queue(event_id: str) -> None:
    from billing.tasks import process_stripe_event as task

    try:
        task.delay(event_id)
    except Exception:  # the broker is down, or (eager, in tests) the task itself failed
        # The event is stored: the sweep runs it once its grace period is over.
        logger.exception("Stripe event %s not queued; the sweep will run it", event_id)


def process_stripe_event(event_id: str) -> bool:
    """Apply one stored event, at most once, from the objects as Stripe has them now.

    True once the event is processed. A failure rolls back all its effects and is recorded on
    the event, with the time of the next attempt.
    """
    with transaction.atomic():
        record = StripeEvent.objects.select_for_update().get(event_id=event_id)
        if record.processed_at is not None:
            return True
        record.attempts += 1
        try:
            with transaction.atomic():  # its effects stand or fall together
                _handle_event(record.type, record.payload["data"]["object"])
        except Exception as error:  # any failure, a bug included, is kept and retried
            logger.exception("Stripe event %s failed (attempt %d)", event_id, record.attempts)
            record.error = f"{type(error).__name__}: {error}"[:2000]
            record.next_attempt_at = timezone.now() + retry_delay(record.attempts)
            record.save(update_fields=["attempts", "error", "next_attempt_at"])
            return False
        record.processed_at = timezone.now()
        record.next_attempt_at = None
        record.save(update_fields=["attempts", "processed_at", "next_attempt_at"])
    return True


def sweep(now: datetime | None = None) -> dict[str, int]:
    """Run the events whose next attempt has come (oldest first). Safe to run concurrently."""
    now = now or timezone.now()
    counts = {"processed": 0, "failed": 0}
    due = StripeEvent.objects.due(now).order_by("received_at")
    for event_id in due.values_list("event_id", flat=True)[:SWEEP_BATCH]:
        counts["processed" if process_stripe_event(event_id) else "failed"] += 1
    return counts


def stuck_event_count(now: datetime | None = None) -> int:
    """Events received a while ago and still not applied (shown on the health pages)."""
    return StripeEvent.objects.stuck(now).count()


def _account_for_customer(customer_id: str | None) -> BillingAccount | None:
    if not customer_id:
        return None
    # The customer of the object fetched from Stripe, never anything the event claims.
    pk = (
        BillingAccount.objects.filter(stripe_customer_id=customer_id)
        .values_list("pk", flat=True)
        .first()
    )
    return None if pk is None else lock(pk)


def _handle_event(event_type: str, data: dict[str, Any]) -> None:
    if event_type.startswith("invoice."):
        invoice = gateway.retrieve_invoice(data["id"])
        account = _account_for_customer(invoice.get("customer"))
        if account is None:
            return  # not one of our towns' customers
        old = snapshot(account)
        apply_invoice(account, invoice)
        save_changes(account, old, action="billing.stripe_invoice", reason=invoice["id"])
    elif event_type.startswith("customer.subscription."):
        subscription = gateway.retrieve_subscription(data["id"])
        account = _account_for_customer(subscription.get("customer"))
        if account is None:
            return
        if account.stripe_subscription_id not in ("", subscription["id"]):
            return  # an older subscription of this customer: not the one we bill
        old = snapshot(account)
        account.stripe_subscription_id = subscription["id"]
        apply_subscription(account, subscription)
        save_changes(account, old, action="billing.stripe_subscription", reason=subscription["id"])
    # Any other event type is acknowledged and ignored.
