"""A resident sees their notifications, opens one, and chooses their emails: on a phone-sized
screen, with nothing for axe-core to fix or review."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_member
from notifications import emails
from notifications.models import Notification, Preference
from tenants.models import Collectivite
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.conftest import TOWNS

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("notification_kinds")]
HOST = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
EMAIL = "odile.notifications@example.org"


@pytest.fixture
def resident_with_news(django_db_blocker: Any) -> Iterator[tuple[str, User]]:
    with django_db_blocker.unblock():
        schema = Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name
        with schema_context(schema):
            resident = create_member(email=EMAIL, display_name="Odile", password=TEST_PASSWORD)
            for title, url in (
                ("Nouvelle annonce : courses le samedi", "/"),
                ("Karim vous a répondu", "/mon-compte/"),
                ("Votre annonce expire bientôt", "/"),
            ):
                Notification.objects.create(
                    recipient=resident, kind="tests.message", title=title, url=url
                )
    yield schema, resident
    with django_db_blocker.unblock(), schema_context(schema):
        User.objects.filter(email=EMAIL).delete()


def test_notifications_and_email_choices(
    live_server_any_host: LiveServer, browser: Any, resident_with_news: tuple[str, User]
) -> None:
    schema, resident = resident_with_news
    url = live_server_any_host.url
    context = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 740})
    try:
        page = context.new_page()
        log_in(page, live_server_any_host, HOST, EMAIL, TEST_PASSWORD)
        page.locator("summary.site-nav__toggle").click()  # a phone: the header's menu is folded
        header_link = page.get_by_role("link", name="Notifications (3 non lues)")
        header_link.click()
        page.wait_for_url(url(HOST, "/notifications/"))
        assert page.locator("h1").inner_text() == "Mes notifications"
        assert page.locator(".notification--unread").count() == 3
        assert_accessible(page)

        page.get_by_role("link", name="Karim vous a répondu").click()
        page.wait_for_url(url(HOST, "/mon-compte/"))
        # Folded, the menu's button still says how many are unread.
        assert "(2 non lues)" in page.locator("summary.site-nav__toggle").inner_text()

        page.get_by_role("link", name="Choisir les e-mails que je reçois").click()
        page.wait_for_url(url(HOST, "/mon-compte/notifications/"))
        assert "New reports to moderate" not in page.locator("main").inner_text()
        assert_accessible(page)
        page.get_by_role("group", name="New posts").get_by_label("Jamais").check()
        page.get_by_role("button", name="Enregistrer mes choix").click()
        page.wait_for_selector("text=Vos choix d’e-mails sont enregistrés.")
        assert page.get_by_role("group", name="New posts").get_by_label("Jamais").is_checked()
        assert_accessible(page)

        page.goto(url(HOST, "/notifications/"))
        page.get_by_role("button", name="Tout marquer comme lu").click()
        page.wait_for_selector("text=Toutes vos notifications sont marquées comme lues.")
        assert page.locator(".notification--unread").count() == 0
        assert page.locator("summary.site-nav__toggle").inner_text() == "Menu"
        page.locator("summary.site-nav__toggle").click()
        assert page.get_by_role("link", name="Notifications", exact=True).is_visible()
        assert_accessible(page)

        # An email's unsubscribe link, opened by someone not logged in.
        with schema_context(schema):
            link = emails.unsubscribe_url(emails.Town.current(), resident, ["tests.weekly_news"])
        anonymous = browser.new_context(locale="fr-FR", viewport={"width": 375, "height": 740})
        try:
            other = anonymous.new_page()
            other.goto(link)
            assert other.locator("h1").inner_text() == "Ne plus recevoir ces e-mails ?"
            assert_accessible(other)
            other.get_by_role("button", name="Oui, ne plus recevoir ces e-mails").click()
            other.wait_for_selector("text=C’est fait : vous ne recevrez plus ces e-mails")
            assert_accessible(other)
        finally:
            anonymous.close()
        with schema_context(schema):
            chosen = dict(Preference.objects.filter(user=resident).values_list("kind", "frequency"))
        assert chosen == {"tests.new_post": "never", "tests.weekly_news": "never"}
    finally:
        context.close()
