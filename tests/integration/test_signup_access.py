"""A read-only or suspended town takes in nobody new: not by sign-up, not at the town hall desk."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.models import Collectivite
from tests.helpers import body
from tests.integration.test_residents import SIGNUP

pytestmark = pytest.mark.django_db

CLOSED = "Personne ne peut s’inscrire sur ce site pour le moment"
DESK = {"display_name": "Jeanne Martin", "phone": "", "email": ""}


def _set_access(town: Collectivite, access: str) -> None:
    town.site_access = access
    town.save(update_fields=["site_access"])


def _accounts(town: Collectivite) -> int:
    with schema_context(town.schema_name):
        return User.objects.count()


def test_a_full_access_town_shows_its_sign_up_form(client_for, town_a) -> None:
    response = client_for(town_a).get("/accounts/signup/")
    assert response.status_code == 200
    assert CLOSED not in body(response)


@pytest.mark.parametrize("access", [Collectivite.Access.READ_ONLY, Collectivite.Access.ADMINS_ONLY])
def test_sign_up_is_closed_on_a_paused_town(client_for, town_a, access) -> None:
    _set_access(town_a, access)
    before = _accounts(town_a)
    guest = client_for(town_a)
    page = guest.get("/accounts/signup/")
    assert page.status_code == 403
    assert CLOSED in body(page)
    posted = guest.post("/accounts/signup/", SIGNUP)
    assert posted.status_code == 403
    assert _accounts(town_a) == before


def test_the_desk_registers_nobody_on_a_read_only_town(client_for, town_a, moderator_a) -> None:
    _set_access(town_a, Collectivite.Access.READ_ONLY)
    before = _accounts(town_a)
    desk = client_for(town_a, moderator_a)
    page = desk.get("/administration/habitants/nouveau/")
    assert page.status_code == 403
    assert CLOSED in body(page)
    assert desk.post("/administration/habitants/nouveau/", DESK).status_code == 403
    assert _accounts(town_a) == before


def test_a_suspended_town_shows_its_status_page_instead_of_the_sign_up(client_for, town_a) -> None:
    town_a.status = Collectivite.Status.SUSPENDED
    town_a.save(update_fields=["status"])
    before = _accounts(town_a)
    guest = client_for(town_a)
    assert guest.get("/accounts/signup/").status_code == 503
    assert guest.post("/accounts/signup/", SIGNUP).status_code == 503
    assert _accounts(town_a) == before


def test_closing_sign_up_leaves_town_b_open(client_for, town_a, town_b) -> None:
    _set_access(town_a, Collectivite.Access.READ_ONLY)
    assert client_for(town_b).get("/accounts/signup/").status_code == 200
