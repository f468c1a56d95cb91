"""A town admin builds the team: invitations by email, roles, the last admin."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import cast

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD, AdminFactory, UserFactory
from accounts.models import User
from accounts.tokens import token_hash
from tenants.addresses import town_url
from tenants.models import Collectivite
from tests.helpers import body
from townsite.models import (
    Invitation,
)
from townsite.setup import queries

pytestmark = pytest.mark.django_db

SETUP = "/administration/configuration/"
TEAM = "/administration/equipe/"


# --- Team and invitations -----------------------------------------------------------------


def invite(client, email: str, role: str = "moderator"):
    return client.post(TEAM, {"email": email, "role": role})


def sent_link(message) -> tuple[str, str]:
    found = re.search(r"https?://([^/\s]+)(/invitation/([^/\s]+)/)", str(message.body))
    assert found, message.body
    return found.group(1), found.group(2)


def test_an_invitation_is_emailed_with_a_link_on_the_towns_host(
    admin, admin_a, town_a, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(
            TEAM, {"email": "Nouvelle.Moderatrice@Example.org", "role": "moderator"}
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nouvelle.moderatrice@example.org"]
    assert message.subject == f"Invitation à rejoindre l’équipe du site de {town_a.name}"
    assert f"{admin_a.display_name} vous invite à devenir modérateur·rice" in message.body
    host, path = sent_link(message)
    assert f"http://{host}" == town_url(town_a.slug, "")
    token = path.split("/")[2]
    with schema_context(town_a.schema_name):
        invitation = Invitation.objects.get()
        assert invitation.token_hash == token_hash(token, purpose=queries.INVITATION_PURPOSE)
        assert token not in invitation.token_hash
        assert invitation.role == "moderator"
        assert invitation.invited_by == admin_a
        assert invitation.expires_at - timezone.now() > timedelta(days=6, hours=23)
        assert invitation.expires_at - timezone.now() <= timedelta(days=7)
    page = body(admin.get(TEAM))
    assert "nouvelle.moderatrice@example.org" in page
    assert "Invitations en attente de réponse" in page


def test_bad_or_duplicate_invitations_are_explained(
    admin, town_a, moderator_a, django_capture_on_commit_callbacks
) -> None:
    response = admin.post(TEAM, {"email": "pas-une-adresse", "role": "moderator"})
    assert response.status_code == 400
    assert "Écrivez une adresse e-mail complète" in body(response)
    assert 'value="pas-une-adresse"' in body(response)

    response = admin.post(TEAM, {"email": moderator_a.email.upper(), "role": "admin"})
    assert response.status_code == 400
    assert f"{moderator_a.email} fait déjà partie de l’équipe" in body(response)

    response = admin.post(TEAM, {"email": "x@example.org", "role": "resident"})
    assert response.status_code == 400

    with django_capture_on_commit_callbacks(execute=True):
        admin.post(TEAM, {"email": "deux@example.org", "role": "moderator"})
        response = admin.post(TEAM, {"email": "deux@example.org", "role": "admin"}, follow=True)
    assert "Le lien envoyé avant ne fonctionne plus." in body(response)
    assert len(mail.outbox) == 2
    _host, old = sent_link(mail.outbox[0])
    _host, new = sent_link(mail.outbox[1])
    assert admin.get(old).status_code == 410
    with schema_context(town_a.schema_name):
        assert queries.pending_invitations().get().role == "admin"
    assert all(message.to != ["x@example.org"] for message in mail.outbox)


def test_a_new_person_accepts_and_creates_an_account(
    admin, client_for, town_a, town_b, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin, "nadia@example.org")
    _host, path = sent_link(mail.outbox[0])
    guest = client_for(town_a)
    page = body(guest.get(path))
    assert "Rejoindre l’équipe de" in page
    assert 'value="nadia@example.org" readonly' in page
    assert "Créez votre compte pour accepter." in page

    response = guest.post(
        path, {"display_name": "Nadia", "password1": TEST_PASSWORD, "password2": "autre-chose"}
    )
    assert response.status_code == 400
    assert "Les deux mots de passe sont différents." in body(response)
    assert 'value="Nadia"' in body(response)
    response = guest.post(path, {"display_name": "Nadia", "password1": "1234", "password2": "1234"})
    assert response.status_code == 400
    with schema_context(town_a.schema_name):
        assert not User.objects.filter(email="nadia@example.org").exists()

    response = guest.post(
        path, {"display_name": "Nadia", "password1": TEST_PASSWORD, "password2": TEST_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == "/"
    home = body(guest.get("/"))
    assert "Bienvenue dans l’équipe ! Vous êtes maintenant modérateur·rice de ce site." in home
    assert "Bonjour Nadia" in home
    with schema_context(town_a.schema_name):
        nadia = User.objects.get(email="nadia@example.org")
        assert nadia.role == User.Role.MODERATOR
        assert EmailAddress.objects.get(user=nadia).verified
        assert Invitation.objects.get().accepted_at is not None
    with schema_context(town_b.schema_name):
        assert not User.objects.filter(email="nadia@example.org").exists()

    # The link works once.
    again = client_for(town_a).get(path)
    assert again.status_code == 410
    assert "Cette invitation a déjà été utilisée" in body(again)


def test_someone_with_an_account_logs_in_to_accept(
    admin, client_for, town_a, resident_a, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin, resident_a.email, role="admin")
    _host, path = sent_link(mail.outbox[0])
    guest = client_for(town_a)
    page = body(guest.get(path))
    assert "Vous avez déjà un compte sur ce site" in page
    response = guest.post(path, {"password": "pas-le-bon"})
    assert response.status_code == 400
    assert "Ce mot de passe n’est pas le bon." in body(response)
    with schema_context(town_a.schema_name):
        resident_a.refresh_from_db()
        assert resident_a.role == User.Role.RESIDENT

    response = guest.post(path, {"password": TEST_PASSWORD})
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        resident_a.refresh_from_db()
        assert resident_a.role == User.Role.ADMIN
    assert guest.get("/administration/").status_code == 200


def test_a_logged_in_invitee_confirms_and_another_member_cannot_use_the_link(
    admin, client_for, town_a, resident_a, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin, resident_a.email)
    _host, path = sent_link(mail.outbox[0])

    other = client_for(town_a, _other_resident(town_a))
    page = body(other.get(path))
    assert f"Cette invitation est pour {resident_a.email}" in page
    assert other.post(path).status_code == 400
    with schema_context(town_a.schema_name):
        assert Invitation.objects.get().accepted_at is None

    invitee = client_for(town_a, resident_a)
    assert "Accepter l’invitation" in body(invitee.get(path))
    response = invitee.post(path)
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        resident_a.refresh_from_db()
        assert resident_a.role == User.Role.MODERATOR


def _other_resident(town: Collectivite) -> User:
    with schema_context(town.schema_name):
        return cast(User, UserFactory())


def test_expired_and_revoked_invitations_get_a_clear_page(
    admin, client_for, town_a, time_machine, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite(admin, "late@example.org")
        invite(admin, "revoked@example.org")
    _host, late = sent_link(mail.outbox[0])
    _host, revoked = sent_link(mail.outbox[1])
    with schema_context(town_a.schema_name):
        to_revoke = Invitation.objects.get(email="revoked@example.org")
    response = admin.post(f"{TEAM}invitations/{to_revoke.pk}/annuler/", follow=True)
    assert "L’invitation à revoked@example.org est annulée" in body(response)

    guest = client_for(town_a)
    response = guest.get(revoked)
    assert response.status_code == 410
    assert "Cette invitation a été annulée" in body(response)
    assert (
        guest.post(
            revoked, {"display_name": "X", "password1": TEST_PASSWORD, "password2": TEST_PASSWORD}
        ).status_code
        == 410
    )

    time_machine.move_to(timezone.now() + timedelta(days=7, minutes=1))
    response = guest.get(late)
    assert response.status_code == 410
    assert "Cette invitation a expiré" in body(response)
    with schema_context(town_a.schema_name):
        assert not User.objects.filter(email__in=["late@example.org", "revoked@example.org"])
    assert admin.post(f"{TEAM}invitations/{to_revoke.pk}/annuler/").status_code == 404


def test_an_unknown_token_is_a_404(client_for, town_a) -> None:
    response = client_for(town_a).get("/invitation/nimporte-quoi/")
    assert response.status_code == 404
    assert "Ce lien d’invitation ne fonctionne pas" in body(response)
    assert response["Referrer-Policy"] == "same-origin"


def test_roles_change_and_the_last_admin_stays(
    admin, client_for, town_a, admin_a, moderator_a, resident_a
) -> None:
    def set_role(client, member, role):
        return client.post(f"{TEAM}{member.pk}/role/", {f"m{member.pk}-role": role}, follow=True)

    def role_of(member):
        with schema_context(town_a.schema_name):
            member.refresh_from_db()
            return member.role

    response = set_role(admin, admin_a, "moderator")
    assert "Vous êtes le seul administrateur de ce site" in body(response)
    assert role_of(admin_a) == User.Role.ADMIN
    page = body(admin.get(TEAM))
    assert "Vous êtes le seul administrateur : nommez un autre administrateur" in page

    response = set_role(admin, moderator_a, "admin")
    assert f"{moderator_a.display_name} est maintenant administrateur·rice" in body(response)
    assert role_of(moderator_a) == User.Role.ADMIN
    set_role(admin, resident_a, "moderator")
    assert role_of(resident_a) == User.Role.MODERATOR
    response = set_role(admin, resident_a, "resident")
    assert "ne fait plus partie de l’équipe" in body(response)
    assert role_of(resident_a) == User.Role.RESIDENT
    assert "Choisissez un rôle dans la liste." in body(set_role(admin, resident_a, "superuser"))
    assert role_of(resident_a) == User.Role.RESIDENT

    # With a second admin, an admin may step down; they land on the home page.
    response = admin.post(f"{TEAM}{admin_a.pk}/role/", {f"m{admin_a.pk}-role": "moderator"})
    assert response["Location"] == "/"
    assert role_of(admin_a) == User.Role.MODERATOR
    assert admin.get(TEAM).status_code == 403

    # The remaining admin is now the last one.
    other = client_for(town_a, moderator_a)
    response = set_role(other, moderator_a, "resident")
    assert "Vous êtes le seul administrateur" in body(response)
    assert role_of(moderator_a) == User.Role.ADMIN
    with schema_context(town_a.schema_name):
        assert User.objects.filter(role=User.Role.ADMIN).count() == 1


def test_demoting_the_other_last_admin_is_refused_too(town_a, admin_a) -> None:
    from townsite.setup import team

    with schema_context(town_a.schema_name):
        second = cast(User, AdminFactory())
        admin_a.role = User.Role.RESIDENT  # as if changed elsewhere meanwhile
        admin_a.save()
        with pytest.raises(team.TeamError, match="seul administrateur"):
            team.change_role(member=second, role="moderator", by=admin_a)


def test_the_team_page_lists_staff_only(admin, moderator_a, resident_a) -> None:
    page = body(admin.get(TEAM))
    assert moderator_a.email in page
    assert resident_a.email not in page
