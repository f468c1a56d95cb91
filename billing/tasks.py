"""Billing's background work: Stripe events, and the daily run of trials and overdue invoices."""

from __future__ import annotations

import stripe
from celery import shared_task

from billing import services


@shared_task(
    autoretry_for=(stripe.APIConnectionError, stripe.RateLimitError, stripe.APIError),
    retry_backoff=10,
    max_retries=10,
)
def process_stripe_event(event_id: str) -> None:
    services.process_stripe_event(event_id)


@shared_task
def run_daily_billing() -> dict[str, int]:
    return services.run_daily()
