"""Emails sent as soon as a notification is made: queued in batches after commit, each sent once."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from functools import partial
from typing import Any

from django.core.mail import mailers
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from notifications import preferences
from notifications.emails import Town, can_be_emailed, immediate_message
from notifications.kinds import Frequency
from notifications.models import Notification
from tenants import schema

# One task per this many notifications: an event told to 5,000 people queues 50 tasks, not 5,000.
IMMEDIATE_BATCH = 100


def chunks(ids: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def _send_in(schema_name: str, task: Any, args: tuple[Any, ...]) -> None:
    with schema_context(schema_name):
        task.delay(*args)


def queue_on_commit(task: Any, *args: Any) -> None:
    """Send `task` once the transaction commits, stamped with the schema active now (the
    commit may happen after the caller has left that schema)."""
    transaction.on_commit(partial(_send_in, schema.current_schema(), task, args))


def queue_immediate(notification_ids: Sequence[int]) -> int:
    """Queue the emails of these notifications once the transaction commits; returns the
    number of tasks it will send."""
    from notifications.tasks import send_notification_emails

    batches = list(chunks(notification_ids, IMMEDIATE_BATCH))
    for batch in batches:
        queue_on_commit(send_notification_emails, batch)
    return len(batches)


def send_immediate(notification_ids: Sequence[int]) -> int:
    """Send the email of each notification not emailed yet; returns how many went out.

    Each one is locked, sent and marked in its own transaction: a retry after a failure, or a
    second copy of the task running at the same time, skips what is sent or being sent. A
    failure rolls back only the notification being sent and raises, for the task to retry.
    """
    rows = list(
        Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True)
        .values_list("recipient_id", "kind")
        .distinct()
    )
    if not rows:
        return 0
    # The preference may have changed since the notification was made (an unsubscribe link).
    wanted = preferences.frequencies_for({user for user, _ in rows}, {kind for _, kind in rows})
    town = Town.current()
    sent = 0
    with mailers["delivery"] as connection:
        for pk in notification_ids:
            with transaction.atomic():
                notification = (
                    Notification.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("recipient")
                    .filter(pk=pk, emailed_at__isnull=True, email_frequency=Frequency.IMMEDIATE)
                    .first()
                )
                if notification is None:
                    continue
                frequency = wanted[(notification.recipient_id, notification.kind)]
                if not can_be_emailed(notification.recipient):
                    frequency = Frequency.NEVER
                if frequency != Frequency.IMMEDIATE:
                    # A digest will carry it, or nothing will: never this task again.
                    notification.email_frequency = frequency
                    notification.save(update_fields=["email_frequency"])
                    continue
                connection.send_messages([immediate_message(town, notification)])
                notification.emailed_at = timezone.now()
                notification.save(update_fields=["emailed_at"])
                sent += 1
    return sent
