"""The consultations' background work, run in the town's schema (tenant-schemas-celery)."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from participation.consultations import notices


# A failure is retried: residents already told are skipped, so nobody is told twice.
@shared_task(autoretry_for=(DatabaseError,), retry_backoff=30, max_retries=6)
def notify_new_consultation(consultation_id: int) -> int:
    """Sent when an open consultation is published: its audience is told at once."""
    return notices.send_opening_notice(consultation_id)


# Beat sends it every few minutes through tenants.tasks.for_each_ready_tenant, one per town.
@shared_task(autoretry_for=(Exception,), retry_backoff=30, retry_backoff_max=600, max_retries=6)
def send_opening_notices() -> int:
    """Consultations published ahead of their opening are told when they open."""
    return notices.send_due_opening_notices()
