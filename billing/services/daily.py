"""The daily run: trial reminders, ended trials, late invoices, read-only after 30 days late, and
sponsorships whose last day is over.

Each account is changed in its own transaction, locked and read again, so the run never saves
an account it loaded earlier over what a payment or an admin changed meanwhile. A town that
subscribed during its trial gets no reminder and does not go read only when the trial ends:
Stripe takes the first payment then and tells us; past the end, the run asks Stripe, in case
that event is late.
"""

from __future__ import annotations

import logging
from datetime import datetime

import stripe
from django.db import transaction
from django.utils import timezone

from billing import gateway, notices
from billing.models import BillingAccount, Invoice
from billing.services.core import READ_ONLY_AFTER_OVERDUE, Status, lock, save_changes, snapshot
from billing.services.ops import end_expired_sponsorships
from billing.services.stripe_state import apply_subscription, refresh_invoices

logger = logging.getLogger(__name__)
TRIAL_REMINDER_DAYS = (14, 3, 0)


def run_daily(now: datetime | None = None) -> dict[str, int]:
    """Reminders, ended trials and overdue invoices. Safe to run any number of times a day."""
    now = now or timezone.now()
    counts = {"reminders": 0, "trials_ended": 0, "first_payments": 0, "read_only": 0, "overdue": 0}
    counts["sponsorships_ended"] = end_expired_sponsorships(now)
    trials = BillingAccount.objects.filter(status=Status.TRIALING, trial_ends_at__isnull=False)
    for pk in trials.values_list("pk", flat=True):
        ended, reminders, first_payments = _trial_day(pk, now)
        counts["trials_ended"] += ended
        counts["reminders"] += reminders
        counts["first_payments"] += first_payments

    late = Invoice.objects.filter(
        status="open", due_date__lt=now, account__overdue_since__isnull=True
    )
    for pk in late.values_list("account_id", flat=True).distinct():
        counts["overdue"] += _mark_overdue(pk, now)

    overdue = BillingAccount.objects.filter(
        status__in=(Status.ACTIVE, Status.PAST_DUE),
        overdue_since__lte=now - READ_ONLY_AFTER_OVERDUE,
    )
    for pk in overdue.values_list("pk", flat=True):
        counts["read_only"] += _read_only_for_overdue(pk, now)
    return counts


@transaction.atomic
def _trial_day(pk: int, now: datetime) -> tuple[int, int, int]:
    """(1 if the trial ended now, reminders queued, 1 if the subscription took over) for one
    account still on trial."""
    account = lock(pk)
    if account.status != Status.TRIALING or account.trial_ends_at is None:
        return 0, 0, 0
    if account.stripe_subscription_id:
        return 0, 0, _subscription_after_trial(account, now)
    days_left = (account.trial_ends_at.date() - now.date()).days
    if account.trial_ends_at <= now:
        old = snapshot(account)
        account.status = Status.READ_ONLY
        save_changes(account, old, action="billing.trial_ended")
        return 1, notices.trial_reminder(account, days_left=0), 0
    if days_left in TRIAL_REMINDER_DAYS:
        return 0, notices.trial_reminder(account, days_left=days_left), 0
    return 0, 0, 0


def _subscription_after_trial(account: BillingAccount, now: datetime) -> int:
    """Past the trial of a subscribed account, its status as Stripe's subscription now gives."""
    assert account.trial_ends_at is not None
    if account.trial_ends_at > now:
        return 0
    old = snapshot(account)
    try:
        subscription = gateway.retrieve_subscription(account.stripe_subscription_id)
        apply_subscription(account, subscription)
        refresh_invoices(account)
    except stripe.StripeError as error:  # the account stays on trial: the next run asks again
        logger.warning("Stripe did not answer about %s: %s", account.stripe_subscription_id, error)
        return 0
    changed = save_changes(
        account, old, action="billing.stripe_subscription", reason=subscription["id"]
    )
    return int(changed and account.status != Status.TRIALING)


@transaction.atomic
def _mark_overdue(pk: int, now: datetime) -> int:
    """An invoice to pay by mandate is past its due date: the account is late since then."""
    account = lock(pk)
    first_late = (
        account.invoices.filter(status="open", due_date__lt=now).order_by("due_date").first()
    )
    if account.overdue_since is not None or first_late is None:
        return 0
    old = snapshot(account)
    account.overdue_since = first_late.due_date
    if account.status == Status.ACTIVE:
        account.status = Status.PAST_DUE
    save_changes(account, old, action="billing.overdue", reason=first_late.stripe_invoice_id)
    return 1


@transaction.atomic
def _read_only_for_overdue(pk: int, now: datetime) -> int:
    account = lock(pk)
    late = account.overdue_since is not None and (
        account.overdue_since <= now - READ_ONLY_AFTER_OVERDUE
    )
    if not late or account.status not in (Status.ACTIVE, Status.PAST_DUE):
        return 0
    old = snapshot(account)
    account.status = Status.READ_ONLY
    save_changes(account, old, action="billing.read_only")
    notices.read_only_for_overdue(account)
    return 1
