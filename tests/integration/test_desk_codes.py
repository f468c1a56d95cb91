"""Desk codes are stored as a keyed hash: stable across Django upgrades, cheap to try, and the
codes printed before that change still open."""

from __future__ import annotations

import hashlib

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client
from django_tenants.utils import schema_context

from accounts.models import User
from tenants.models import Collectivite
from tests import hashers
from tests.hashers import CountingHasher, FewerIterations, MoreIterations
from townsite.models import ResidentProfile
from townsite.residents import access, codes, services

pytestmark = pytest.mark.django_db

FIRST_LOGIN = "/premiere-connexion/"
CHOOSE_PASSWORD = "/premiere-connexion/mot-de-passe/"
PASSWORD = "un-mot-de-passe-bien-a-moi"


def _register(town: Collectivite, agent: User) -> services.DeskRegistration:
    with schema_context(town.schema_name):
        return services.register_at_desk(agent, display_name="Jeanne", neighbourhood=None)


def _stored(town: Collectivite, registration: services.DeskRegistration) -> str:
    with schema_context(town.schema_name):
        return ResidentProfile.objects.get(user=registration.user).login_code_hash


def _store(town: Collectivite, registration: services.DeskRegistration, stored: str) -> None:
    with schema_context(town.schema_name):
        ResidentProfile.objects.filter(user=registration.user).update(login_code_hash=stored)


def _old_form(town: Collectivite, code: str) -> str:
    """How codes were stored until now: make_password with a salt fixed per town."""
    salt = "code" + hashlib.sha256(town.schema_name.encode()).hexdigest()[:18]
    return make_password(code, salt=salt)


def _type_code(town: Collectivite, code: str) -> Client:
    client = Client(HTTP_HOST=town.primary_host)
    response = client.post(FIRST_LOGIN, {"code": code})
    assert response.status_code == 302, response.content.decode()
    assert response["Location"] == CHOOSE_PASSWORD
    return client


def test_a_code_is_stored_as_a_hash_bound_to_its_town(town_a, town_b, admin_a) -> None:
    registration = _register(town_a, admin_a)
    stored = _stored(town_a, registration)
    assert registration.code not in stored
    assert len(stored) == 64 and "$" not in stored  # an HMAC-SHA256, not a password hash
    with schema_context(town_b.schema_name):
        assert codes.hash_code(registration.code) != stored


def test_a_code_still_opens_after_the_password_hasher_changes(settings, town_a, admin_a) -> None:
    hashers.use(settings, FewerIterations)
    registration = _register(town_a, admin_a)
    hashers.use(settings, MoreIterations)  # what a Django upgrade does
    _type_code(town_a, registration.code)


def test_a_code_printed_in_the_old_form_still_opens_after_an_upgrade(
    settings, town_a, admin_a
) -> None:
    hashers.use(settings, FewerIterations)
    registration = _register(town_a, admin_a)
    with schema_context(town_a.schema_name):
        _store(town_a, registration, _old_form(town_a, registration.code))
    hashers.use(settings, MoreIterations)

    client = _type_code(town_a, registration.code)
    response = client.post(
        CHOOSE_PASSWORD, {"password1": PASSWORD, "password2": PASSWORD, "charter": "on"}
    )
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        profile = ResidentProfile.objects.select_related("user").get(user=registration.user)
        assert profile.user.check_password(PASSWORD)
        assert profile.login_code_hash == ""  # used once


def test_trying_a_code_hashes_no_password(settings, town_a, admin_a) -> None:
    hashers.use(settings, CountingHasher)
    registration = _register(town_a, admin_a)
    CountingHasher.calls = 0
    wrong = Client(HTTP_HOST=town_a.primary_host).post(FIRST_LOGIN, {"code": "ABCD-EFGH"})
    assert wrong.status_code == 400
    _type_code(town_a, registration.code)
    assert CountingHasher.calls == 0


def test_while_old_codes_are_pending_a_wrong_code_costs_one_hash(settings, town_a, admin_a) -> None:
    hashers.use(settings, CountingHasher)
    for _ in range(3):
        registration = _register(town_a, admin_a)
        _store(town_a, registration, _old_form(town_a, registration.code))
    CountingHasher.calls = 0
    wrong = Client(HTTP_HOST=town_a.primary_host).post(FIRST_LOGIN, {"code": "ABCD-EFGH"})
    assert wrong.status_code == 400
    assert CountingHasher.calls == 1  # one per set of hasher settings, not one per code


def test_both_steps_of_a_first_login_check_the_code_by_one_rule(
    monkeypatch, town_a, admin_a
) -> None:
    """The rule "this code still holds" is a security rule: written once, used twice."""
    checked: list[int] = []
    rule = access.pending_code

    def watched(profile_id: int, code_hash: str):
        checked.append(profile_id)
        return rule(profile_id, code_hash)

    monkeypatch.setattr(access, "pending_code", watched)
    registration = _register(town_a, admin_a)
    client = _type_code(town_a, registration.code)
    assert client.get(CHOOSE_PASSWORD).status_code == 200  # the page
    client.post(CHOOSE_PASSWORD, {"password1": PASSWORD, "password2": PASSWORD, "charter": "on"})
    with schema_context(town_a.schema_name):
        profile = ResidentProfile.objects.get(user=registration.user)
    # The page, the posted page, and the service that saves the password under a lock.
    assert checked == [profile.pk, profile.pk, profile.pk]
