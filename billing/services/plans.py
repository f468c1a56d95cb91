"""Plans and their prices, changed by our staff: a new price is a new Stripe plan for new
subscriptions; existing ones move to it only when staff ask (`move_subscriptions`).

Stripe's prices (and legacy plans) are immutable: a changed amount is a new Stripe object under
the same product. Whoever subscribes next gets it (`subscriptions._ensure_stripe_plan` reads the
plan's current ids); a subscription already running keeps the Stripe plan it has.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import stripe
from django.db import transaction
from django.utils.translation import gettext as _

from billing import gateway
from billing.models import BillingAccount, Period, Plan
from billing.services.core import BillingError, Status
from tenants import audit

logger = logging.getLogger(__name__)
EDITABLE = [
    "name",
    "min_population",
    "max_population",
    "monthly_price_cents",
    "yearly_price_cents",
    "is_active",
]
TRACKED = [*EDITABLE, "stripe_monthly_plan_id", "stripe_yearly_plan_id"]
PRICE_FIELDS = {
    Period.MONTHLY: ("monthly_price_cents", "stripe_monthly_plan_id"),
    Period.YEARLY: ("yearly_price_cents", "stripe_yearly_plan_id"),
}


def check_plan(plan: Plan, values: dict[str, Any]) -> None:
    """BillingError (French) for values that would make the plans inconsistent."""
    low, high = values["min_population"], values["max_population"]
    if min(values["monthly_price_cents"], values["yearly_price_cents"], low) < 0:
        raise BillingError(_("Prices and populations cannot be negative."))
    if high is not None and high <= low:
        raise BillingError(_("The upper population bound must be above the lower one."))
    if not values["is_active"]:
        return
    for other in Plan.objects.filter(is_active=True).exclude(pk=plan.pk):
        other_high = other.max_population
        if (other_high is None or low < other_high) and (
            high is None or other.min_population < high
        ):
            raise BillingError(
                _("These population bounds overlap those of the plan “%(name)s”.")
                % {"name": other.name}
            )


@transaction.atomic
def update_plan(plan: Plan, *, values: dict[str, Any], acting_user: Any, reason: str) -> Plan:
    """Change a plan; a changed price that Stripe already has becomes a new Stripe plan."""
    # Every plan locked: two edits at once cannot both pass the overlap check.
    list(Plan.objects.select_for_update().order_by("pk"))
    plan = Plan.objects.get(pk=plan.pk)
    check_plan(plan, values)
    old = {name: getattr(plan, name) for name in TRACKED}
    for name in EDITABLE:
        setattr(plan, name, values[name])
    for period, (price_field, stripe_field) in PRICE_FIELDS.items():
        if getattr(plan, price_field) != old[price_field] and old[stripe_field]:
            try:
                new_id = gateway.create_plan(
                    product_id=plan.stripe_product_id,
                    code=plan.code,
                    period=period,
                    amount_cents=getattr(plan, price_field),
                )
            except stripe.StripeError as error:
                logger.warning("Stripe refused a new plan price: %s", error)
                raise BillingError(
                    _("Stripe is unavailable: nothing was changed. Please try again later.")
                ) from None
            setattr(plan, stripe_field, new_id)
    before, after = audit.changes(plan, old, TRACKED)
    if not after:
        return plan
    plan.save(update_fields=list(after))
    audit.record(
        "plan.update",
        actor=acting_user,
        target=plan,
        before=before,
        after=after,
        reason=reason,
    )
    return plan


@dataclass
class MoveReport:
    moved: list[str] = field(default_factory=list)
    already_current: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def subscriptions_of(plan: Plan) -> Any:
    return (
        BillingAccount.objects.filter(plan=plan)
        .exclude(stripe_subscription_id="")
        .exclude(status=Status.CANCELED)
        .select_related("collectivite")
        .order_by("pk")
    )


def _item_plan_id(item: dict[str, Any]) -> str:
    return str((item.get("plan") or item.get("price") or {}).get("id", ""))


def _move_one(account: BillingAccount, target: str) -> bool:
    """True if moved, False if it was already on `target`; StripeError if Stripe failed."""
    subscription = gateway.retrieve_subscription(account.stripe_subscription_id)
    item = subscription["items"]["data"][0]
    if _item_plan_id(item) == target:
        return False
    # No proration: the new price counts from the next payment, as the town was told.
    gateway.update_subscription(
        account.stripe_subscription_id,
        {"items": [{"id": item["id"], "plan": target}], "proration_behavior": "none"},
        f"move-{target}",
    )
    return True


def move_subscriptions(plan: Plan, *, acting_user: Any, reason: str) -> MoveReport:
    """Every running subscription of the plan onto its current Stripe plan, one by one.

    Stripe is asked for each subscription's state, so running it again skips what is done and
    retries only what failed (the SDK already retries a network error twice). The report and
    the one audit entry name every town that failed.
    """
    plan = Plan.objects.get(pk=plan.pk)
    report = MoveReport()
    for account in subscriptions_of(plan).iterator():
        target = getattr(plan, PRICE_FIELDS[Period(account.period or Period.MONTHLY)][1])
        slug = account.collectivite.slug
        if not target:
            report.already_current.append(slug)
            continue
        try:
            moved = _move_one(account, target)
        except stripe.StripeError as error:
            logger.warning("Stripe refused moving %s to %s: %s", slug, target, error)
            report.failed.append(slug)
            continue
        (report.moved if moved else report.already_current).append(slug)
    with transaction.atomic():
        audit.record(
            "plan.move_subscriptions",
            actor=acting_user,
            target=plan,
            after={
                "monthly_price_cents": plan.monthly_price_cents,
                "yearly_price_cents": plan.yearly_price_cents,
                "moved": report.moved,
                "already_current": len(report.already_current),
                "failed": report.failed,
            },
            reason=reason,
        )
    return report
