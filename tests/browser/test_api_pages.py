"""The API's documentation page and the resident's keys page, in a real browser: axe-core finds
nothing to fix or review; a key is made, copied, used by a program, then revoked."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import ApiToken
from tenants.models import Collectivite
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.conftest import TOWNS, committed_resident_email

pytestmark = pytest.mark.browser
HOST = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"


@pytest.fixture
def no_keys_left(django_db_blocker: Any) -> Iterator[None]:
    """The keys a journey commits go with it."""
    yield
    with django_db_blocker.unblock():
        schema = Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name
        with schema_context(schema):
            ApiToken.objects.all().delete()


@pytest.mark.parametrize("width", [375, 1280])
def test_the_documentation_page_needs_nothing_fixed(
    live_server_any_host: LiveServer, browser: Any, width: int
) -> None:
    context = browser.new_context(locale="fr-FR", viewport={"width": width, "height": 800})
    try:
        page = context.new_page()
        page.goto(live_server_any_host.url(HOST, "/api/"))
        assert page.get_by_role("heading", level=1).inner_text() == "Documentation de l’API"
        assert page.get_by_role("heading", name="GET /api/v1/posts/ — Annonces").is_visible()
        assert_accessible(page)
    finally:
        context.close()


def test_a_resident_makes_copies_uses_and_revokes_a_key(
    live_server_any_host: LiveServer, browser: Any, no_keys_left: None
) -> None:
    context = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 800})
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    server = live_server_any_host
    try:
        page = context.new_page()
        log_in(page, server, HOST, committed_resident_email_of_a(), TEST_PASSWORD)
        page.goto(server.url(HOST, "/mon-compte/"))
        page.get_by_role("link", name="Gérer mes clés d’accès à l’API").click()
        assert_accessible(page)
        page.get_by_role("button", name="Créer la clé").click()  # no name: an error
        assert page.get_by_text("Ce champ est obligatoire.").is_visible()
        assert_accessible(page)
        page.get_by_label("Nom de la clé").fill("Mon tableur")
        page.get_by_role("button", name="Créer la clé").click()
        key = page.get_by_label("La clé", exact=True).input_value()
        assert key.startswith("plc_")
        page.get_by_role("button", name="Copier la clé").click()
        page.get_by_text("Copiée.").wait_for()
        assert page.evaluate("navigator.clipboard.readText()") == key
        assert_accessible(page)

        status, categories = program_call(server, key)
        assert status == 200
        assert "courses" in [category["slug"] for category in categories]

        page.get_by_role("button", name="Révoquer « Mon tableur »").click()
        page.get_by_text("La clé « Mon tableur » est révoquée : elle ne marche plus.").wait_for()
        assert_accessible(page)
        assert program_call(server, key)[0] == 401
    finally:
        context.close()


def program_call(server: LiveServer, key: str) -> tuple[int, Any]:
    """A program on the resident's computer: no browser, no cookie, only the key."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        connection.request(
            "GET", "/api/v1/categories/", headers={"Host": HOST, "Authorization": f"Token {key}"}
        )
        response = connection.getresponse()
        return response.status, json.loads(response.read())
    finally:
        connection.close()


def committed_resident_email_of_a() -> str:
    return committed_resident_email(Collectivite(slug=TOWNS["a"]["slug"]))
