"""A visitor opens the public site and the town's site, then a resident logs in."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from accounts.factories import TEST_PASSWORD
from tests.browser.conftest import LiveServer, assert_accessible
from tests.conftest import TOWNS

pytestmark = pytest.mark.browser


def test_public_site_then_town_site_then_resident_login(
    live_server_any_host: LiveServer, page: Any
) -> None:
    town = TOWNS["a"]
    town_host = f"{town['slug']}.{settings.ROOT_DOMAIN}"

    page.goto(live_server_any_host.url(settings.ROOT_DOMAIN))
    assert page.locator("h1").inner_text().startswith("Un lieu où les habitants")
    assert_accessible(page)

    page.goto(live_server_any_host.url(town_host))
    assert page.locator("h1").inner_text() == town["name"]
    assert_accessible(page)

    page.get_by_role("link", name="Se connecter").first.click()
    page.wait_for_url("**/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Adresse e-mail ou identifiant").fill(f"resident@{town['slug']}.example")
    page.get_by_label("Mot de passe", exact=False).first.fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()

    page.wait_for_url(live_server_any_host.url(town_host))
    assert page.locator("h1").inner_text() == town["name"]
    assert "Bonjour Résidente A" in page.locator("main").inner_text()
    assert_accessible(page)


def test_an_unknown_town_shows_the_friendly_page(
    live_server_any_host: LiveServer, page: Any
) -> None:
    response = page.goto(live_server_any_host.url(f"inconnue.{settings.ROOT_DOMAIN}"))
    assert response.status == 404
    assert "pas encore sur Placette" in page.locator("h1").inner_text()
    assert_accessible(page)
