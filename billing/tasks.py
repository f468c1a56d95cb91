"""Billing's background work: Stripe events, their sweep, and the daily run of trials."""

from __future__ import annotations

from celery import shared_task

from billing import services


@shared_task
def process_stripe_event(event_id: str) -> bool:
    # No Celery retries: a failure is recorded on the event and the sweep tries it again,
    # with backoff (one mechanism, whose attempts are counted in the database).
    return services.process_stripe_event(event_id)


@shared_task
def sweep_stripe_events() -> dict[str, int]:
    return services.sweep()


@shared_task
def run_daily_billing() -> dict[str, int]:
    return services.run_daily()
