"""Trials, and what ops decide: more trial days, a town offered its subscription, a suspension.

While a town is offered or suspended, Stripe stops charging its live subscription (collection
paused, invoices made meanwhile are void); reinstating resumes it.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta
from typing import Any

import stripe
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import gateway
from billing.models import BillingAccount, Plan
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


@transaction.atomic
def extend_trial(
    account: BillingAccount, *, days: int, acting_user: Any = None, reason: str = ""
) -> BillingAccount:
    """Ops give more time: from today if the trial already ended, else from its end."""
    account = lock(account)
    if days < 1:
        raise BillingError(_("Give a number of days of at least 1."))
    if account.stripe_subscription_id and account.status != Status.CANCELED:
        raise BillingError(_("This collectivité already has a subscription."))
    if account.status in OPS_DECIDED:
        raise BillingError(_("This account is suspended or offered: change that first."))
    old = snapshot(account)
    start = max(timezone.now(), account.trial_ends_at or timezone.now())
    account.trial_ends_at = start + timedelta(days=days)
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
    account: BillingAccount, status: str, *, reason: str, acting_user: Any, action: str
) -> BillingAccount:
    account = lock(account)
    unchanged_reason = status != Status.SPONSORED or reason == account.sponsored_reason
    if account.status == status and unchanged_reason:
        return account
    old = snapshot(account)
    account.status = status
    if status == Status.SPONSORED:
        account.sponsored_reason = reason
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
def sponsor(account: BillingAccount, *, reason: str, acting_user: Any = None) -> BillingAccount:
    """Free by our decision (a partner, a crisis). Nothing is billed while it lasts."""
    return _ops_decision(
        account, Status.SPONSORED, reason=reason, acting_user=acting_user, action="billing.sponsor"
    )


@transaction.atomic
def suspend(
    account: BillingAccount, *, reason: str = "", acting_user: Any = None
) -> BillingAccount:
    return _ops_decision(
        account, Status.SUSPENDED, reason=reason, acting_user=acting_user, action="billing.suspend"
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
