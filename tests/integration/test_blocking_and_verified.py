"""A resident blocks another; staff verify residents, at the desk or from the residents list."""

from __future__ import annotations

import re

import pytest
from django_tenants.utils import schema_context

from tenants.models import AuditEntry
from tests.helpers import body
from tests.moderation_fixtures import person
from townsite.models import ResidentProfile
from townsite.moderation import access, blocking
from townsite.moderation.errors import ModerationError
from townsite.moderation.models import Block

pytestmark = pytest.mark.django_db
MY_BLOCKS = "/mon-compte/personnes-bloquees/"
RESIDENTS = "/administration/habitants/"


@pytest.fixture
def neighbour(town_a):
    with schema_context(town_a.schema_name):
        return person(display_name="Voisin Bruyant")


# --- Blocking --------------------------------------------------------------------------------


def test_a_resident_blocks_someone_from_the_block_page(
    client_for, town_a, resident_a, neighbour
) -> None:
    client = client_for(town_a, resident_a)
    page = client.get(f"/bloquer/{neighbour.pk}/")
    assert "Bloquer Voisin Bruyant ?" in body(page)
    response = client.post(f"/bloquer/{neighbour.pk}/", follow=True)
    assert response.redirect_chain[-1][0] == MY_BLOCKS
    assert "Vous avez bloqué Voisin Bruyant" in body(response)
    with schema_context(town_a.schema_name):
        assert access.is_blocked_between(resident_a, neighbour)
        assert access.is_blocked_between(neighbour, resident_a)  # both ways
        assert access.has_blocked(resident_a, neighbour)
        assert not access.has_blocked(neighbour, resident_a)


def test_blocking_twice_keeps_one_block(town_a, resident_a, neighbour) -> None:
    with schema_context(town_a.schema_name):
        assert blocking.block(resident_a, neighbour.pk) is not None
        assert blocking.block(resident_a, neighbour.pk) is None
        assert Block.objects.count() == 1


def test_nobody_blocks_themselves_or_the_team(client_for, town_a, resident_a, moderator_a) -> None:
    client = client_for(town_a, resident_a)
    own = client.post(f"/bloquer/{resident_a.pk}/")
    assert own.status_code == 400
    assert "Vous ne pouvez pas vous bloquer vous-même." in body(own)
    staff = client.post(f"/bloquer/{moderator_a.pk}/")
    assert staff.status_code == 400
    assert "Vous ne pouvez pas bloquer un membre de l’équipe" in body(staff)
    with schema_context(town_a.schema_name):
        with pytest.raises(ModerationError):
            blocking.block(resident_a, resident_a.pk)
        assert Block.objects.count() == 0


def test_an_unknown_person_is_not_found(client_for, town_a, resident_a) -> None:
    assert client_for(town_a, resident_a).post("/bloquer/999999/").status_code == 404


def test_the_account_lists_whom_i_block_and_unblocks(
    client_for, town_a, resident_a, neighbour
) -> None:
    with schema_context(town_a.schema_name):
        blocking.block(resident_a, neighbour.pk)
    client = client_for(town_a, resident_a)
    assert f'href="{MY_BLOCKS}"' in body(client.get("/mon-compte/"))
    listing = body(client.get(MY_BLOCKS))
    assert "Voisin Bruyant" in listing and "Débloquer Voisin Bruyant" in listing
    unblock = f"{MY_BLOCKS}{neighbour.pk}/debloquer/"
    assert client.get(unblock).status_code == 405
    response = client.post(unblock, follow=True)
    assert "Cette personne n’est plus bloquée." in body(response)
    assert "Vous ne bloquez personne." in body(response)
    with schema_context(town_a.schema_name):
        assert not access.is_blocked_between(resident_a, neighbour)
    again = client.post(unblock, follow=True)
    assert "Cette personne n’était pas bloquée." in body(again)


def test_blocks_are_in_the_export(client_for, town_a, resident_a, neighbour) -> None:
    with schema_context(town_a.schema_name):
        blocking.block(resident_a, neighbour.pk)
    data = client_for(town_a, resident_a).get("/mon-compte/donnees/").json()
    assert [item["name"] for item in data["moderation"]["people_blocked"]] == ["Voisin Bruyant"]


