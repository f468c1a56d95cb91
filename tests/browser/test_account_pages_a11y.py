"""The account pages in our words and the question before taking someone out of the team:
axe-core finds nothing to fix or to review on them, on a phone-sized screen."""

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
ADMIN_EMAIL = "admin-pages@town-a.example"
MODERATOR_EMAIL = "moderation-pages@town-a.example"


@pytest.fixture
def team_of_two(django_db_blocker: Any) -> Iterator[tuple[User, User]]:
    with django_db_blocker.unblock():
        schema = Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name
        with schema_context(schema):
            admin = create_member(
                email=ADMIN_EMAIL,
                display_name="Claire Admin",
                role=User.Role.ADMIN,
                password=TEST_PASSWORD,
            )
            moderator = create_member(
                email=MODERATOR_EMAIL,
                display_name="Karim Modère",
                role=User.Role.MODERATOR,
                password=TEST_PASSWORD,
            )
    yield admin, moderator
    with django_db_blocker.unblock(), schema_context(schema):
        User.objects.filter(email__in=[ADMIN_EMAIL, MODERATOR_EMAIL]).delete()


def test_the_account_pages_need_nothing_fixed_nor_reviewed(
    live_server_any_host: LiveServer, browser: Any, team_of_two: tuple[User, User]
) -> None:
    context = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 740})
    try:
        page = context.new_page()
        url = live_server_any_host.url
        for path in ("/accounts/password/reset/", "/accounts/password/reset/done/"):
            page.goto(url(HOST, path))
            assert_accessible(page)
        page.goto(url(HOST, "/accounts/password/reset/"))
        page.get_by_role("button", name="Envoyez-moi le lien").click()  # empty: an error
        page.wait_for_selector(".errorlist")
        assert_accessible(page)

        log_in(page, live_server_any_host, HOST, ADMIN_EMAIL, TEST_PASSWORD)
        for path in ("/accounts/password/change/", "/accounts/email/", "/accounts/logout/"):
            page.goto(url(HOST, path))
            assert_accessible(page)

        page.goto(url(HOST, "/administration/equipe/"))
        page.get_by_role("button", name="Retirer les droits d’équipe de Karim Modère").click()
        page.wait_for_url("**/role/")
        assert page.locator("h1").inner_text() == "Retirer Karim Modère de l’équipe ?"
        assert_accessible(page)
        page.get_by_role("link", name="Non, garder cette personne dans l’équipe").click()
        page.wait_for_url("**/administration/equipe/")
        assert "Karim Modère" in page.locator("main").inner_text()
    finally:
        context.close()
