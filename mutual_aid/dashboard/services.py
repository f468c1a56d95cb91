"""The dashboard's one write: the town's goal of active residents."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from mutual_aid.models import MutualAidSettings
from tenants import audit


@transaction.atomic
def set_active_residents_goal(goal: int, *, by: Any) -> MutualAidSettings:
    """Set the goal (an admin's choice); writes nothing when it is already that."""
    MutualAidSettings.objects.get_or_create(pk=1)
    current = MutualAidSettings.objects.select_for_update().get(pk=1)
    if current.active_residents_goal == goal:
        return current
    before = current.active_residents_goal
    current.active_residents_goal = goal
    current.save(update_fields=["active_residents_goal"])
    audit.record(
        "aid.goal",
        actor=by,
        target=current,
        target_label="Objectif d’habitants actifs",
        before={"active_residents_goal": before},
        after={"active_residents_goal": goal},
    )
    return current
