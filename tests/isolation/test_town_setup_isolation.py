"""Town B never sees nor changes town A's set-up, team or invitations; only admins set up."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.models import AuditEntry
from tests.helpers import probe
from townsite.models import Invitation, Neighbourhood, TownProfile
from townsite.setup import services

pytestmark = pytest.mark.django_db

SETUP = "/administration/configuration/"
TEAM = "/administration/equipe/"
JOURNAL = "/administration/journal/"
SECRET_WELCOME = "Le mot secret de Villeneuve"
SECRET_PLACE = "Quartier-Secret-A"
SECRET_EMAIL = "invitee-secrete@example.org"


@pytest.fixture
def a_is_set_up(town_a, admin_a, moderator_a, client_for, django_capture_on_commit_callbacks):
    """Town A with a welcome text, a colour, a neighbourhood and a pending invitation, each in
    its log of actions."""
    with schema_context(town_a.schema_name):
        services.save_welcome_text(SECRET_WELCOME, by=admin_a)
        services.save_look(primary_colour="#7a1f1f", by=admin_a)
        place = services.add_neighbourhood(SECRET_PLACE, by=admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(town_a, admin_a).post(TEAM, {"email": SECRET_EMAIL, "role": "admin"})
    link = re.search(r"https?://[^/\s]+(/invitation/[^/\s]+/)", str(mail.outbox[-1].body))
    assert link
    with schema_context(town_a.schema_name):
        invitation = Invitation.objects.get(email=SECRET_EMAIL)
    journal = list(AuditEntry.objects.filter(collectivite=town_a).values_list("pk", flat=True))
    return {"place": place, "invitation": invitation, "link": link.group(1), "journal": journal}


def admin_pages(a: dict) -> list[tuple[str, str, dict]]:
    place, invitation = a["place"].pk, a["invitation"].pk
    return [
        ("get", "/administration/", {}),
        ("get", SETUP, {}),
        ("get", SETUP + "apparence/", {}),
        ("post", SETUP + "apparence/", {"primary_colour": "#000000"}),
        ("get", SETUP + "accueil/", {}),
        ("post", SETUP + "accueil/", {"welcome_text": "piraté"}),
        ("get", SETUP + "quartiers/", {}),
        ("post", SETUP + "quartiers/", {"name": "Pirate"}),
        ("post", SETUP + "quartiers/communes/", {}),
        ("post", f"{SETUP}quartiers/{place}/renommer/", {f"n{place}-name": "Pirate"}),
        ("get", f"{SETUP}quartiers/{place}/supprimer/", {}),
        ("post", f"{SETUP}quartiers/{place}/supprimer/", {}),
        ("get", SETUP + "modules/", {}),
        ("post", SETUP + "modules/", {"ideas": "on"}),
        ("get", SETUP + "contact/", {}),
        ("post", SETUP + "contact/", {"email": "pirate@example.org"}),
        ("get", SETUP + "charte/", {}),
        ("post", SETUP + "charte/", {"charter": "piratée"}),
        ("get", SETUP + "recapitulatif/", {}),
        ("post", SETUP + "recapitulatif/", {}),
        ("get", TEAM, {}),
        ("post", TEAM, {"email": "pirate@example.org", "role": "admin"}),
        ("post", f"{TEAM}invitations/{invitation}/annuler/", {}),
        ("get", JOURNAL, {}),
        ("get", JOURNAL, {"kind": "team"}),
        ("get", JOURNAL, {"kind": "settings", "page": "1"}),
    ]


def assert_a_untouched(town_a, a: dict) -> None:
    with schema_context(town_a.schema_name):
        profile = TownProfile.load()
        assert profile.welcome_text == SECRET_WELCOME
        assert profile.primary_colour == "#7a1f1f"
        assert profile.charter != "piratée"
        assert profile.setup_completed_at is None
        assert list(Neighbourhood.objects.values_list("name", flat=True)) == [SECRET_PLACE]
        invitation = Invitation.objects.get(pk=a["invitation"].pk)
        assert invitation.revoked_at is None and invitation.accepted_at is None
        assert not Invitation.objects.filter(email="pirate@example.org").exists()
    # Nobody else acted on A: its log holds what its own admin did, nothing more.
    journal = AuditEntry.objects.filter(collectivite=town_a).values_list("pk", flat=True)
    assert list(journal) == a["journal"]


def test_only_a_towns_own_admins_reach_its_admin_pages(
    client_for, town_a, town_b, resident_a, moderator_a, admin_b, a_is_set_up
) -> None:
    leaked = [SECRET_WELCOME, SECRET_PLACE, SECRET_EMAIL]
    stolen = client_for(town_b, admin_b)
    stolen.defaults["HTTP_HOST"] = town_a.primary_host  # B's admin cookie on A's site
    visitors = [
        client_for(town_a),  # a guest is sent to log in
        client_for(town_a, resident_a),
        client_for(town_a, moderator_a),
        stolen,
        client_for(None),  # the root domain has none of these pages
    ]
    for client in visitors:
        for method, path, data in admin_pages(a_is_set_up):
            probe(client, path, method=method, data=data, leaked=leaked)
    assert_a_untouched(town_a, a_is_set_up)


def test_role_changes_are_refused_to_everyone_but_the_towns_admins(
    client_for, town_a, town_b, resident_a, moderator_a, admin_a, admin_b, a_is_set_up
) -> None:
    stolen = client_for(town_b, admin_b)
    stolen.defaults["HTTP_HOST"] = town_a.primary_host
    for client in (client_for(town_a), client_for(town_a, resident_a), stolen):
        probe(
            client,
            f"{TEAM}{moderator_a.pk}/role/",
            method="post",
            data={f"m{moderator_a.pk}-role": "admin"},
        )
    moderator = client_for(town_a, moderator_a)
    probe(
        moderator,
        f"{TEAM}{moderator_a.pk}/role/",
        method="post",
        data={f"m{moderator_a.pk}-role": "admin"},
    )
    probe(
        moderator,
        f"{TEAM}{admin_a.pk}/role/",
        method="post",
        data={f"m{admin_a.pk}-role": "resident"},
    )
    with schema_context(town_a.schema_name):
        moderator_a.refresh_from_db()
        admin_a.refresh_from_db()
        assert moderator_a.role == User.Role.MODERATOR
        assert admin_a.role == User.Role.ADMIN


def test_b_s_admin_sees_only_b_on_b_s_own_pages(
    client_for, town_a, town_b, admin_a, admin_b, a_is_set_up
) -> None:
    own_log = client_for(town_a, admin_a).get(JOURNAL).content.decode()
    assert SECRET_PLACE in own_log and SECRET_EMAIL in own_log  # what B must not see
    admin = client_for(town_b, admin_b)
    for path in (
        "/administration/",
        SETUP + "accueil/",
        SETUP + "quartiers/",
        TEAM,
        SETUP + "recapitulatif/",
        JOURNAL,
    ):
        response = admin.get(path)
        assert response.status_code == 200
        page = response.content.decode()
        for secret in (SECRET_WELCOME, SECRET_PLACE, SECRET_EMAIL, town_a.name):
            assert secret not in page, (path, secret)

    # A's ids mean nothing on B's site (B has no neighbourhood, no invitation).
    place, invitation = a_is_set_up["place"].pk, a_is_set_up["invitation"].pk
    with schema_context(town_b.schema_name):
        assert not Neighbourhood.objects.filter(pk=place).exists()
        assert not Invitation.objects.filter(pk=invitation).exists()
    probe(admin, f"{SETUP}quartiers/{place}/supprimer/", leaked=[SECRET_PLACE])
    probe(admin, f"{SETUP}quartiers/{place}/supprimer/", method="post")
    probe(admin, f"{SETUP}quartiers/{place}/renommer/", method="post", data={f"n{place}-name": "X"})
    probe(admin, f"{TEAM}invitations/{invitation}/annuler/", method="post")
    assert_a_untouched(town_a, a_is_set_up)

    # Changing B's look and welcome leaves A's alone, and the reverse (the cache is per town).
    with schema_context(town_b.schema_name):
        services.save_welcome_text("Bienvenue à Bourg", by=None)
    assert_a_untouched(town_a, a_is_set_up)
    assert client_for(town_b).get("/logo/").status_code == 404


def test_a_towns_invitation_link_gives_nothing_on_another_town(
    client_for, town_a, town_b, admin_b, a_is_set_up
) -> None:
    link = a_is_set_up["link"]
    for client in (client_for(town_b), client_for(town_b, admin_b)):
        response = client.get(link)
        assert response.status_code == 404
        assert SECRET_EMAIL not in response.content.decode()
        assert town_a.name not in response.content.decode()
        response = client.post(
            link,
            {
                "display_name": "Intrus",
                "password1": "un-mot-de-passe-solide",
                "password2": "un-mot-de-passe-solide",
                "password": "x",
            },
        )
        assert response.status_code == 404
    with schema_context(town_b.schema_name):
        assert not User.objects.filter(email=SECRET_EMAIL).exists()
    with schema_context(town_a.schema_name):
        assert not User.objects.filter(email=SECRET_EMAIL).exists()
    assert_a_untouched(town_a, a_is_set_up)
    # Nor on the root domain.
    assert client_for(None).get(link).status_code == 404
