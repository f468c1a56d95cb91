"""Trials, and what ops decide: more trial days, a town offered its subscription, a suspension.

While a town is offered or suspended, Stripe stops charging its live subscription (collection
paused, invoices made meanwhile are void); reinstating resumes it.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import gateway
from billing.models import BillingAccount, PaymentMethod, Period, Plan
from billing.services.core import (
    OPS_DECIDED,
    BillingError,
    Status,
    lock,
    save_changes,
    snapshot,
    sync_site_access,
)
from billing.services.stripe_state import apply_subscription
from billing.services.subscriptions import ensure_stripe_plan, vat_tax_rate_id
from tenants.models import Collectivite

logger = logging.getLogger(__name__)
LIVE_SUBSCRIPTION_STATUSES = ("active", "trialing", "past_due", "unpaid", "incomplete")


@transaction.atomic
def start_trial(collectivite: Collectivite, *, days: int | None = None) -> BillingAccount:
    """The free trial every new collectivité starts with (no card asked). Idempotent."""
    days = settings.BILLING_TRIAL_DAYS if days is None else days
    account, created = BillingAccount.objects.get_or_create(
        collectivite=collectivite,
        defaults={
            "status": Status.TRIALING,
            "trial_ends_at": timezone.now() + timedelta(days=days),
            "plan": Plan.objects.for_population(collectivite.population),
        },
    )
    if created:  # part of the town's creation, which is recorded as such: no entry of its own
        sync_site_access(account)
    return account


def first_day_after_today(day: date) -> None:
    """A date ops choose for an end (of a trial, of a sponsorship) must be after today."""
    if day <= timezone.localdate():
        raise BillingError(_("Choose a date after today."))


def end_of_day(day: date) -> datetime:
    """The moment a day is over, where Placette's towns are (the next midnight, local time)."""
    return timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


@transaction.atomic
def extend_trial(
    account: BillingAccount,
    *,
    days: int | None = None,
    until: date | None = None,
    acting_user: Any = None,
    reason: str = "",
) -> BillingAccount:
    """Ops give more time: `days` more (from today if the trial already ended, else from its
    end), or a trial `until` a day after today, at its end."""
    account = lock(account)
    if (days is None) == (until is None):
        raise BillingError(_("Give either a number of days or an end date."))
    if days is not None and days < 1:
        raise BillingError(_("Give a number of days of at least 1."))
    if until is not None:
        first_day_after_today(until)
    if account.stripe_subscription_id and account.status != Status.CANCELED:
        raise BillingError(_("This collectivité already has a subscription."))
    if account.status in OPS_DECIDED:
        raise BillingError(_("This account is suspended or offered: change that first."))
    old = snapshot(account)
    if until is not None:
        new_end = end_of_day(until)
        if (
            account.status == Status.TRIALING
            and account.trial_ends_at
            and (new_end <= account.trial_ends_at)
        ):
            raise BillingError(_("The trial already lasts until then: choose a later date."))
    else:
        assert days is not None
        start = max(timezone.now(), account.trial_ends_at or timezone.now())
        new_end = start + timedelta(days=days)
    account.trial_ends_at = new_end
    account.status = Status.TRIALING
    save_changes(account, old, action="billing.trial_extended", actor=acting_user, reason=reason)
    return account


def _pause_collection(account: BillingAccount) -> None:
    """Tell Stripe to stop charging the account's live subscription, if it has one."""
    if not account.stripe_subscription_id:
        return
    subscription = gateway.retrieve_subscription(account.stripe_subscription_id)
    if subscription.get("status") in LIVE_SUBSCRIPTION_STATUSES and not subscription.get(
        "pause_collection"
    ):
        subscription = gateway.pause_collection(subscription["id"], uuid.uuid4().hex)
    apply_subscription(account, subscription)


def _ops_decision(
    account: BillingAccount,
    status: str,
    *,
    fields: dict[str, Any],
    reason: str,
    acting_user: Any,
    action: str,
) -> BillingAccount:
    """Suspend or offer: the status and the `fields` that go with it (the sponsorship's reason
    and end, the suspension's message). The same decision again changes nothing."""
    account = lock(account)
    unchanged = all(getattr(account, name) == value for name, value in fields.items())
    if account.status == status and unchanged:
        return account
    old = snapshot(account)
    account.status = status
    for name, value in fields.items():
        setattr(account, name, value)
    try:
        _pause_collection(account)
    except stripe.StripeError as error:
        logger.warning("Stripe refused to pause a subscription: %s", error)
        raise BillingError(
            _("Stripe could not stop the payments: nothing was changed. Try again later.")
        ) from None
    save_changes(account, old, action=action, actor=acting_user, reason=reason)
    return account


@transaction.atomic
def sponsor(
    account: BillingAccount,
    *,
    reason: str,
    until: date | None = None,
    acting_user: Any = None,
) -> BillingAccount:
    """Free by our decision (a partner, a crisis), until the end of `until` or until ops end
    it. Nothing is billed while it lasts."""
    if until is not None:
        first_day_after_today(until)
    fields = {
        "sponsored_reason": reason[:200],
        "sponsored_until": until,
        "suspension_message": "",
    }
    return _ops_decision(
        account,
        Status.SPONSORED,
        fields=fields,
        reason=reason,
        acting_user=acting_user,
        action="billing.sponsor",
    )


