"""Team actions write one audit entry each, in their transaction: invitations, roles."""

from __future__ import annotations

import re
from typing import cast

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD, AdminFactory
from accounts.models import User
from tests.audit_support import clear_journal, entries, only_entry
from townsite.models import Invitation
from townsite.setup import team

pytestmark = pytest.mark.django_db

TEAM = "/administration/equipe/"


@pytest.fixture(autouse=True)
def _empty_journal(town_a, town_b) -> None:
    clear_journal(town_a, town_b)


def invite(admin, email: str, role: str = "moderator"):
    return admin.post(TEAM, {"email": email, "role": role})


def link_of(message) -> str:
    found = re.search(r"https?://[^/\s]+(/invitation/[^/\s]+/)", str(message.body))
    assert found
    return found.group(1)


def set_role(admin, member: User, role: str):
    return admin.post(f"{TEAM}{member.pk}/role/", {f"m{member.pk}-role": role})


def test_sending_an_invitation_writes_one_entry(admin, town_a, admin_a) -> None:
    assert invite(admin, "Nadia@Example.org").status_code == 302
    entry = only_entry(town_a, "invitation.sent")
    with schema_context(town_a.schema_name):
        invitation = Invitation.objects.get()
    assert (entry.actor_schema, entry.actor_id) == (town_a.schema_name, admin_a.pk)
    assert admin_a.email in entry.actor_label
    assert (entry.target_type, entry.target_id) == ("townsite.invitation", str(invitation.pk))
    assert entry.target_label == "nadia@example.org"
    assert (entry.before, entry.after) == ({}, {"role": "moderator"})
    assert invitation.token_hash not in str(entry.after) + str(entry.before)


def test_inviting_again_records_the_replaced_invitations_role(admin, town_a) -> None:
    invite(admin, "nadia@example.org", role="moderator")
    invite(admin, "nadia@example.org", role="admin")
    first, second = entries(town_a)
    assert (first.action, second.action) == ("invitation.sent", "invitation.sent")
    assert (second.before, second.after) == ({"role": "moderator"}, {"role": "admin"})


def test_a_refused_invitation_writes_nothing(admin, town_a, moderator_a) -> None:
    assert invite(admin, moderator_a.email, role="admin").status_code == 400  # already staff
    assert invite(admin, "pas-une-adresse").status_code == 400
    assert invite(admin, "x@example.org", role="resident").status_code == 400
    assert entries(town_a) == []


def test_an_admin_whose_rights_went_meanwhile_cannot_invite(town_a, admin_a) -> None:
    with schema_context(town_a.schema_name):
        AdminFactory()  # the town keeps an admin
        User.objects.filter(pk=admin_a.pk).update(role=User.Role.MODERATOR)
        with pytest.raises(PermissionDenied):
            team.invite_staff(
                by=admin_a,  # still "admin" in memory, as on the page they opened
                email="nadia@example.org",
                role="admin",
                town_name=town_a.name,
                absolute_url=lambda path: path,
            )
        assert not Invitation.objects.exists()
    assert entries(town_a) == []


def test_revoking_writes_one_entry_and_revoking_again_nothing(admin, town_a, admin_a) -> None:
    invite(admin, "nadia@example.org")
    clear_journal(town_a)
    with schema_context(town_a.schema_name):
        invitation = Invitation.objects.get()
    assert admin.post(f"{TEAM}invitations/{invitation.pk}/annuler/").status_code == 302
    entry = only_entry(town_a, "invitation.revoked")
    assert (entry.actor_id, entry.target_id) == (admin_a.pk, str(invitation.pk))
    assert entry.target_label == "nadia@example.org"
    assert entry.before == {"role": "moderator"}

    assert admin.post(f"{TEAM}invitations/{invitation.pk}/annuler/").status_code == 404
    with schema_context(town_a.schema_name), pytest.raises(team.InvitationGone):
        team.revoke_invitation(invitation, by=admin_a)
    assert len(entries(town_a)) == 1


def test_accepting_with_a_new_account_names_the_newcomer(
    admin, client_for, town_a, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin, "nadia@example.org")
    clear_journal(town_a)
    guest = client_for(town_a)
    path = link_of(mail.outbox[-1])
    response = guest.post(
        path, {"display_name": "Nadia", "password1": TEST_PASSWORD, "password2": "autre"}
    )
    assert response.status_code == 400
    assert entries(town_a) == []  # a form error changes nothing

    guest.post(
        path, {"display_name": "Nadia", "password1": TEST_PASSWORD, "password2": TEST_PASSWORD}
    )
    entry = only_entry(town_a, "invitation.accepted")
    with schema_context(town_a.schema_name):
        nadia = User.objects.get(email="nadia@example.org")
    assert (entry.actor_schema, entry.actor_id) == (town_a.schema_name, nadia.pk)
    assert (entry.target_type, entry.target_id) == ("accounts.user", str(nadia.pk))
    assert entry.target_label == "Nadia"
    assert (entry.before, entry.after) == ({}, {"role": "moderator"})

    assert guest.post(path).status_code == 410  # used: nothing more
    assert len(entries(town_a)) == 1


def test_accepting_as_a_resident_records_the_role_before_and_after(
    admin, client_for, town_a, resident_a, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin, resident_a.email, role="admin")
    clear_journal(town_a)
    client_for(town_a, resident_a).post(link_of(mail.outbox[-1]))
    entry = only_entry(town_a, "invitation.accepted")
    assert (entry.actor_id, entry.target_id) == (resident_a.pk, str(resident_a.pk))
    assert (entry.before, entry.after) == ({"role": "resident"}, {"role": "admin"})


def test_a_role_change_writes_one_entry(admin, town_a, admin_a, moderator_a) -> None:
    assert set_role(admin, moderator_a, "admin").status_code == 302
    entry = only_entry(town_a, "member.role_change")
    assert (entry.actor_id, entry.target_type) == (admin_a.pk, "accounts.user")
    assert entry.target_id == str(moderator_a.pk)
    assert entry.target_label == moderator_a.display_name
    assert (entry.before, entry.after) == ({"role": "moderator"}, {"role": "admin"})


def test_taking_away_team_rights_has_its_own_action(admin, town_a, moderator_a) -> None:
    set_role(admin, moderator_a, "resident")
    entry = only_entry(town_a, "member.team_rights_removed")
    assert (entry.before, entry.after) == ({"role": "moderator"}, {"role": "resident"})


def test_a_role_change_that_changes_nothing_or_fails_writes_nothing(
    admin, town_a, admin_a, moderator_a
) -> None:
    set_role(admin, moderator_a, "moderator")  # the same role
    set_role(admin, moderator_a, "superuser")  # not a role
    set_role(admin, admin_a, "moderator")  # the last admin
    assert entries(town_a) == []
    with schema_context(town_a.schema_name):
        moderator_a.refresh_from_db()
        assert moderator_a.role == User.Role.MODERATOR


def test_an_admin_demoted_meanwhile_cannot_change_roles(town_a, admin_a, resident_a) -> None:
    with schema_context(town_a.schema_name):
        other = cast(User, AdminFactory())
        User.objects.filter(pk=admin_a.pk).update(role=User.Role.RESIDENT)  # by `other`
        with pytest.raises(PermissionDenied):
            team.change_role(member=resident_a, role="admin", by=admin_a)
        resident_a.refresh_from_db()
        assert resident_a.role == User.Role.RESIDENT
        # `other` still can.
        team.change_role(member=resident_a, role="moderator", by=other)
    assert only_entry(town_a, "member.role_change").actor_id == other.pk
