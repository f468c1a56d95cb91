"""The audit log: one entry per privileged action, tied to its town and its actor."""

from __future__ import annotations

import pytest
from django.db import transaction
from django_tenants.utils import schema_context

from accounts.models import User
from tenants import audit
from tenants.models import AuditEntry, Collectivite

pytestmark = pytest.mark.django_db


def test_an_entry_written_in_a_town_names_the_town_and_the_actor(
    town_a: Collectivite, admin_a: User, resident_a: User
) -> None:
    with schema_context(town_a.schema_name):
        entry = audit.record(
            "member.role_change",
            actor=admin_a,
            target=resident_a,
            before={"role": "resident"},
            after={"role": "moderator"},
            reason="Aide à la mairie",
        )
    entry.refresh_from_db()
    assert entry.collectivite_id == town_a.pk
    assert (entry.actor_schema, entry.actor_id) == (town_a.schema_name, admin_a.pk)
    assert admin_a.email in entry.actor_label
    assert (entry.target_type, entry.target_id) == ("accounts.user", str(resident_a.pk))
    assert (entry.before, entry.after) == ({"role": "resident"}, {"role": "moderator"})


def test_an_entry_of_the_system_has_no_actor(town_a: Collectivite) -> None:
    entry = audit.record("billing.trial_extended", collectivite=town_a, after={"days": 30})
    assert (entry.actor_schema, entry.actor_id, entry.actor_label) == ("", None, "")
    assert list(AuditEntry.objects.filter(collectivite=town_a)) == [entry]


def test_an_entry_rolls_back_with_its_action(town_a: Collectivite) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record("billing.suspend", collectivite=town_a)
        raise RuntimeError("the action failed")
    assert not AuditEntry.objects.filter(collectivite=town_a).exists()


def test_only_changed_values_are_kept(resident_a: User) -> None:
    old = {"role": resident_a.role, "display_name": resident_a.display_name}
    resident_a.role = User.Role.MODERATOR
    assert audit.changes(resident_a, old, ["role", "display_name"]) == (
        {"role": "resident"},
        {"role": "moderator"},
    )
