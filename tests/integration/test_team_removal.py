"""Taking someone out of the team is asked twice: a page names them and what they lose."""

from __future__ import annotations

from typing import Any, cast

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.factories import AdminFactory
from accounts.models import User
from tenants.models import AuditEntry, Collectivite

pytestmark = pytest.mark.django_db

TEAM = "/administration/equipe/"


def _remove(client: Client, member: User, **extra: str):
    return client.post(f"{TEAM}{member.pk}/role/", {f"m{member.pk}-role": "resident", **extra})


def body(response: Any) -> str:
    return str(response.content.decode())


def _role(town: Collectivite, member: User) -> str:
    with schema_context(town.schema_name):
        return User.objects.get(pk=member.pk).role


def _entries(town: Collectivite) -> int:
    return AuditEntry.objects.filter(collectivite=town).count()


def test_the_team_page_button_asks_before_taking_rights_away(
    admin: Client, town_a: Collectivite, moderator_a: User
) -> None:
    page = body(admin.get(TEAM))
    # The button posts the removal without "confirm": the server answers with the question.
    assert f'name="m{moderator_a.pk}-role" value="resident"' in page
    assert 'name="confirm"' not in page

    response = _remove(admin, moderator_a)
    assert response.status_code == 200
    question = body(response)
    assert f"Retirer {moderator_a.display_name} de l’équipe ?" in question
    assert f"{moderator_a.display_name} ({moderator_a.email}) ne pourra plus :" in question
    assert "relire ce que publient les habitants" in question
    assert "régler le site" not in question  # a moderator never had it
    assert "Son compte d’habitant reste" in question
    assert 'name="confirm" value="yes"' in question
    assert _role(town_a, moderator_a) == User.Role.MODERATOR
    assert _entries(town_a) == 0


def test_confirming_takes_the_rights_away(
    admin: Client, town_a: Collectivite, moderator_a: User
) -> None:
    response = _remove(admin, moderator_a, confirm="yes")
    assert response.status_code == 302
    assert _role(town_a, moderator_a) == User.Role.RESIDENT
    assert AuditEntry.objects.filter(
        collectivite=town_a, action="member.team_rights_removed"
    ).exists()


def test_an_administrator_is_told_all_they_lose(admin: Client, town_a: Collectivite) -> None:
    with schema_context(town_a.schema_name):
        other = cast(User, AdminFactory())
    question = body(_remove(admin, other))
    assert "régler le site : apparence, texte d’accueil, quartiers, charte" in question
    assert "inviter des personnes dans l’équipe et changer leurs rôles" in question
    assert _role(town_a, other) == User.Role.ADMIN


def test_leaving_the_team_yourself_is_asked_in_your_words(
    admin: Client, town_a: Collectivite, admin_a: User
) -> None:
    with schema_context(town_a.schema_name):
        AdminFactory()  # someone else stays to run the site
    question = body(_remove(admin, admin_a))
    assert "Quitter l’équipe ?" in question
    assert "Si vous confirmez, vous ne pourrez plus :" in question
    assert _role(town_a, admin_a) == User.Role.ADMIN
    response = _remove(admin, admin_a, confirm="yes")
    assert response["Location"] == "/"
    assert _role(town_a, admin_a) == User.Role.RESIDENT


def test_the_last_administrator_is_refused_without_a_question(
    admin: Client, town_a: Collectivite, admin_a: User
) -> None:
    response = _remove(admin, admin_a)
    assert response.status_code == 302
    assert "Personne d’autre n’administre ce site" in body(admin.get(response["Location"]))
    assert _role(town_a, admin_a) == User.Role.ADMIN


def test_other_role_changes_are_not_asked(
    admin: Client, town_a: Collectivite, moderator_a: User
) -> None:
    response = admin.post(f"{TEAM}{moderator_a.pk}/role/", {f"m{moderator_a.pk}-role": "admin"})
    assert response.status_code == 302
    assert _role(town_a, moderator_a) == User.Role.ADMIN
