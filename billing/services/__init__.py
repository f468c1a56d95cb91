"""Billing: trials, subscriptions, invoices and Stripe events. The only code that writes them.

Our database decides the status; Stripe only moves money. Each feature has its module (ops and
trials, subscriptions, what Stripe says, Stripe's events, the daily run); `core` holds the shape
every write follows. The names below are the API the rest of Placette calls.
"""

from billing.services.core import BillingError
from billing.services.daily import run_daily
from billing.services.ops import (
    change_payment_method,
    change_plan,
    end_expired_sponsorships,
    extend_trial,
    has_live_subscription,
    reinstate,
    sponsor,
    start_trial,
    suspend,
)
from billing.services.stripe_events import (
    InvalidWebhook,
    process_stripe_event,
    record_stripe_event,
    stuck_event_count,
    sweep,
)
from billing.services.stripe_state import apply_subscription, sync_invoice
from billing.services.subscriptions import (
    change_period,
    check_can_subscribe,
    complete_payment_setup,
    save_buyer_details,
    set_cancel_at_period_end,
    start_payment_setup,
    subscribe_by_invoice,
)

__all__ = [
    "BillingError",
    "InvalidWebhook",
    "apply_subscription",
    "change_payment_method",
    "change_period",
    "change_plan",
    "check_can_subscribe",
    "complete_payment_setup",
    "end_expired_sponsorships",
    "extend_trial",
    "has_live_subscription",
    "process_stripe_event",
    "record_stripe_event",
    "reinstate",
    "run_daily",
    "save_buyer_details",
    "set_cancel_at_period_end",
    "sponsor",
    "start_payment_setup",
    "start_trial",
    "stuck_event_count",
    "subscribe_by_invoice",
    "suspend",
    "sweep",
    "sync_invoice",
]
