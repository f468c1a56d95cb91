"""Who the API lets in (session with CSRF, a resident's key), its limits and its French errors."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.api.exceptions import handle_exception
from accounts.models import ApiToken, User
from mutual_aid.access import NotAllowed
from mutual_aid.factories import PostFactory
from tests.api_support import API, call, make_key
from townsite.moderation.access import ContributionRefused

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.1"
ALICE = "203.0.113.5"
BOB = "198.51.100.7"
GUESSED = "plc_une-cle-devinee"
TOO_MANY = "Trop de demandes. Attendez un peu avant de réessayer."


def test_a_guest_is_asked_for_credentials_in_french(client_for, town_a) -> None:
    response = call(client_for(town_a), "get", API + "posts/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json() == {"detail": "Informations d'authentification non fournies."}


def test_errors_are_in_english_for_who_asks(client_for, town_a) -> None:
    response = call(client_for(town_a), "get", API + "posts/", accept_language="en")
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_a_key_opens_the_api_and_says_when_it_was_used(client_for, town_a, resident_a) -> None:
    key = make_key(town_a, resident_a)
    with schema_context(town_a.schema_name):
        PostFactory(title="Réparer un vélo")
    response = call(client_for(town_a), "get", API + "posts/", key=key)
    assert response.status_code == 200
    assert [post["title"] for post in response.json()["results"]] == ["Réparer un vélo"]
    with schema_context(town_a.schema_name):
        assert ApiToken.objects.get(user=resident_a).last_used_at is not None


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (
            "Token plc_pas-une-vraie-cle",
            "Cette clé n’est pas valable sur ce site, ou elle a été révoquée.",
        ),
        ("Token", "Mettez la clé après le mot Token, séparée par une espace."),
        ("Token a b", "Mettez la clé après le mot Token, séparée par une espace."),
    ],
)
def test_a_bad_key_is_refused_with_the_reason(client_for, town_a, header, message) -> None:
    response = client_for(town_a).get(API + "posts/", HTTP_AUTHORIZATION=header)
    assert response.status_code == 401
    assert response.json() == {"detail": message}


def test_a_revoked_key_no_longer_works(client_for, town_a, resident_a) -> None:
    key = make_key(town_a, resident_a)
    with schema_context(town_a.schema_name):
        ApiToken.objects.filter(user=resident_a).update(revoked_at=timezone.now())
    assert call(client_for(town_a), "get", API + "posts/", key=key).status_code == 401


def test_the_key_of_a_closed_account_no_longer_works(client_for, town_a, resident_a) -> None:
    key = make_key(town_a, resident_a)
    with schema_context(town_a.schema_name):
        User.objects.filter(pk=resident_a.pk).update(is_active=False)
    assert call(client_for(town_a), "get", API + "posts/", key=key).status_code == 401


def test_only_the_hash_of_a_key_is_kept(town_a, resident_a) -> None:
    key = make_key(town_a, resident_a)
    with schema_context(town_a.schema_name):
        stored = ApiToken.objects.get(user=resident_a)
    assert key.startswith("plc_") and len(key) > 40
    assert key not in stored.token_hash and len(stored.token_hash) == 64


def test_a_session_write_needs_the_csrf_token(town_a, resident_a) -> None:
    client = Client(HTTP_HOST=town_a.primary_host, enforce_csrf_checks=True)
    with schema_context(town_a.schema_name):
        client.force_login(resident_a)
    response = call(client, "post", API + "posts/", {"title": "x"})
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Le contrôle de sécurité de la page a échoué (CSRF). "
        "Rechargez la page, puis réessayez."
    }


def test_a_key_needs_no_csrf_token(town_a, resident_a) -> None:
    client = Client(HTTP_HOST=town_a.primary_host, enforce_csrf_checks=True)
    key = make_key(town_a, resident_a)
    # Past authentication (no CSRF refusal): the answer is the endpoint's own.
    response = call(client, "delete", API + "posts/", key=key)
    assert response.status_code == 405
    assert response.json() == {"detail": "Méthode «\xa0DELETE\xa0» non autorisée."}


# --- Limits ------------------------------------------------------------------------------


@pytest.fixture
def low_limits(settings: Any) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"resident": "3/min", "anonymous": "2/min"},
    }


def test_a_resident_over_the_limit_gets_429_in_french(
    low_limits, client_for, town_a, resident_a, moderator_a
) -> None:
    client = client_for(town_a, resident_a)
    for _ in range(3):
        assert call(client, "get", API + "categories/").status_code == 200
    refused = call(client, "get", API + "categories/")
    assert refused.status_code == 429
    detail = refused.json()["detail"]
    assert detail.startswith(TOO_MANY + " Réessayez dans ")
    assert detail.endswith(" secondes.")
    assert 0 < int(refused["Retry-After"]) <= 60
    # Counted per resident: another one, same address, same town, goes on.
    assert call(client_for(town_a, moderator_a), "get", API + "categories/").status_code == 200


def test_a_residents_key_and_session_share_one_limit(
    low_limits, client_for, town_a, resident_a
) -> None:
    key = make_key(town_a, resident_a)
    for _ in range(3):
        assert call(client_for(town_a, resident_a), "get", API + "categories/").status_code == 200
    assert call(client_for(town_a), "get", API + "categories/", key=key).status_code == 429


def test_guests_are_counted_per_client_address_behind_the_proxy(
    low_limits, settings, client_for, town_a
) -> None:
    settings.TRUSTED_PROXY_COUNT = 1

    def guest(address: str, forged: str = "") -> int:
        chain = f"{forged}, {address}" if forged else address
        client = Client(HTTP_HOST=town_a.primary_host, REMOTE_ADDR=PROXY)
        return call(client, "get", API + "posts/", key=GUESSED, x_forwarded_for=chain).status_code

    assert [guest(ALICE), guest(ALICE)] == [401, 401]
    # A forged left part of the header does not make Alice someone new.
    assert guest(ALICE, forged=BOB) == 429
    assert guest(BOB) == 401


def test_limits_are_counted_per_town(low_limits, client_for, town_a, town_b) -> None:
    for _ in range(2):
        call(client_for(town_a), "get", API + "posts/", key=GUESSED)
    assert call(client_for(town_a), "get", API + "posts/", key=GUESSED).status_code == 429
    assert call(client_for(town_b), "get", API + "posts/", key=GUESSED).status_code == 401


def test_the_open_endpoints_are_limited_per_address(low_limits, client_for, town_a) -> None:
    guest = client_for(town_a)
    assert [guest.get("/api/schema/").status_code for _ in range(3)] == [200, 200, 429]


# --- Errors of the services --------------------------------------------------------------


def test_a_refusal_of_the_rules_is_a_403_with_its_reason() -> None:
    for refusal in (NotAllowed("Ce n’est pas possible."), ContributionRefused("Suspendu.")):
        response = handle_exception(refusal, {})
        assert response is not None
        assert response.status_code == 403
        assert response.data == {"detail": refusal.message}


def test_a_validation_error_of_a_service_is_a_400_per_field() -> None:
    response = handle_exception(ValidationError({"title": ["Trop long."]}), {})
    assert response is not None
    assert response.status_code == 400
    assert response.data == {"title": ["Trop long."]}
    response = handle_exception(ValidationError("Pas maintenant."), {})
    assert response is not None
    assert response.data == {"non_field_errors": ["Pas maintenant."]}
