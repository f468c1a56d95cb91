"""Every site's edges: security headers on every answer, no origin trusted but its own."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from tenants.models import Collectivite

pytestmark = pytest.mark.django_db


def _text(response: Any) -> str:
    return str(response.content.decode())


def _assert_security_headers(response: Any) -> None:
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def _set_status(town: Collectivite, status: str) -> None:
    town.status = status
    town.save(update_fields=["status"])


def test_an_unknown_town_page_carries_the_security_headers() -> None:
    response = Client(HTTP_HOST=f"nulle-part.{settings.ROOT_DOMAIN}").get("/")
    assert response.status_code == 404
    _assert_security_headers(response)


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (Collectivite.Status.PROVISIONING, 503),
        (Collectivite.Status.SUSPENDED, 503),
        (Collectivite.Status.DEACTIVATED, 410),
    ],
)
def test_a_town_status_page_carries_the_security_headers(client_for, town_a, status, code) -> None:
    _set_status(town_a, status)
    response = client_for(town_a).get("/")
    assert response.status_code == code
    _assert_security_headers(response)


def test_error_and_ordinary_pages_carry_the_security_headers(client_for, town_a) -> None:
    _assert_security_headers(client_for(town_a).get("/"))
    _assert_security_headers(client_for(town_a).get("/pas-de-page-ici/"))
    _assert_security_headers(Client(HTTP_HOST="evil.example").get("/"))


# --- CSRF: only the site itself may post to it ---------------------------------------------


def _login_form(town: Collectivite) -> tuple[Client, str]:
    client = Client(HTTP_HOST=town.primary_host, enforce_csrf_checks=True)
    page = _text(client.get("/accounts/login/"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert token
    return client, token.group(1)


def _post_login(client: Client, token: str, origin: str) -> Any:
    return client.post(
        "/accounts/login/",
        {"csrfmiddlewaretoken": token, "login": "someone@example.org", "password": "wrong"},
        HTTP_ORIGIN=origin,
    )


def test_a_town_accepts_a_post_from_its_own_pages(town_a) -> None:
    client, token = _login_form(town_a)
    response = _post_login(client, token, f"http://{town_a.primary_host}")
    assert response.status_code == 200  # the form answers: wrong password
    assert "Ce formulaire a expiré" not in _text(response)


def test_a_town_refuses_a_post_from_another_towns_page(town_a, town_b) -> None:
    client, token = _login_form(town_a)
    response = _post_login(client, token, f"http://{town_b.primary_host}")
    assert response.status_code == 403
    assert "Ce formulaire a expiré" in _text(response)


def test_a_town_refuses_a_post_from_the_public_site(town_a) -> None:
    client, token = _login_form(town_a)
    response = _post_login(client, token, f"http://{settings.ROOT_DOMAIN}")
    assert response.status_code == 403
