"""An idea's life in a browser: a resident submits it (similar ideas show while typing the
title), a neighbour supports and comments on it, the town answers with a status change that
tells the author, and a duplicate is merged into it. axe-core finds nothing on the way."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_member
from notifications.models import Notification
from participation.ideas.factories import IdeaFactory
from participation.ideas.models import Idea
from tenants.models import Collectivite
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.conftest import TOWNS

pytestmark = pytest.mark.browser
HOST = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
EXISTING = "Des bancs sur la place de l'Église"
TITLE = "Des bancs ombragés près de l'église"
PEOPLE = {
    "author": ("idee-auteur@town-a.example", "Rose Idéale", User.Role.RESIDENT),
    "neighbour": ("idee-voisin@town-a.example", "Jules Voisin", User.Role.RESIDENT),
    "staff": ("idee-mairie@town-a.example", "Mairie Réponse", User.Role.MODERATOR),
}


@pytest.fixture
def people(django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock():
        schema = Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name
        with schema_context(schema):
            made: dict[str, Any] = {
                key: create_member(
                    email=email, display_name=name, role=role, password=TEST_PASSWORD
                )
                for key, (email, name, role) in PEOPLE.items()
            }
            made["existing"] = IdeaFactory.create(author=made["neighbour"], title=EXISTING)
    yield made
    with django_db_blocker.unblock(), schema_context(schema):
        emails = [email for email, _n, _r in PEOPLE.values()]
        Idea.objects.filter(author__email__in=emails).delete()
        Notification.objects.filter(recipient__email__in=emails).delete()
        User.objects.filter(email__in=emails).delete()


def test_an_idea_is_submitted_supported_commented_answered_and_a_duplicate_merged(
    live_server_any_host: LiveServer, browser: Any, page: Any, people: dict[str, Any]
) -> None:
    url = live_server_any_host.url
    log_in(page, live_server_any_host, HOST, PEOPLE["author"][0], TEST_PASSWORD)
    page.goto(url(HOST, "/idees/proposer/"))
    page.get_by_label("Titre").fill(TITLE)
    # htmx asks for the similar ideas while the title is typed.
    page.get_by_role("link", name=EXISTING).wait_for()
    assert_accessible(page)
    page.get_by_label("Description").fill("Pour s'asseoir à l'ombre en été.")
    page.get_by_label("Catégorie").select_option(label="Environnement et nature")
    page.get_by_role("button", name="Publier mon idée").click()
    page.get_by_role("heading", name=TITLE).wait_for()
    assert_accessible(page)
    idea_path = page.url.split(HOST.split(":")[0])[-1]
    idea_path = idea_path[idea_path.index("/idees/") :]

    neighbour = browser.new_context(locale="fr-FR").new_page()
    log_in(neighbour, live_server_any_host, HOST, PEOPLE["neighbour"][0], TEST_PASSWORD)
    neighbour.goto(url(HOST, idea_path))
    neighbour.get_by_role("button", name="Je soutiens cette idée").click()
    neighbour.get_by_text("Merci : vous soutenez cette idée.").wait_for()
    neighbour.get_by_label("Votre commentaire").fill("Oui, surtout près de l'aire de jeux.")
    neighbour.get_by_role("button", name="Envoyer mon commentaire").click()
    neighbour.get_by_text("Oui, surtout près de l'aire de jeux.").wait_for()
    assert_accessible(neighbour)

    staff = browser.new_context(locale="fr-FR").new_page()
    log_in(staff, live_server_any_host, HOST, PEOPLE["staff"][0], TEST_PASSWORD)
    staff.goto(url(HOST, idea_path))
    staff.get_by_label("Acceptée").check()
    staff.get_by_label("Réponse officielle (publique)").fill("Nous installerons deux bancs.")
    staff.get_by_role("button", name="Publier la réponse").click()
    staff.get_by_text("Votre réponse est publiée et envoyée.").wait_for()
    assert_accessible(staff)
    # The neighbour's older idea is the same: merged into the new one.
    staff.goto(url(HOST, f"/idees/{people['existing'].pk}/"))
    staff.get_by_label("Numéro de l’idée à garder").fill(idea_path.strip("/").split("/")[-1])
    staff.get_by_role("button", name="Fusionner cette idée").click()
    staff.get_by_text("Les idées sont fusionnées ; leurs deux auteurs sont prévenus.").wait_for()

    page.goto(url(HOST, "/notifications/"))
    page.get_by_text("La collectivité répond à l’idée").first.wait_for()
    page.goto(url(HOST, idea_path))
    answer = page.get_by_role("region", name="La réponse de la collectivité")
    assert "Nous installerons deux bancs." in answer.inner_text()
    assert "1 soutien" in page.content()
    assert_accessible(page)
