"""The audit log's one writer: every privileged action records itself here, in its transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models, transaction

from tenants import schema
from tenants.models import AuditEntry, Collectivite


def _actor_fields(actor: Any) -> dict[str, Any]:
    if actor is None or not getattr(actor, "pk", None):
        return {"actor_schema": "", "actor_id": None, "actor_label": ""}
    label = getattr(actor, "display_name", "") or getattr(actor, "email", "") or str(actor)
    email = getattr(actor, "email", "")
    if email and email not in label:
        label = f"{label} <{email}>"
    return {
        "actor_schema": schema.current_schema(),
        "actor_id": actor.pk,
        "actor_label": label[:200],
    }


def actor_fields(actor: Any) -> dict[str, Any]:
    """Who acted, as the log keeps it (schema, id, label): for rows that name their author."""
    return _actor_fields(actor)


def _target_fields(target: Any, label: str) -> dict[str, Any]:
    if target is None:
        return {"target_type": "", "target_id": "", "target_label": label[:200]}
    if isinstance(target, models.Model):
        target_type = target._meta.label_lower
    else:
        target_type = type(target).__name__.lower()
    return {
        "target_type": target_type[:60],
        "target_id": str(getattr(target, "pk", ""))[:64],
        "target_label": (label or str(target))[:200],
    }


def record(
    action: str,
    *,
    actor: Any = None,
    target: Any = None,
    target_label: str = "",
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
    reason: str = "",
    collectivite: Collectivite | None = None,
) -> AuditEntry:
    """Write one entry. Call it inside the action's own transaction, after the change.

    `actor` is the user who acted (None: the system, e.g. a Stripe event or the daily run).
    `collectivite` defaults to the town whose schema is active. `before` and `after` hold only
    the values that changed, as JSON (dates as ISO strings).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("An audit entry is written in the transaction of its action.")
    if collectivite is None and not schema.is_public():
        town = schema.current_tenant()
        if isinstance(town, Collectivite):
            collectivite = town
        else:  # schema_context() activates a stand-in tenant: find the real one
            collectivite = Collectivite.objects.filter(schema_name=schema.current_schema()).first()
    return AuditEntry.objects.create(
        collectivite=collectivite,
        action=action,
        before=_jsonable(before or {}),
        after=_jsonable(after or {}),
        reason=reason,
        **_actor_fields(actor),
        **_target_fields(target, target_label),
    )


def changes(instance: models.Model, old: Mapping[str, Any], fields: list[str]) -> tuple[dict, dict]:
    """The (before, after) pair of the `fields` whose value differs from `old`."""
    before, after = {}, {}
    for field in fields:
        new_value = getattr(instance, field)
        if old.get(field) != new_value:
            before[field], after[field] = old.get(field), new_value
    return before, after


def _jsonable(values: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None or isinstance(value, str | int | float | bool | list | dict):
            out[key] = value
        elif hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        else:
            out[key] = str(value)
    return out
