"""Daily work on posts, in each town's schema (beat sends it through for_each_ready_tenant)."""

from __future__ import annotations

from celery import shared_task

from mutual_aid.posting import expiry


@shared_task(autoretry_for=(Exception,), retry_backoff=60, retry_backoff_max=3600, max_retries=5)
def remind_expiring_posts() -> int:
    """Authors whose posts end within 3 days are told once (safe to retry or run twice)."""
    return expiry.remind_expiring_posts()
