"""The consultations' background work, run in the town's schema (tenant-schemas-celery)."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from participation.consultations.notices import tell_residents


# A failure is retried: residents already told are skipped, so nobody is told twice.
@shared_task(autoretry_for=(DatabaseError,), retry_backoff=30, max_retries=6)
def notify_new_consultation(consultation_id: int) -> int:
    return tell_residents(consultation_id)
