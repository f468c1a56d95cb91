"""The console's lifecycle actions: each composes the services below it (tenants.lifecycle for
the site and its schema, billing.services.closing for the subscription) in one transaction,
with one audit entry that holds every change."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction

from billing.services import closing
from billing.services.core import BillingError
from tenants import audit, lifecycle
from tenants.models import Collectivite

LifecycleError = lifecycle.LifecycleError
Changes = lifecycle.Changes


def _merge(town: Changes, billing: Changes) -> Changes:
    before, after = dict(town[0]), dict(town[1])
    before.update({f"billing.{key}": value for key, value in billing[0].items()})
    after.update({f"billing.{key}": value for key, value in billing[1].items()})
    return before, after


def _record(action: str, town: Collectivite, changes: Changes, actor: Any, reason: str) -> None:
    audit.record(
        action,
        actor=actor,
        target=town,
        before=changes[0],
        after=changes[1],
        reason=reason,
        collectivite=town,
    )


@transaction.atomic
def deactivate(town: Collectivite, *, deletion_date: date, actor: Any, reason: str) -> None:
    """Close the site with a deletion date; the subscription ends with its paid period."""
    changes = lifecycle.schedule_deletion(town, on=deletion_date, actor=actor)
    try:
        billing = closing.stop_for_deactivation(town)
    except BillingError as error:
        raise LifecycleError(str(error)) from None  # the transaction rolls the site back too
    _record("tenant.deactivate", town, _merge(changes, billing), actor, reason)


@transaction.atomic
def cancel_deactivation(town: Collectivite, *, actor: Any, reason: str) -> None:
    changes = lifecycle.cancel_deletion(town)
    try:
        billing = closing.resume_after_deactivation(town)
    except BillingError as error:
        raise LifecycleError(str(error)) from None
    _record("tenant.reactivate_before_wipe", town, _merge(changes, billing), actor, reason)


@transaction.atomic
def wipe(town: Collectivite, *, actor: Any, reason: str) -> None:
    changes = lifecycle.wipe(town, actor=actor)
    _record("tenant.wipe", town, changes, actor, reason)
