"""A resident registered at the town hall desk logs in again with the login name printed on the
welcome sheet and the password they chose; on their own town's site only."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts import login_names
from accounts.models import User
from tenants.models import Collectivite
from townsite.models import ResidentProfile
from townsite.residents import services

pytestmark = pytest.mark.django_db

PASSWORD = "un-jardin-sous-la-pluie"
LOGIN = "/accounts/login/"
MISMATCH = "Cette adresse e-mail ou cet identifiant et ce mot de passe ne vont pas ensemble."


def _text(response) -> str:
    return response.content.decode()


def _found(pattern: str, text: str) -> str:
    found = re.search(pattern, text)
    assert found, f"{pattern!r} not found"
    return found.group(1)


def _registered_at_the_desk(client: Client, **form: str) -> tuple[str, str, int]:
    """What the agent's desk gives the person: the code and the login name on the sheet."""
    response = client.post("/administration/habitants/nouveau/", form)
    assert response.status_code == 302
    sheet = _text(client.get(response["Location"]))
    code = _found(r'data-testid="login-code">([A-Z0-9-]+)<', sheet)
    login_name = _found(r'data-testid="login-name">([a-z]+-[2-9]{4})<', sheet)
    user_id = int(_found(r"/habitants/(\d+)/", response["Location"]))
    return code, login_name, user_id


def _first_login(client: Client, code: str) -> str:
    """The code, then the password: the page that asks for it shows the login name."""
    assert client.post("/premiere-connexion/", {"code": code})["Location"].endswith(
        "/mot-de-passe/"
    )
    page = _text(client.get("/premiere-connexion/mot-de-passe/"))
    response = client.post(
        "/premiere-connexion/mot-de-passe/",
        {"password1": PASSWORD, "password2": PASSWORD, "charter": "on"},
    )
    assert response.status_code == 302
    return page


def _logged_in_as(client: Client) -> int | None:
    user_id = client.session.get("_auth_user_id")
    return int(user_id) if user_id else None