@transaction.atomic
def suspend(
    account: BillingAccount, *, reason: str = "", message: str = "", acting_user: Any = None
) -> BillingAccount:
    """The site closes to the public, who see `message` (its admins may still pay, export)."""
    return _ops_decision(
        account,
        Status.SUSPENDED,
        fields={"suspension_message": message.strip(), "sponsored_until": None},
        reason=reason,
        acting_user=acting_user,
        action="billing.suspend",
    )


@transaction.atomic
def reinstate(
    account: BillingAccount, *, reason: str = "", acting_user: Any = None
) -> BillingAccount:
    """Back to what the payments say, after a suspension or a sponsorship."""
    account = lock(account)
    if account.status not in OPS_DECIDED:
        return account
    old = snapshot(account)
    account.status = Status.TRIALING  # not ops-decided any more: the payments decide below
    account.sponsored_reason = ""
    account.sponsored_until = None
    account.suspension_message = ""
    if account.stripe_subscription_id:
        try:
            subscription = gateway.retrieve_subscription(account.stripe_subscription_id)
            if subscription.get("pause_collection"):
                subscription = gateway.resume_collection(subscription["id"], uuid.uuid4().hex)
        except stripe.StripeError as error:
            logger.warning("Stripe refused to resume a subscription: %s", error)
            raise BillingError(
                _("Stripe could not start the payments again: nothing was changed.")
            ) from None
        apply_subscription(account, subscription)
    elif not (account.trial_ends_at and account.trial_ends_at > timezone.now()):
        account.status = Status.READ_ONLY
    save_changes(account, old, action="billing.reinstate", actor=acting_user, reason=reason)
    return account


def has_live_subscription(account: BillingAccount) -> bool:
    """A Stripe subscription that still bills (or will, after its trial): ours to keep in line."""
    return bool(account.stripe_subscription_id) and account.status != Status.CANCELED


@transaction.atomic
def change_plan(
    account: BillingAccount, *, plan: Plan, token: str, reason: str = "", acting_user: Any = None
) -> BillingAccount:
    """Ops move a town to another plan. A live subscription is moved on Stripe too, to the new
    plan's price for the same period, prorated as Stripe does; otherwise only our account
    changes (a later subscription takes its plan)."""
    account = lock(account)
    if account.plan_id == plan.pk:
        raise BillingError(_("The collectivité is already on this plan."))
    if not plan.is_active:
        raise BillingError(_("This plan is no longer offered."))
    old = snapshot(account)
    account.plan = plan
    if has_live_subscription(account):
        period = account.period or Period.MONTHLY
        try:
            subscription = gateway.retrieve_subscription(account.stripe_subscription_id)
            item_id = subscription["items"]["data"][0]["id"]
            subscription = gateway.update_subscription(
                account.stripe_subscription_id,
                {
                    "items": [{"id": item_id, "plan": ensure_stripe_plan(plan, period)}],
                    "default_tax_rates": [vat_tax_rate_id()],
                    "proration_behavior": "create_prorations",
                },
                f"plan-{token}",
            )
        except stripe.StripeError as error:
            logger.warning("Stripe refused a plan change: %s", error)
            raise BillingError(
                _("Stripe could not change the price: nothing was changed. Try again later.")
            ) from None
        apply_subscription(account, subscription)
    save_changes(account, old, action="billing.plan_change", actor=acting_user, reason=reason)
    return account


@transaction.atomic
def change_payment_method(
    account: BillingAccount, *, method: str, reason: str = "", acting_user: Any = None
) -> BillingAccount:
    """How the town is to pay, before it subscribes (the subscription page starts from it).

    A live subscription is paid with what its admin entered on Stripe (a card, a mandate), which
    we never hold: its admin changes it on the billing page, not us.
    """
    account = lock(account)
    if method not in PaymentMethod.values:
        raise BillingError(_("Choose a bank card, a SEPA direct debit or an invoice."))
    if account.payment_method == method:
        raise BillingError(_("The collectivité already pays this way."))
    if has_live_subscription(account):
        raise BillingError(
            _(
                "This collectivité pays through its subscription: its admin changes the payment "
                "method on the billing page."
            )
        )
    old = snapshot(account)
    account.payment_method = method
    save_changes(account, old, action="billing.payment_method", actor=acting_user, reason=reason)
    return account


def end_expired_sponsorships(now: datetime | None = None) -> int:
    """The daily run: a sponsorship whose last day is over ends, as the system (its own
    transaction each, through `reinstate`, which resumes Stripe's collection)."""
    today = timezone.localdate(now)
    expired = BillingAccount.objects.filter(status=Status.SPONSORED, sponsored_until__lt=today)
    ended = 0
    for pk in expired.values_list("pk", flat=True):
        try:
            with transaction.atomic():
                account = lock(pk)
                if account.sponsored_until is None or account.sponsored_until >= today:
                    continue  # ended or prolonged meanwhile
                reinstate(account, reason=_("The sponsorship ended."))
                ended += 1
        except BillingError as error:  # Stripe did not answer: the next run tries again
            logger.warning("A sponsorship could not end: %s", error)
    return ended
