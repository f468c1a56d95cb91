"""What every billing write shares: the locked re-read, saving only what changed, the audit row.

Every write follows one shape (Zulip's `do_change_user_role`): inside a transaction, lock the
account row and read it again (`lock`), decide, then `save_changes`, which returns early when
nothing changed, saves only the changed fields, keeps the town's site access in line with the
status (`billing.access`), and writes the audit entry in the same transaction. A stale instance
held by a caller is never saved.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import transaction

from billing.access import access_for
from billing.models import BillingAccount
from tenants import audit

Status = BillingAccount.Status

READ_ONLY_AFTER_OVERDUE = timedelta(days=30)
OPS_DECIDED = (Status.SUSPENDED, Status.SPONSORED)

# The fields a billing write may change, and the audit entry compares.
TRACKED_FIELDS = [
    "status",
    "plan_id",
    "period",
    "payment_method",
    "trial_ends_at",
    "current_period_end",
    "cancel_at_period_end",
    "overdue_since",
    "sponsored_reason",
    "sponsored_until",
    "suspension_message",
    "billing_email",
    "siret",
    "chorus_service_code",
    "purchase_order_number",
    "stripe_customer_id",
    "stripe_subscription_id",
]


class BillingError(Exception):
    """Something the town admin (or ops) can act on; the message is for them (French)."""


def lock(account: BillingAccount | int) -> BillingAccount:
    """The account as it is now, locked until the end of the transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Lock a billing account inside the transaction that changes it.")
    pk = account if isinstance(account, int) else account.pk
    return (
        BillingAccount.objects.select_for_update(of=("self",))
        .select_related("collectivite", "plan")
        .get(pk=pk)
    )


def snapshot(account: BillingAccount) -> dict[str, Any]:
    return {field: getattr(account, field) for field in TRACKED_FIELDS}


def save_changes(
    account: BillingAccount,
    old: dict[str, Any],
    *,
    action: str,
    actor: Any = None,
    reason: str = "",
) -> bool:
    """Save what differs from `old` (a `snapshot` taken after `lock`), with its audit entry.

    False, and nothing written, when nothing changed. `actor` is the acting user; None for
    Stripe's events and the daily run.
    """
    before, after = audit.changes(account, old, TRACKED_FIELDS)
    if not after:
        return False
    account.save(update_fields=[*after, "updated_at"])
    if "status" in after:
        sync_site_access(account)
    audit.record(
        action,
        actor=actor,
        target=account,
        target_label=str(account.collectivite),
        before=before,
        after=after,
        reason=reason,
        collectivite=account.collectivite,
    )
    return True


def sync_site_access(account: BillingAccount) -> None:
    """What the town's site may do follows the account's status (`billing.access`)."""
    town = account.collectivite
    access = access_for(account.status)
    if town.site_access != access:
        town.site_access = access
        town.save(update_fields=["site_access"])  # the host cache follows on commit


def timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None
