"""Billing when a collectivité is deactivated (and when that is taken back).

A live Stripe subscription is cancelled at the end of its paid period, not paused: the period
is paid for (a public buyer's invoice is an accounting document we do not void after the
fact), no invoice is ever made after it, and nothing lingers at Stripe once the data is
wiped, as a paused subscription would. Until that period ends, taking the deactivation back
takes the cancellation back too; after it, the town subscribes again.

These functions save the account without an audit entry of their own: the deactivation's
single entry (ops.lifecycle) carries their changes, under "billing.".
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

import stripe
from django.utils.translation import gettext as _

from billing import gateway
from billing.models import BillingAccount
from billing.services.core import TRACKED_FIELDS, BillingError, Status, lock, snapshot
from billing.services.stripe_state import apply_subscription
from tenants import audit
from tenants.models import Collectivite

logger = logging.getLogger(__name__)
Changes = tuple[dict[str, Any], dict[str, Any]]


def _account(town: Collectivite) -> BillingAccount | None:
    found = BillingAccount.objects.filter(collectivite=town).first()
    return lock(found) if found else None


def _set_cancel(town: Collectivite, cancel: bool) -> Changes:
    account = _account(town)
    if account is None or not account.stripe_subscription_id:
        return {}, {}
    if account.status == Status.CANCELED or account.cancel_at_period_end == cancel:
        return {}, {}
    old = snapshot(account)
    try:
        subscription = gateway.update_subscription(
            account.stripe_subscription_id,
            {"cancel_at_period_end": cancel},
            f"deactivation-{uuid.uuid4().hex}",
        )
    except stripe.StripeError as error:
        logger.warning("Stripe refused a cancellation change on deactivation: %s", error)
        raise BillingError(
            _("Stripe could not change the subscription: nothing was changed. Try again later.")
        ) from None
    apply_subscription(account, subscription)
    before, after = audit.changes(account, old, TRACKED_FIELDS)
    if after:
        account.save(update_fields=[*after, "updated_at"])
    return before, after


def stop_for_deactivation(town: Collectivite) -> Changes:
    """No more billing: a live subscription ends at the end of its paid period."""
    return _set_cancel(town, True)


def resume_after_deactivation(town: Collectivite) -> Changes:
    """The deactivation is taken back: the subscription goes on, if it has not ended yet."""
    return _set_cancel(town, False)
