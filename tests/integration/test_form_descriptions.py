"""Every form page links its help texts and errors to their fields with ids that exist.

A screen reader announces a field's help and error through `aria-describedby`; an id that no
element carries is announced as nothing. Each page is rendered as shown first and again after a
wrong submission (errors shown), and every `aria-describedby` and `<label for>` must name an
element of the page, whose ids are all different.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from html.parser import HTMLParser
from typing import cast

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import User
from tenants.models import Collectivite
from tests.directory_sample import load_directory_sample
from townsite.models import Neighbourhood
from townsite.residents import services as residents
from townsite.residents.views import PENDING_LOGIN_KEY

pytestmark = pytest.mark.django_db

SETUP = "/administration/configuration/"


class _References(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.described_by: list[str] = []
        self.label_for: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.append(str(found["id"]))
        self.described_by += str(found.get("aria-describedby") or "").split()
        if tag == "label" and found.get("for"):
            self.label_for.append(str(found["for"]))


def assert_references_hold(html: str, page: str) -> int:
    """The page's descriptions and labels point at ids it has; returns how many it checked."""
    parsed = _References()
    parsed.feed(html)
    duplicates = [name for name, count in Counter(parsed.ids).items() if count > 1]
    assert not duplicates, f"{page}: ids used twice: {duplicates}"
    missing = sorted(set(parsed.described_by + parsed.label_for) - set(parsed.ids))
    assert not missing, f"{page}: aria-describedby or label for= names missing ids: {missing}"
    return len(parsed.described_by)


def _check(
    client: Client,
    path: str,
    bad_data: dict[str, str] | None = None,
    *,
    action: str | None = None,
) -> int:
    """The page as first shown, then (with `bad_data`, posted to `action` or to the page) as
    shown after a wrong submission."""
    response = client.get(path)
    assert response.status_code == 200, path
    described = assert_references_hold(response.content.decode(), f"GET {path}")
    if bad_data is not None:
        action = action or path
        response = client.post(action, bad_data)
        assert response.status_code in (200, 400), f"POST {action}: {response.status_code}"
        html = response.content.decode()
        assert 'aria-invalid="true"' in html, f"POST {action} showed no error"
        described += assert_references_hold(html, f"POST {action}")
    return described


@pytest.fixture
def with_neighbourhoods(town_a: Collectivite) -> None:
    with schema_context(town_a.schema_name):
        Neighbourhood.objects.create(name="Le Centre", position=0)


def test_the_trial_form_describes_its_fields() -> None:
    load_directory_sample()
    client = Client(HTTP_HOST=settings.ROOT_DOMAIN)
    described = _check(client, "/essai/commune/78152/", {"email": "pas-une-adresse"})
    assert described >= 4  # email, phone, slug: help; and errors after the wrong submission


def test_the_billing_form_describes_its_fields(admin: Client) -> None:
    described = _check(
        admin,
        "/administration/abonnement/",
        {"period": "yearly", "method": "invoice", "siret": "123", "token": "t"},
        action="/administration/abonnement/souscrire/",
    )
    assert described >= 2


def test_the_resident_forms_describe_their_fields(
    client_for: Callable[..., Client], town_a: Collectivite, with_neighbourhoods: None
) -> None:
    guest = client_for(town_a)
    _check(guest, "/accounts/signup/", {"email": "pas-une-adresse"})
    _check(guest, "/accounts/login/", {"login": "", "password": ""})
    _check(guest, "/accounts/password/reset/", {"email": "pas-une-adresse"})
    _check(guest, "/premiere-connexion/", {"code": "ZZZZ"})


def test_the_desk_and_first_login_forms_describe_their_fields(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    admin_a: User,
    with_neighbourhoods: None,
) -> None:
    _check(client_for(town_a, admin_a), "/administration/habitants/nouveau/", {"phone": "abc"})
    with schema_context(town_a.schema_name):
        registration = residents.register_at_desk(
            admin_a, display_name="Jeanne Martin", neighbourhood=None
        )
        code_hash = registration.user.resident_profile.login_code_hash
        profile_pk = registration.user.resident_profile.pk
    resident = client_for(town_a)
    with schema_context(town_a.schema_name):  # sessions are stored in the town's schema
        session = resident.session
        session[PENDING_LOGIN_KEY] = {"profile": profile_pk, "hash": code_hash}
        session.save()
    _check(resident, "/premiere-connexion/mot-de-passe/", {"password1": "1"})


def test_the_password_pages_describe_their_fields(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    client = client_for(town_a, resident_a)
    _check(client, "/accounts/password/change/", {"oldpassword": "faux"})
    _check(client, "/accounts/email/", {"action_add": "", "email": "pas-une-adresse"})
    _check(client, "/mon-compte/supprimer/", {"password": "faux"})
    with schema_context(town_a.schema_name):
        without_password = cast(User, UserFactory())
        without_password.set_unusable_password()
        without_password.save()
        key = default_token_generator.make_token(resident_a)
        uid = user_pk_to_url_str(resident_a)
    _check(client_for(town_a, without_password), "/accounts/password/set/", {"password1": "1"})
    guest = client_for(town_a)
    # allauth moves the key into the session, then shows the form at a key-less address.
    response = guest.get(f"/accounts/password/reset/key/{uid}-{key}/")
    assert response.status_code == 302
    _check(guest, response["Location"], {"password1": "1", "password2": "2"})


def test_the_set_up_and_team_forms_describe_their_fields(admin: Client) -> None:
    _check(admin, SETUP + "apparence/", {"primary_colour": "#ffffff"})
    _check(admin, SETUP + "accueil/")
    _check(admin, SETUP + "quartiers/", {"name": ""})
    _check(admin, SETUP + "modules/")
    _check(admin, SETUP + "contact/", {"email": "pas-une-adresse"})
    _check(admin, SETUP + "charte/", {"charter": ""})
    _check(admin, "/administration/equipe/", {"email": "pas-une-adresse", "role": "moderator"})
