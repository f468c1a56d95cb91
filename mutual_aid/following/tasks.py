"""The background fan-out of a new post to the residents who follow its category and place."""

from __future__ import annotations

from celery import shared_task
from django.db import DatabaseError

from mutual_aid.following.services import tell_followers


# Sent from the town's schema (tenant-schemas-celery runs it there). A failure is retried:
# the batches already written are skipped, so nobody is told twice.
@shared_task(autoretry_for=(DatabaseError,), retry_backoff=30, max_retries=6)
def notify_new_post(post_id: int) -> int:
    return tell_followers(post_id)
