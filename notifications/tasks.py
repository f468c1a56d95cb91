"""Background work of notifications: emails in batches, and the daily and weekly digests."""

from __future__ import annotations

import smtplib
from collections.abc import Sequence
from typing import Any

from celery import shared_task
from django.db import OperationalError

from notifications import delivery, digests

# A mail server or database that fails for a while: the task is tried again later, never lost
# (acks_late: a worker that dies mid-task leaves it in the queue). Sent emails are marked, so
# a retry sends only the rest.
RETRIED: dict[str, Any] = {
    "autoretry_for": (smtplib.SMTPException, OSError, OperationalError),
    "retry_backoff": 30,
    "retry_backoff_max": 3600,
    "max_retries": 8,
    "acks_late": True,
}


@shared_task(**RETRIED)
def send_notification_emails(notification_ids: Sequence[int]) -> int:
    return delivery.send_immediate(notification_ids)


@shared_task(**RETRIED)
def deliver_digests(delivery_ids: Sequence[int]) -> int:
    return digests.deliver(delivery_ids)


@shared_task(**RETRIED)
def send_digests(frequency: str) -> dict[str, int]:
    """One town's digests of a frequency (beat fans it out: tenants.tasks.for_each_ready_tenant)."""
    run = digests.run_digests(frequency)
    return {"residents": run.residents, "tasks": run.tasks}
