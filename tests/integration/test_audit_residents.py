"""Desk registrations, new codes and account deletions write one audit entry each; a deleted
account leaves its id in the log, not its name."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import cast

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD, AdminFactory
from accounts.models import User
from tenants import audit
from tenants.models import AuditEntry
from tests.audit_support import clear_journal, entries, iso, only_entry
from townsite.models import Neighbourhood, ResidentProfile
from townsite.residents import services

pytestmark = pytest.mark.django_db

DESK = "/administration/habitants/nouveau/"
PHONE = "01 23 45 67 89"


@pytest.fixture(autouse=True)
def _empty_journal(town_a, town_b) -> None:
    clear_journal(town_a, town_b)


def _registered(client_for, town_a, agent: User, **data: str) -> User:
    response = client_for(town_a, agent).post(DESK, {"display_name": "Jeanne Martin", **data})
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        return User.objects.get(display_name="Jeanne Martin")


def test_a_desk_registration_writes_one_entry_without_phone_or_email(
    client_for, town_a, moderator_a
) -> None:
    with schema_context(town_a.schema_name):
        centre = Neighbourhood.objects.create(name="Centre")
    jeanne = _registered(
        client_for,
        town_a,
        moderator_a,
        neighbourhood=str(centre.pk),
        phone=PHONE,
        email="jeanne@example.org",
    )
    entry = only_entry(town_a, "resident.desk_registered")
    with schema_context(town_a.schema_name):
        profile = ResidentProfile.objects.get(user=jeanne)
    assert (entry.actor_schema, entry.actor_id) == (town_a.schema_name, moderator_a.pk)
    assert (entry.target_type, entry.target_id) == ("accounts.user", str(jeanne.pk))
    assert entry.target_label == "Jeanne Martin"
    assert entry.before == {}
    assert entry.after == {
        "neighbourhood": "Centre",
        "login_code_expires_at": iso(profile.login_code_expires_at),
    }
    kept = json.dumps([entry.before, entry.after, entry.target_label, entry.reason])
    assert PHONE not in kept and "jeanne@example.org" not in kept


def test_a_refused_desk_registration_writes_nothing(client_for, town_a, admin_a, resident_a):
    response = client_for(town_a, admin_a).post(
        DESK,
        {"display_name": "Paul", "email": resident_a.email},  # the address is taken
    )
    assert response.status_code == 400
    assert client_for(town_a, resident_a).post(DESK, {"display_name": "Paul"}).status_code == 403
    assert entries(town_a) == []


def test_an_agent_whose_rights_went_meanwhile_registers_nobody(town_a, moderator_a) -> None:
    with schema_context(town_a.schema_name):
        User.objects.filter(pk=moderator_a.pk).update(role=User.Role.RESIDENT)
        with pytest.raises(PermissionDenied):
            services.register_at_desk(moderator_a, display_name="Paul", neighbourhood=None)
        assert not User.objects.filter(display_name="Paul").exists()
    assert entries(town_a) == []


def test_a_new_code_writes_one_entry_with_the_old_and_new_validity(
    client_for, town_a, admin_a, moderator_a, time_machine
) -> None:
    jeanne = _registered(client_for, town_a, admin_a)
    with schema_context(town_a.schema_name):
        first_expiry = ResidentProfile.objects.get(user=jeanne).login_code_expires_at
    clear_journal(town_a)
    time_machine.move_to(timezone.now() + timedelta(hours=1))
    response = client_for(town_a, moderator_a).post(
        f"/administration/habitants/{jeanne.pk}/nouveau-code/"
    )
    assert response.status_code == 302
    entry = only_entry(town_a, "resident.new_login_code")
    with schema_context(town_a.schema_name):
        profile = ResidentProfile.objects.get(user=jeanne)
    assert (entry.actor_id, entry.target_id) == (moderator_a.pk, str(jeanne.pk))
    assert entry.before == {"login_code_expires_at": iso(first_expiry)}
    assert entry.after == {"login_code_expires_at": iso(profile.login_code_expires_at)}
    assert profile.login_code_hash not in json.dumps([entry.before, entry.after])


def test_deleting_ones_account_keeps_its_id_and_no_personal_data(
    client_for, town_a, admin_a, resident_a
) -> None:
    with schema_context(town_a.schema_name):
        ResidentProfile.objects.create(user=resident_a)
        # An earlier entry about this person, by an admin.
        with_name = audit.record("member.role_change", actor=admin_a, target=resident_a)
    assert resident_a.display_name in with_name.target_label
    client = client_for(town_a, resident_a)
    assert client.post("/mon-compte/supprimer/", {"password": TEST_PASSWORD}).status_code == 302

    deleted = AuditEntry.objects.get(collectivite=town_a, action="account.deleted")
    label = f"compte supprimé n°{resident_a.pk}"
    assert (deleted.actor_schema, deleted.actor_id) == (town_a.schema_name, resident_a.pk)
    assert (deleted.actor_label, deleted.target_label) == (label, label)
    assert (deleted.target_type, deleted.target_id) == ("accounts.user", str(resident_a.pk))
    assert (deleted.before, deleted.after) == ({"role": "resident"}, {})
    with_name.refresh_from_db()
    assert with_name.target_label == label
    assert admin_a.email in with_name.actor_label  # who used admin rights stays known
    for entry in entries(town_a):
        kept = json.dumps([entry.target_label, entry.before, entry.after, entry.reason])
        assert resident_a.email not in kept and resident_a.display_name not in kept
        assert resident_a.email not in entry.actor_label or entry.actor_id != resident_a.pk
    assert [e.action for e in entries(town_a)] == ["member.role_change", "account.deleted"]


def test_a_refused_deletion_writes_nothing(client_for, town_a, admin_a, resident_a) -> None:
    assert (
        client_for(town_a, admin_a)
        .post("/mon-compte/supprimer/", {"password": TEST_PASSWORD})
        .status_code
        == 400
    )  # the last admin
    assert (
        client_for(town_a, resident_a)
        .post("/mon-compte/supprimer/", {"password": "faux"})
        .status_code
        == 400
    )
    assert entries(town_a) == []


def test_the_last_admin_check_reads_the_role_of_now_not_of_the_page(town_a, admin_a) -> None:
    with schema_context(town_a.schema_name):
        other = cast(User, AdminFactory())
        stale = User.objects.get(pk=other.pk)
        User.objects.filter(pk=other.pk).update(role=User.Role.RESIDENT)  # not admin any more
        User.objects.filter(pk=admin_a.pk).update(role=User.Role.RESIDENT)
        User.objects.filter(pk=other.pk).update(role=User.Role.ADMIN)  # the last admin now
        stale.role = User.Role.RESIDENT  # as loaded by the request before the change
        with pytest.raises(services.ResidentError):
            services.delete_account(stale)
        assert User.objects.filter(pk=other.pk, role=User.Role.ADMIN).exists()
    assert entries(town_a) == []


def test_deleting_an_account_twice_writes_one_entry(town_a, resident_a) -> None:
    with schema_context(town_a.schema_name):
        services.delete_account(resident_a)
        services.delete_account(resident_a)  # a second click, another tab
    assert only_entry(town_a, "account.deleted").actor_id == resident_a.pk
