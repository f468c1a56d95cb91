"""Every kind of token made on town A's site opens nothing on town B's, nor on the root domain.

Each schema numbers its rows from 1 and all share SECRET_KEY, so each replay below meets, on
the other site, a "twin": an object with the same id (and, where it goes into the token, the
same stored values), the case where a token bound to nothing would work. Each token is made
by the real flow, replayed, refused with nothing changed, and then still works on town A.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest
from allauth.account import app_settings as allauth_settings
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.tokens import token_hash
from onboarding.models import SignupRequest
from tenants.models import Collectivite
from tests.directory_sample import load_directory_sample
from tests.onboarding_support import TRIAL_FORM
from townsite.models import Invitation, ResidentProfile
from townsite.residents import services as residents

pytestmark = pytest.mark.django_db

TWIN_PK = 424242  # far above what any schema's sequences reach in a test run
TWIN_EMAIL = "jumelle@example.org"
NEW_PASSWORD = "un-nouveau-mot-de-passe-solide"


def _twin(schema_name: str, *, verified: bool, password_hash: str = "") -> User:
    """The same person, with the same ids, in one schema."""
    with schema_context(schema_name):
        user = User.objects.create(
            pk=TWIN_PK, email=TWIN_EMAIL, display_name="Jumelle", password=password_hash
        )
        EmailAddress.objects.create(
            pk=TWIN_PK, user=user, email=TWIN_EMAIL, primary=True, verified=verified
        )
        return user


def _twins(town_a: Collectivite, town_b: Collectivite, *, verified: bool) -> list[str]:
    """Twins on town A, town B and the root (public schema), same password hash everywhere."""
    a = _twin(town_a.schema_name, verified=verified)
    a.set_password(TEST_PASSWORD)
    with schema_context(town_a.schema_name):
        a.save(update_fields=["password"])
    for schema_name in (town_b.schema_name, "public"):
        _twin(schema_name, verified=verified, password_hash=a.password)
    return [town_b.schema_name, "public"]


def _link(pattern: str) -> str:
    assert mail.outbox, "no email was sent"
    found = re.search(pattern, str(mail.outbox[-1].body))
    assert found, mail.outbox[-1].body
    return urlsplit(found.group(0)).path


def _others(client_for: Any, town_b: Collectivite) -> list[Client]:
    return [client_for(town_b), client_for(None)]


# --- allauth ------------------------------------------------------------------------------


def test_an_email_confirmation_key_confirms_only_on_its_town(
    client_for, town_a, town_b, django_capture_on_commit_callbacks
) -> None:
    others = _twins(town_a, town_b, verified=False)
    with schema_context(town_a.schema_name):
        user = User.objects.get(pk=TWIN_PK)
    client = client_for(town_a, user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/email/", {"action_send": "", "email": TWIN_EMAIL})
    confirm = _link(r"https?://\S+/accounts/confirm-email/\S+/")

    for intruder in _others(client_for, town_b):
        assert intruder.post(confirm).status_code == 404
    for schema_name in others:
        with schema_context(schema_name):
            assert not EmailAddress.objects.get(pk=TWIN_PK).verified

    assert client_for(town_a).post(confirm).status_code == 302
    with schema_context(town_a.schema_name):
        assert EmailAddress.objects.get(pk=TWIN_PK).verified


def _reset(client: Client, link: str) -> Client:
    """Open a reset link and choose a new password, as allauth's pages ask."""
    response = client.get(link)
    if response.status_code == 302:  # a good key: allauth moves it into the session
        link = response["Location"]
    client.post(link, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    return client


def test_a_password_reset_link_works_only_on_its_town(
    client_for, town_a, town_b, django_capture_on_commit_callbacks
) -> None:
    others = _twins(town_a, town_b, verified=True)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(town_a).post("/accounts/password/reset/", {"email": TWIN_EMAIL})
    link = _link(r"https?://\S+/accounts/password/reset/key/\S+/")

    for intruder in _others(client_for, town_b):
        response = intruder.get(link)
        assert response.status_code == 200  # allauth's "bad link" page, no step further
        _reset(intruder, link)
    for schema_name in others:
        with schema_context(schema_name):
            twin = User.objects.get(pk=TWIN_PK)
            assert twin.check_password(TEST_PASSWORD)
            assert not twin.check_password(NEW_PASSWORD)

    assert client_for(town_a).get(link).status_code == 302
    _reset(client_for(town_a), link)
    with schema_context(town_a.schema_name):
        assert User.objects.get(pk=TWIN_PK).check_password(NEW_PASSWORD)


def test_no_other_allauth_token_is_in_use() -> None:
    """Codes by email (login, reset, verification) would be other tokens to replay here."""
    assert not allauth_settings.LOGIN_BY_CODE_ENABLED
    assert not allauth_settings.PASSWORD_RESET_BY_CODE_ENABLED
    assert not allauth_settings.EMAIL_VERIFICATION_BY_CODE_ENABLED
    assert allauth_settings.EMAIL_CONFIRMATION_HMAC  # keys are signed, none stored


# --- Ours ---------------------------------------------------------------------------------


def test_a_staff_invitation_opens_only_on_its_town(
    admin, town_a, town_b, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        admin.post("/administration/equipe/", {"email": TWIN_EMAIL, "role": "admin"})
    link = _link(r"https?://\S+/invitation/\S+/")
    with schema_context(town_a.schema_name):
        sent = Invitation.objects.get(email=TWIN_EMAIL)
    with schema_context(town_b.schema_name):
        # Same id, same stored hash: a twin table (a copied schema) still gives nothing.
        Invitation.objects.create(
            pk=sent.pk,
            email=TWIN_EMAIL,
            role="admin",
            token_hash=sent.token_hash,
            expires_at=sent.expires_at,
        )

    account = {"display_name": "Intruse", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    guest_b, root = Client(HTTP_HOST=town_b.primary_host), Client(HTTP_HOST=settings.ROOT_DOMAIN)
    for intruder in (guest_b, root):
        assert intruder.get(link).status_code == 404
        assert intruder.post(link, account).status_code == 404
    for schema_name in (town_b.schema_name, "public"):
        with schema_context(schema_name):
            assert not User.objects.filter(email=TWIN_EMAIL).exists()
    with schema_context(town_b.schema_name):
        assert Invitation.objects.get(pk=sent.pk).accepted_at is None

    guest_a = Client(HTTP_HOST=town_a.primary_host)
    assert guest_a.post(link, account).status_code == 302
    with schema_context(town_a.schema_name):
        assert User.objects.get(email=TWIN_EMAIL).role == User.Role.ADMIN


def test_a_desk_code_opens_only_on_its_town(client_for, town_a, town_b, admin_a, admin_b) -> None:
    with schema_context(town_a.schema_name):
        registration = residents.register_at_desk(
            admin_a, display_name="Jeanne", neighbourhood=None
        )
        stored = ResidentProfile.objects.get(user=registration.user)
    with schema_context(town_b.schema_name):
        twin = User.objects.create(pk=registration.user.pk, email="j@b.invalid", display_name="J")
        ResidentProfile.objects.create(
            pk=stored.pk,
            user=twin,
            assisted_by=admin_b,
            assisted_at=stored.assisted_at,
            login_code_hash=stored.login_code_hash,
            login_code_expires_at=stored.login_code_expires_at,
        )

    on_b = client_for(town_b).post("/premiere-connexion/", {"code": registration.code})
    assert on_b.status_code == 400
    on_root = client_for(None).post("/premiere-connexion/", {"code": registration.code})
    assert on_root.status_code == 404
    with schema_context(town_b.schema_name):
        assert ResidentProfile.objects.get(pk=stored.pk).login_code_hash == stored.login_code_hash

    on_a = client_for(town_a).post("/premiere-connexion/", {"code": registration.code})
    assert on_a["Location"] == "/premiere-connexion/mot-de-passe/"


def _ask_for_a_trial(django_capture_on_commit_callbacks: Any) -> str:
    load_directory_sample()
    with django_capture_on_commit_callbacks(execute=True):
        Client(HTTP_HOST=settings.ROOT_DOMAIN).post(
            "/essai/commune/78152/",
            TRIAL_FORM,
        )
    return _link(r"https?://\S+/essai/confirmer/\S+/")


def test_a_trial_confirmation_link_works_only_on_the_root_domain(
    client_for, town_a, town_b, django_capture_on_commit_callbacks
) -> None:
    link = _ask_for_a_trial(django_capture_on_commit_callbacks)
    for town in (town_a, town_b):
        assert client_for(town).post(link).status_code == 404
    assert not SignupRequest.objects.get(slug="chavenay").confirmed_at
    assert client_for(None).post(link).status_code == 302
    assert SignupRequest.objects.get(slug="chavenay").confirmed_at


def test_the_welcome_link_of_a_new_town_works_only_on_its_site(
    client_for, town_b, django_capture_on_commit_callbacks
) -> None:
    confirm = _ask_for_a_trial(django_capture_on_commit_callbacks)
    welcome = urlsplit(client_for(None).post(confirm)["Location"]).path
    chavenay = Collectivite.objects.get(slug="chavenay")
    with schema_context(chavenay.schema_name):
        signer = User.objects.get(email="maire@chavenay.fr")
    with schema_context(town_b.schema_name):
        if not User.objects.filter(pk=signer.pk).exists():
            User.objects.create(pk=signer.pk, email="twin@b.example", display_name="Twin")

    guest_b, root = client_for(town_b), client_for(None)
    assert guest_b.get(welcome).status_code == 404  # a bad signature: unknown on this site
    assert root.get(welcome).status_code == 404  # no welcome page on the root
    for intruder in (guest_b, root):
        assert "_auth_user_id" not in intruder.session

    new_site = Client(HTTP_HOST=chavenay.primary_host)
    assert new_site.get(welcome).status_code == 302
    assert int(new_site.session["_auth_user_id"]) == signer.pk


# --- The mechanism ------------------------------------------------------------------------


def test_a_token_hashes_differently_in_each_schema_and_for_each_purpose() -> None:
    token = "the-same-token"
    forms = {
        token_hash(token, purpose=purpose, schema=schema_name)
        for purpose in ("townsite.invitation", "residents.desk-code")
        for schema_name in ("town_a", "town_b", "public")
    }
    assert len(forms) == 6
    assert token_hash(token, purpose="p", schema="town_a") == token_hash(
        token, purpose="p", schema="town_a"
    )


def test_flash_messages_travel_in_the_towns_session_not_in_a_shared_signed_cookie(
    client_for, town_a, resident_a
) -> None:
    """Django signs its messages cookie with one salt for every town: none is ever set."""
    client = client_for(town_a, resident_a)
    response = client.post("/accounts/logout/", follow=True)
    assert response.status_code == 200
    assert list(response.context["messages"])  # "Vous êtes déconnecté", read from the session
    assert "messages" not in client.cookies
