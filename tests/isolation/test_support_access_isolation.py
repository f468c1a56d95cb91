"""Support access: every new town page and token, tried by everyone who must not get through."""

from __future__ import annotations

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.services import create_ops_staff
from mutual_aid.factories import PostFactory
from ops.models import SupportGrant, SupportUse
from tests.helpers import probe
from tests.support_access_support import entry_path, grant

pytestmark = pytest.mark.django_db
SUPPORT_PAGE = "/administration/support/"


def intruders(client_for, town_a, town_b, resident_a, moderator_a, admin_b):
    """Town A's visitor, resident and moderator, and town B's admin on town A's site."""
    # Town B's admin brings their signed-in session cookie to town A's host.
    admin_b_on_a = client_for(town_b, admin_b)
    admin_b_on_a.defaults["HTTP_HOST"] = town_a.primary_host
    return [
        client_for(town_a),
        client_for(town_a, resident_a),
        client_for(town_a, moderator_a),
        admin_b_on_a,
    ]


@pytest.fixture
def everyone_but_the_admin(client_for, town_a, town_b, resident_a, moderator_a, admin_b):
    return intruders(client_for, town_a, town_b, resident_a, moderator_a, admin_b)


def test_nobody_but_the_admin_reads_the_support_page(everyone_but_the_admin, town_a, admin_a):
    grant(town_a, admin_a)
    for client in everyone_but_the_admin:
        probe(client, SUPPORT_PAGE, leaked=[admin_a.email])


def test_nobody_but_the_admin_grants(everyone_but_the_admin, town_a):
    for client in everyone_but_the_admin:
        probe(client, SUPPORT_PAGE, method="post", data={"hours": "72"})
    assert not SupportGrant.objects.filter(collectivite=town_a).exists()


def test_nobody_but_the_admin_revokes(everyone_but_the_admin, town_a, admin_a):
    live = grant(town_a, admin_a)
    for client in everyone_but_the_admin:
        probe(client, f"{SUPPORT_PAGE}{live.pk}/retirer/", method="post")
    live.refresh_from_db()
    assert live.revoked_at is None


def test_town_b_admin_grants_only_for_town_b(client_for, town_a, town_b, admin_b):
    client_for(town_b, admin_b).post(SUPPORT_PAGE, {"hours": "24"})
    assert not SupportGrant.objects.filter(collectivite=town_a).exists()
    assert SupportGrant.objects.filter(collectivite=town_b).count() == 1


def test_town_b_admin_cannot_revoke_town_a_grant(client_for, town_a, town_b, admin_a, admin_b):
    live = grant(town_a, admin_a)
    client_for(town_b, admin_b).post(f"{SUPPORT_PAGE}{live.pk}/retirer/")
    live.refresh_from_db()
    assert live.revoked_at is None


def test_town_b_admin_does_not_see_town_a_grants(client_for, town_a, town_b, admin_a, admin_b):
    grant(town_a, admin_a)
    page = client_for(town_b, admin_b).get(SUPPORT_PAGE).content.decode()
    assert admin_a.email not in page


def test_a_token_for_town_a_is_refused_on_town_b(console, client_for, town_a, town_b, admin_a):
    grant(town_a, admin_a)
    grant_b = town_b  # town B granted too: the token is still town A's
    path = entry_path(console, town_a)
    response = Client(HTTP_HOST=grant_b.primary_host).get(path)
    assert response.status_code == 403
    assert not SupportUse.objects.exists()


def test_a_forged_token_is_refused(client_for, town_a, admin_a):
    grant(town_a, admin_a)
    assert client_for(town_a).get("/support/entrer/?token=forged").status_code == 403


def test_staff_without_a_grant_get_no_token(console, town_a):
    response = console.post(f"/ops/collectivites/{town_a.pk}/support/")
    assert "/support/entrer/" not in response.get("Location", "")


def test_staff_without_totp_cannot_open_the_site(client_for, town_a, admin_a):
    grant(town_a, admin_a)
    with schema_context("public"):
        staff = create_ops_staff(
            email="nototp@placette.example", display_name="Nina", password=TEST_PASSWORD
        )
    response = client_for(None, staff).post(f"/ops/collectivites/{town_a.pk}/support/")
    assert "/support/entrer/" not in response.get("Location", "")


def test_a_token_of_staff_who_lost_totp_is_refused(
    console, console_staff, client_for, town_a, admin_a
):
    from allauth.mfa.models import Authenticator

    grant(town_a, admin_a)
    path = entry_path(console, town_a)
    with schema_context("public"):
        Authenticator.objects.filter(user=console_staff).delete()
    assert client_for(town_a).get(path).status_code == 403


def test_without_a_session_staff_see_no_residents_content(client_for, town_a, resident_a):
    with schema_context(town_a.schema_name):
        post = PostFactory.create(author=resident_a, title="Perceuse du voisin")
    probe(client_for(town_a), f"/entraide/{post.pk}/", leaked=[post.title])


def test_a_support_session_of_town_a_opens_nothing_on_town_b(
    console, town_a, town_b, admin_a, admin_b, resident_b
):
    grant(town_a, admin_a)
    grant(town_b, admin_b)
    with schema_context(town_b.schema_name):
        post_b = PostFactory.create(author=resident_b, title="Vélo de Bernadette")
    client = Client(HTTP_HOST=town_a.primary_host)
    client.get(entry_path(console, town_a))
    client.defaults["HTTP_HOST"] = town_b.primary_host
    probe(client, f"/entraide/{post_b.pk}/", leaked=[post_b.title])
