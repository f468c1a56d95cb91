"""The header's menu on a phone folds behind a "Menu" button; on a wide screen it is open;
keyboard users open it too, and axe-core finds nothing to fix either way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_member
from tenants.models import Collectivite
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.conftest import TOWNS

pytestmark = pytest.mark.browser
HOST = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
EMAIL = "menu.resident@example.org"


@pytest.fixture
def member(django_db_blocker: Any) -> Iterator[None]:
    with django_db_blocker.unblock():
        schema = Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name
        with schema_context(schema):
            create_member(email=EMAIL, display_name="Mireille", password=TEST_PASSWORD)
    yield
    with django_db_blocker.unblock(), schema_context(schema):
        User.objects.filter(email=EMAIL).delete()


def test_on_a_phone_the_menu_opens_from_its_button_also_by_keyboard(
    live_server_any_host: LiveServer, browser: Any, member: None
) -> None:
    context = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 740})
    try:
        page = context.new_page()
        log_in(page, live_server_any_host, HOST, EMAIL, TEST_PASSWORD)
        account = page.get_by_role("link", name="Mon compte")
        assert not account.is_visible()
        assert_accessible(page)
        toggle = page.locator("summary", has_text="Menu")
        toggle.focus()
        page.keyboard.press("Enter")
        assert account.is_visible()
        assert_accessible(page)
        page.get_by_role("button", name="Se déconnecter").click()
        page.wait_for_url(live_server_any_host.url(HOST))
        assert (
            page.get_by_role("navigation", name="Compte")
            .get_by_role("link", name="Se connecter")
            .is_visible()
        )
    finally:
        context.close()


def test_on_a_wide_screen_the_menu_is_open_and_a_guest_sees_log_in_and_join(
    live_server_any_host: LiveServer, browser: Any, member: None
) -> None:
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.goto(live_server_any_host.url(HOST, "/"))
        assert (
            page.get_by_role("navigation", name="Compte")
            .get_by_role("link", name="Se connecter")
            .is_visible()
        )
        assert page.locator("summary", has_text="Menu").count() == 0
        log_in(page, live_server_any_host, HOST, EMAIL, TEST_PASSWORD)
        assert page.get_by_role("link", name="Mon compte").is_visible()
        assert not page.locator("summary", has_text="Menu").is_visible()
    finally:
        context.close()
