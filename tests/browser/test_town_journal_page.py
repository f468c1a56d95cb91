"""A town admin opens the log of actions from the dashboard, on a phone, and filters it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_member
from tenants import audit
from tenants.models import Collectivite
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.conftest import TOWNS

pytestmark = pytest.mark.browser
ADMIN_EMAIL = "maire-journal@town-a.example"
PHONE = {"width": 360, "height": 740}


@pytest.fixture
def committed_admin_with_a_log(django_db_blocker: Any) -> Iterator[User]:
    """An admin of town A and two entries of its log, committed for the server's threads."""
    with django_db_blocker.unblock():
        town = Collectivite.objects.get(slug=TOWNS["a"]["slug"])
        with schema_context(town.schema_name), transaction.atomic():
            admin = create_member(
                email=ADMIN_EMAIL,
                display_name="Madame la maire",
                role=User.Role.ADMIN,
                password=TEST_PASSWORD,
            )
            audit.record(
                "invitation.sent",
                actor=admin,
                target_label="nadia@example.org",
                after={"role": "moderator"},
            )
            audit.record(
                "settings.charter",
                actor=admin,
                before={"charter": "Ancienne charte. " * 20},
                after={"charter": "Soyons aimables et précis. " * 20},
                reason="Votée en conseil municipal.",
            )
    yield admin
    with django_db_blocker.unblock(), schema_context(town.schema_name):
        User.objects.filter(email=ADMIN_EMAIL).delete()


def test_the_log_reads_on_a_phone_and_filters(
    live_server_any_host: LiveServer, page: Any, committed_admin_with_a_log: User
) -> None:
    host = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
    page.set_viewport_size(PHONE)
    log_in(page, live_server_any_host, host, ADMIN_EMAIL, TEST_PASSWORD)
    page.goto(live_server_any_host.url(host, "/administration/"))
    page.get_by_role("link", name="Journal des actions").click()
    page.wait_for_url("**/administration/journal/")

    entries = page.get_by_test_id("journal-entry")
    assert entries.count() == 2
    assert "Charte de modération modifiée" in entries.nth(0).inner_text()  # the newest first
    assert "Votée en conseil municipal." in entries.nth(0).inner_text()
    assert "Invitation envoyée — nadia@example.org" in entries.nth(1).inner_text()
    # Nothing wider than the phone's screen; the long charter is folded.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert not page.get_by_text("Soyons aimables et précis.", exact=False).first.is_visible()
    page.get_by_text("Charte de modération", exact=True).click()
    assert page.get_by_text("Soyons aimables et précis.", exact=False).first.is_visible()
    assert_accessible(page)

    page.get_by_label("Type d’action").select_option("team")
    page.get_by_role("button", name="Afficher").click()
    page.wait_for_url("**/administration/journal/?kind=team")
    assert entries.count() == 1
    assert "Invitation envoyée" in entries.nth(0).inner_text()
    assert_accessible(page)