def test_a_desk_resident_logs_in_again_with_the_login_name_of_the_sheet(
    client_for: Callable[..., Client], town_a: Collectivite, town_b: Collectivite, admin_a: User
) -> None:
    code, login_name, user_id = _registered_at_the_desk(
        client_for(town_a, admin_a), display_name="Jeanne Dupont"
    )
    assert login_name.startswith("dupont-")
    resident = client_for(town_a)
    page = _first_login(resident, code)
    assert f'data-testid="login-name">{login_name}<' in page
    assert "vous vous connecterez avec votre identifiant et ce mot de passe" in page
    assert _logged_in_as(resident) == user_id

    resident.post("/accounts/logout/")
    assert _logged_in_as(resident) is None
    login_page = _text(resident.get(LOGIN))
    assert '<label for="id_login">Adresse e-mail ou identifiant</label>' in login_page

    typed = login_name.upper().replace("-", " ")  # as read on the sheet, typed by someone
    response = resident.post(LOGIN, {"login": typed, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert _logged_in_as(resident) == user_id
    assert "Bonjour Jeanne Dupont ! Vous êtes bien dans votre compte." in _text(resident.get("/"))

    # Town B's site knows nobody by that name, with that password or any.
    stranger = client_for(town_b)
    response = stranger.post(LOGIN, {"login": login_name, "password": PASSWORD})
    assert response.status_code == 200
    assert MISMATCH in _text(response)
    assert _logged_in_as(stranger) is None


def test_a_wrong_password_with_a_login_name_is_refused(
    client_for: Callable[..., Client], town_a: Collectivite, admin_a: User
) -> None:
    code, login_name, _user_id = _registered_at_the_desk(
        client_for(town_a, admin_a), display_name="Paul Durand"
    )
    _first_login(client_for(town_a), code)
    guest = client_for(town_a)
    response = guest.post(LOGIN, {"login": login_name, "password": "pas-le-bon"})
    assert response.status_code == 200
    assert MISMATCH in _text(response)
    assert _logged_in_as(guest) is None


def test_failed_logins_are_counted_per_login_name(
    client_for: Callable[..., Client], town_a: Collectivite, admin_a: User
) -> None:
    code, login_name, _user_id = _registered_at_the_desk(
        client_for(town_a, admin_a), display_name="Paul Durand"
    )
    _first_login(client_for(town_a), code)
    for attempt in range(5):  # allauth's default: 5 failures per login in 5 minutes
        client = client_for(town_a)
        client.defaults["REMOTE_ADDR"] = f"10.0.0.{attempt + 1}"  # from different places
        client.post(LOGIN, {"login": login_name, "password": f"essai-{attempt}"})
    late = client_for(town_a)
    late.defaults["REMOTE_ADDR"] = "10.0.1.1"
    response = late.post(LOGIN, {"login": login_name, "password": PASSWORD})
    assert response.status_code == 200
    assert "Trop d’essais. Attendez quelques minutes, puis réessayez." in _text(response)
    assert _logged_in_as(late) is None


def test_a_login_name_logs_in_without_a_confirmed_email_address(
    client_for: Callable[..., Client], town_a: Collectivite, admin_a: User
) -> None:
    """The agent typed the person's email address; it is not confirmed yet. With the address,
    allauth asks to confirm it first; with the login name, the town hall's word is enough."""
    code, login_name, user_id = _registered_at_the_desk(
        client_for(town_a, admin_a), display_name="Lucie Moreau", email="lucie@example.org"
    )
    _first_login(client_for(town_a), code)

    by_email = client_for(town_a)
    response = by_email.post(LOGIN, {"login": "lucie@example.org", "password": PASSWORD})
    assert response["Location"] == "/accounts/confirm-email/"
    assert _logged_in_as(by_email) is None

    by_login_name = client_for(town_a)
    response = by_login_name.post(LOGIN, {"login": login_name, "password": PASSWORD})
    assert response["Location"] == "/"
    assert _logged_in_as(by_login_name) == user_id


def test_the_root_domain_takes_email_addresses_only(
    public_client: Client, client_for: Callable[..., Client], town_a: Collectivite, admin_a: User
) -> None:
    code, login_name, _user_id = _registered_at_the_desk(
        client_for(town_a, admin_a), display_name="Jeanne Dupont"
    )
    _first_login(client_for(town_a), code)
    page = _text(public_client.get(LOGIN))
    assert '<label for="id_login">Adresse e-mail</label>' in page
    response = public_client.post(LOGIN, {"login": login_name, "password": PASSWORD})
    assert response.status_code == 200
    assert _logged_in_as(public_client) is None


def test_a_resident_registered_before_login_names_gets_one_with_a_new_code(
    town_a: Collectivite, admin_a: User
) -> None:
    with schema_context(town_a.schema_name):
        registration = services.register_at_desk(
            admin_a, display_name="Anne Petit", neighbourhood=None
        )
        User.objects.filter(pk=registration.user.pk).update(login_name=None)
        profile = ResidentProfile.objects.get(user=registration.user)
        code = services.issue_new_login_code(admin_a, profile)
        user = User.objects.get(pk=registration.user.pk)
        assert user.login_name and user.login_name.startswith("petit-")
        assert code


def test_a_resident_registered_before_login_names_gets_one_with_their_password(
    town_a: Collectivite, admin_a: User
) -> None:
    with schema_context(town_a.schema_name):
        registration = services.register_at_desk(
            admin_a, display_name="Anne Petit", neighbourhood=None
        )
        User.objects.filter(pk=registration.user.pk).update(login_name=None)
        profile = ResidentProfile.objects.get(user=registration.user)
        user = services.set_password_with_code(
            profile.pk, code_hash=profile.login_code_hash, password=PASSWORD, accept_charter=True
        )
        user.refresh_from_db()
        assert user.login_name and user.login_name.startswith("petit-")


def test_two_residents_never_get_the_same_login_name(
    town_a: Collectivite, admin_a: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    drawn = iter(["dupont-2345", "dupont-2345", "dupont-6789"])
    monkeypatch.setattr(login_names, "generate", lambda display_name: next(drawn))
    with schema_context(town_a.schema_name):
        first = services.register_at_desk(admin_a, display_name="A Dupont", neighbourhood=None)
        second = services.register_at_desk(admin_a, display_name="B Dupont", neighbourhood=None)
        assert (first.user.login_name, second.user.login_name) == ("dupont-2345", "dupont-6789")
