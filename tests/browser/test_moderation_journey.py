"""A resident reports a neighbour; a moderator finds it in the queue, warns the neighbour, and
the reporter is told: axe-core finds nothing to fix or to review on any page of the way."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_member
from notifications.models import Notification
from tenants.models import Collectivite
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.conftest import TOWNS
from townsite.moderation.models import ModerationAction, Report

pytestmark = pytest.mark.browser
HOST = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
PEOPLE = {
    "reporter": ("signale-rapporteuse@town-a.example", "Rose Vigilante", User.Role.RESIDENT),
    "reported": ("signale-cible@town-a.example", "Hector Grossier", User.Role.RESIDENT),
    "moderator": ("signale-moderateur@town-a.example", "Modérateur Mairie", User.Role.MODERATOR),
}


@pytest.fixture
def people(django_db_blocker: Any) -> Iterator[dict[str, User]]:
    """Committed people of town A (the server's threads see them), removed afterwards with what
    the journey made."""
    with django_db_blocker.unblock():
        schema = Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name
        with schema_context(schema):
            made = {
                key: create_member(
                    email=email, display_name=name, role=role, password=TEST_PASSWORD
                )
                for key, (email, name, role) in PEOPLE.items()
            }
    yield made
    with django_db_blocker.unblock(), schema_context(schema):
        ModerationAction.objects.all().delete()
        Report.objects.all().delete()
        User.objects.filter(email__in=[email for email, _n, _r in PEOPLE.values()]).delete()


def test_a_moderator_warns_a_reported_person(
    live_server_any_host: LiveServer,
    browser: Any,
    page: Any,
    people: dict[str, User],
    django_db_blocker: Any,
) -> None:
    url = live_server_any_host.url
    reported = people["reported"]
    log_in(page, live_server_any_host, HOST, PEOPLE["reporter"][0], TEST_PASSWORD)
    page.goto(url(HOST, f"/signaler/personne/{reported.pk}/"))
    assert_accessible(page)
    page.get_by_role("button", name="Envoyer le signalement").click()
    assert page.get_by_text("Choisissez une raison dans la liste.").is_visible()
    assert_accessible(page)
    page.get_by_label("Harcèlement, insultes ou menaces").check()
    page.get_by_label(re.compile("^Précisions")).fill("Il m’insulte dans la rue.")
    page.get_by_role("button", name="Envoyer le signalement").click()
    page.get_by_role("heading", name="Merci, votre signalement est envoyé").wait_for()
    assert_accessible(page)

    context = browser.new_context(locale="fr-FR")
    try:
        staff = context.new_page()
        log_in(staff, live_server_any_host, HOST, PEOPLE["moderator"][0], TEST_PASSWORD)
        staff.get_by_role("link", name="Modération").click()
        staff.wait_for_url(url(HOST, "/administration/moderation/"))
        item = staff.get_by_test_id("queue-item")
        assert "Hector Grossier" in item.inner_text()
        assert "Harcèlement, insultes ou menaces" in item.inner_text()
        assert_accessible(staff)
        item.get_by_role("link", name=re.compile("Examiner")).click()
        staff.wait_for_url(url(HOST, f"/administration/moderation/personne/{reported.pk}/"))
        assert "Il m’insulte dans la rue." in staff.get_by_test_id("report").inner_text()
        assert_accessible(staff)
        staff.get_by_label("Envoyer un avertissement à la personne").check()
        staff.get_by_label("Motif").fill("Merci de rester courtois avec vos voisins.")
        staff.get_by_role("button", name="Confirmer la décision").click()
        staff.wait_for_url(url(HOST, "/administration/moderation/"))
        assert staff.get_by_text("L’avertissement est envoyé.").is_visible()
        assert staff.get_by_text("Rien à examiner.").is_visible()
        staff.get_by_role("link", name="Journal de modération").click()
        entry = staff.get_by_test_id("log-entry")
        assert "Avertissement envoyé" in entry.inner_text()
        assert "Merci de rester courtois" in entry.inner_text()
        assert_accessible(staff)
        staff.goto(url(HOST, "/administration/habitants/"))
        assert_accessible(staff)
    finally:
        context.close()

    with django_db_blocker.unblock():
        schema = Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name
        with schema_context(schema):
            outcome = Notification.objects.get(recipient=people["reporter"])
            warning = Notification.objects.get(recipient=reported)
            assert Report.objects.get().status == "actioned"
    assert (outcome.kind, outcome.title) == (
        "moderation.outcome",
        "Votre signalement a été examiné",
    )
    assert (warning.kind, warning.body) == (
        "moderation.warning",
        "Merci de rester courtois avec vos voisins.",
    )