# --- Verified residents ----------------------------------------------------------------------


def _verify(client, user, verified: bool):
    return client.post(
        f"/administration/habitants/{user.pk}/verification/",
        {"verified": "1" if verified else "0", "next": RESIDENTS},
        follow=True,
    )


def test_staff_verify_and_unverify_from_the_residents_list(
    client_for, town_a, moderator_a, neighbour
) -> None:
    client = client_for(town_a, moderator_a)
    listing = body(client.get(RESIDENTS))
    assert "Marquer l’identité de Voisin Bruyant comme vérifiée" in listing
    response = _verify(client, neighbour, True)
    assert "L’identité de Voisin Bruyant est maintenant marquée comme vérifiée." in body(response)
    assert "Retirer la vérification de Voisin Bruyant" in body(response)
    assert '<span class="badge"' in body(response)
    with schema_context(town_a.schema_name):
        profile = ResidentProfile.objects.get(user=neighbour)
        assert profile.verified_at is not None and profile.verified_by_id == moderator_a.pk
        assert access.is_verified(neighbour)
    _verify(client, neighbour, True)  # again: nothing new
    (entry,) = AuditEntry.objects.filter(collectivite=town_a, action="resident.verified")
    assert entry.actor_id == moderator_a.pk and entry.target_id == str(neighbour.pk)
    _verify(client, neighbour, False)
    with schema_context(town_a.schema_name):
        assert not access.is_verified(neighbour)
    assert AuditEntry.objects.filter(collectivite=town_a, action="resident.unverified").count() == 1


def test_only_residents_can_be_verified(client_for, town_a, admin_a, moderator_a) -> None:
    response = client_for(town_a, admin_a).post(
        f"/administration/habitants/{moderator_a.pk}/verification/", {"verified": "1"}
    )
    assert response.status_code == 404
    with schema_context(town_a.schema_name):
        assert not ResidentProfile.objects.filter(verified_at__isnull=False).exists()


def test_the_verify_form_sends_back_only_to_this_site(
    client_for, town_a, moderator_a, neighbour
) -> None:
    response = client_for(town_a, moderator_a).post(
        f"/administration/habitants/{neighbour.pk}/verification/",
        {"verified": "1", "next": "https://ailleurs.example/"},
    )
    assert response["Location"] == RESIDENTS


def test_the_desk_sign_up_verifies_at_once_by_default(client_for, town_a, admin_a) -> None:
    client = client_for(town_a, admin_a)
    form = body(client.get("/administration/habitants/nouveau/"))
    assert re.search(r'<input type="checkbox" name="verified_in_person"[^>]* checked>', form)
    assert "Identité vérifiée en personne" in form
    client.post(
        "/administration/habitants/nouveau/",
        {"display_name": "Marcel Vérifié", "verified_in_person": "on"},
    )
    client.post("/administration/habitants/nouveau/", {"display_name": "Odette Pas Vérifiée"})
    with schema_context(town_a.schema_name):
        verified = ResidentProfile.objects.get(user__display_name="Marcel Vérifié")
        assert verified.verified_at is not None and verified.verified_by_id == admin_a.pk
        other = ResidentProfile.objects.get(user__display_name="Odette Pas Vérifiée")
        assert other.verified_at is None
    entry = AuditEntry.objects.get(
        collectivite=town_a, action="resident.desk_registered", target_label="Marcel Vérifié"
    )
    assert "verified_at" in entry.after


def test_the_badge_shows_only_for_verified_people(town_a, neighbour) -> None:
    from django.template.loader import render_to_string

    with schema_context(town_a.schema_name):
        assert "badge" not in render_to_string(
            "townsite/_resident_badge.html", {"person": neighbour}
        )
        ResidentProfile.objects.create(user=neighbour)
        neighbour.refresh_from_db()
        assert "badge" not in render_to_string(
            "townsite/_resident_badge.html", {"person": neighbour}
        )
        ResidentProfile.objects.filter(user=neighbour).update(verified_at="2026-11-30T10:00Z")
        neighbour = type(neighbour).objects.get(pk=neighbour.pk)
        html = render_to_string("townsite/_resident_badge.html", {"person": neighbour})
    assert "Identité vérifiée" in html
