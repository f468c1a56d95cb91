"""Background work of the sign-up: forgetting what the privacy policy says we do not keep."""

from __future__ import annotations

from celery import shared_task

from onboarding import retention


@shared_task
def purge_old_requests() -> dict[str, int]:
    return retention.purge_old_requests()
