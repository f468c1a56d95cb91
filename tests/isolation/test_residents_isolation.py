"""Town A's residents, welcome sheets and login codes stay in town A, and with its agents."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from tests.helpers import probe
from townsite.models import ResidentProfile
from townsite.residents import services

pytestmark = pytest.mark.django_db
LIST = "/administration/habitants/"
NEW = "/administration/habitants/nouveau/"
SECRET_NAME = "Philomène Secret-de-A"


@pytest.fixture
def desk_resident_a(town_a, admin_a) -> services.DeskRegistration:
    with schema_context(town_a.schema_name):
        return services.register_at_desk(
            admin_a, display_name=SECRET_NAME, neighbourhood=None, phone="0611111111"
        )


def _sheet(registration: services.DeskRegistration) -> str:
    return f"/administration/habitants/{registration.user.pk}/fiche/"


def _regenerate(registration: services.DeskRegistration) -> str:
    return f"/administration/habitants/{registration.user.pk}/nouveau-code/"


def _code_hash(town, registration: services.DeskRegistration) -> str:
    with schema_context(town.schema_name):
        return ResidentProfile.objects.get(user=registration.user).login_code_hash


def test_agents_of_b_see_none_of_a_residents(
    client_for, town_a, town_b, admin_b, moderator_b, desk_resident_a
) -> None:
    before = _code_hash(town_a, desk_resident_a)
    for agent in (admin_b, moderator_b):
        client = client_for(town_b, agent)
        page = client.get(LIST)
        assert page.status_code == 200
        assert SECRET_NAME not in page.content.decode()
        # A's ids on B's site: no sheet, no new code.
        probe(client, _sheet(desk_resident_a), leaked=[SECRET_NAME, "0611111111"])
        probe(client, _regenerate(desk_resident_a), method="post", leaked=[SECRET_NAME])
    assert _code_hash(town_a, desk_resident_a) == before  # no new code was made for A's resident


def test_b_cookies_on_a_site_open_nothing(
    client_for, town_a, town_b, admin_b, resident_b, desk_resident_a
) -> None:
    before = _code_hash(town_a, desk_resident_a)
    for person in (admin_b, resident_b):
        stolen = client_for(town_b, person)
        stolen.defaults["HTTP_HOST"] = town_a.primary_host
        leaked = [SECRET_NAME]
        probe(stolen, LIST, leaked=leaked)
        probe(stolen, NEW, leaked=leaked)
        probe(stolen, NEW, method="post", data={"display_name": "Intrus"}, leaked=leaked)
        probe(stolen, _sheet(desk_resident_a), leaked=leaked)
        probe(stolen, _regenerate(desk_resident_a), method="post", leaked=leaked)
        for path in ("/mon-compte/", "/mon-compte/donnees/", "/mon-compte/supprimer/"):
            probe(stolen, path, leaked=[person.email])
    assert _code_hash(town_a, desk_resident_a) == before
    with schema_context(town_a.schema_name):
        assert not ResidentProfile.objects.filter(user__display_name="Intrus").exists()


def test_guests_and_residents_never_reach_the_desk(
    client_for, town_a, resident_a, desk_resident_a
) -> None:
    leaked = [SECRET_NAME]
    for client in (client_for(town_a), client_for(town_a, resident_a)):
        probe(client, LIST, leaked=leaked)
        probe(client, NEW, leaked=leaked)
        probe(client, NEW, method="post", data={"display_name": "Intrus"}, leaked=leaked)
        probe(client, _sheet(desk_resident_a), leaked=leaked)
        probe(client, _regenerate(desk_resident_a), method="post", leaked=leaked)
    # The desk resident themself cannot open their sheet either.
    probe(client_for(town_a, desk_resident_a.user), _sheet(desk_resident_a), leaked=["Générer"])
    probe(client_for(None), LIST, leaked=leaked)  # nor the root domain
    with schema_context(town_a.schema_name):
        assert not ResidentProfile.objects.filter(user__display_name="Intrus").exists()


def test_a_code_of_a_works_only_on_a_site(client_for, town_a, town_b, desk_resident_a) -> None:
    guest_b = client_for(town_b)
    on_b = guest_b.post("/premiere-connexion/", {"code": desk_resident_a.code})
    assert on_b.status_code == 400
    assert "Ce code n’est pas bon" in on_b.content.decode()
    assert guest_b.get("/premiere-connexion/mot-de-passe/")["Location"] == "/premiere-connexion/"
    on_a = client_for(town_a).post("/premiere-connexion/", {"code": desk_resident_a.code})
    assert on_a["Location"] == "/premiere-connexion/mot-de-passe/"


def test_a_pending_first_login_of_a_does_not_carry_to_b(
    client_for, town_a, town_b, desk_resident_a
) -> None:
    client = client_for(town_a)
    client.post("/premiere-connexion/", {"code": desk_resident_a.code})
    client.defaults["HTTP_HOST"] = town_b.primary_host
    response = client.post(
        "/premiere-connexion/mot-de-passe/",
        {"password1": "un-mot-de-passe-x", "password2": "un-mot-de-passe-x", "charter": "on"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/premiere-connexion/"
    with schema_context(town_a.schema_name):
        assert not ResidentProfile.objects.get(user=desk_resident_a.user).user.has_usable_password()


def test_an_export_holds_only_the_person_own_data(
    client_for, town_a, resident_a, desk_resident_a
) -> None:
    body = client_for(town_a, resident_a).get("/mon-compte/donnees/").content.decode()
    assert resident_a.email in body
    assert SECRET_NAME not in body and "0611111111" not in body
