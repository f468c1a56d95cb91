"""The daily run: trial reminders, ended trials, late invoices, and read-only after 30 days late.

Each account is changed in its own transaction, locked and read again, so the run never saves
an account it loaded earlier over what a payment or an admin changed meanwhile.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from billing import notices
from billing.models import BillingAccount, Invoice
from billing.services.core import READ_ONLY_AFTER_OVERDUE, Status, lock, save_changes, snapshot

TRIAL_REMINDER_DAYS = (14, 3, 0)


def run_daily(now: datetime | None = None) -> dict[str, int]:
    """Reminders, ended trials and overdue invoices. Safe to run any number of times a day."""
    now = now or timezone.now()
    counts = {"reminders": 0, "trials_ended": 0, "read_only": 0, "overdue": 0}
    trials = BillingAccount.objects.filter(status=Status.TRIALING, trial_ends_at__isnull=False)
    for pk in trials.values_list("pk", flat=True):
        ended, reminders = _trial_day(pk, now)
        counts["trials_ended"] += ended
        counts["reminders"] += reminders

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
def _trial_day(pk: int, now: datetime) -> tuple[int, int]:
    """(1 if the trial ended now, reminders queued) for one account still on trial."""
    account = lock(pk)
    if account.status != Status.TRIALING or account.trial_ends_at is None:
        return 0, 0
    days_left = (account.trial_ends_at.date() - now.date()).days
    if account.trial_ends_at <= now:
        old = snapshot(account)
        account.status = Status.READ_ONLY
        save_changes(account, old, action="billing.trial_ended")
        return 1, notices.trial_reminder(account, days_left=0)
    if days_left in TRIAL_REMINDER_DAYS:
        return 0, notices.trial_reminder(account, days_left=days_left)
    return 0, 0


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
