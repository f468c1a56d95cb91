"""A resident registered at the town hall desk comes back another day and logs in with the login
name printed on the sheet: axe-core finds nothing to fix or to review on any page of the way."""

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
from tenants.models import Collectivite
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.conftest import TOWNS

pytestmark = pytest.mark.browser
HOST = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
OTHER_HOST = f"{TOWNS['b']['slug']}.{settings.ROOT_DOMAIN}"
AGENT_EMAIL = "accueil-identifiant@town-a.example"
RESIDENT_NAME = "Josette Lemoine"
PASSWORD = "un-jardin-sous-la-pluie"


@pytest.fixture
def desk_agent(django_db_blocker: Any) -> Iterator[User]:
    """A committed moderator of town A (the server's threads see it); they and the resident
    they register are removed afterwards."""
    with django_db_blocker.unblock():
        schema = Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name
        with schema_context(schema):
            agent = create_member(
                email=AGENT_EMAIL,
                display_name="Accueil de la mairie",
                role=User.Role.MODERATOR,
                password=TEST_PASSWORD,
            )
    yield agent
    with django_db_blocker.unblock(), schema_context(schema):
        User.objects.filter(display_name=RESIDENT_NAME).delete()
        User.objects.filter(email=AGENT_EMAIL).delete()


def test_a_desk_resident_logs_in_again_with_the_printed_login_name(
    live_server_any_host: LiveServer, browser: Any, page: Any, desk_agent: User
) -> None:
    url = live_server_any_host.url
    page.goto(url(HOST, "/accounts/login/"))
    assert_accessible(page)
    log_in(page, live_server_any_host, HOST, AGENT_EMAIL, TEST_PASSWORD)
    page.goto(url(HOST, "/administration/habitants/nouveau/"))
    assert_accessible(page)
    page.get_by_label("Nom affiché aux autres").fill(RESIDENT_NAME)
    page.get_by_role("button", name="Créer le compte").click()
    page.wait_for_url(re.compile(r".*/administration/habitants/\d+/fiche/$"))
    code = page.get_by_test_id("login-code").inner_text()
    login_name = page.get_by_test_id("login-name").inner_text()
    assert re.fullmatch(r"lemoine-[2-9]{4}", login_name)
    sheet = page.locator("main").inner_text()
    assert "Votre identifiant" in sheet
    assert "dans « Adresse e-mail ou identifiant » : votre identifiant" in sheet
    assert_accessible(page)

    context = browser.new_context(locale="fr-FR")
    try:
        resident = context.new_page()
        resident.goto(url(HOST, "/premiere-connexion/"))
        resident.get_by_label("Votre code").fill(code)
        resident.get_by_role("button", name="Continuer").click()
        resident.wait_for_url("**/premiere-connexion/mot-de-passe/")
        assert resident.get_by_test_id("login-name").inner_text() == login_name
        assert_accessible(resident)
        resident.get_by_label("Choisissez votre mot de passe").fill(PASSWORD)
        resident.get_by_label("Tapez encore une fois le même mot de passe").fill(PASSWORD)
        resident.get_by_label("J’ai lu la charte et je l’accepte").check()
        resident.get_by_role("button", name="Enregistrer mon mot de passe").click()
        resident.wait_for_url(url(HOST))
        assert login_name in resident.locator("main").inner_text()
        assert_accessible(resident)

        # Another day: log out, then back in with the sheet's login name.
        resident.get_by_role("button", name="Se déconnecter").click()
        resident.wait_for_url(url(HOST))
        assert "Vous avez quitté votre compte. À bientôt !" in resident.locator("main").inner_text()
        assert_accessible(resident)
        resident.get_by_role("link", name="Se connecter").first.click()
        resident.wait_for_url("**/accounts/login/")
        resident.get_by_label("Adresse e-mail ou identifiant").fill(
            login_name.upper().replace("-", " ")
        )
        resident.get_by_label("Mot de passe", exact=True).fill("pas-le-bon")
        resident.get_by_role("button", name="Se connecter").click()
        resident.wait_for_selector("[role=alert]")
        assert "ne vont pas ensemble" in resident.locator("[role=alert]").inner_text()
        assert_accessible(resident)
        resident.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
        resident.get_by_role("button", name="Se connecter").click()
        resident.wait_for_url(url(HOST))
        assert RESIDENT_NAME in resident.locator("header").inner_text()
        assert "Vous êtes bien dans votre compte." in resident.locator("main").inner_text()
        assert_accessible(resident)

        resident.goto(url(HOST, "/mon-compte/"))
        assert login_name in resident.locator("main").inner_text()
        assert_accessible(resident)
    finally:
        context.close()

    # On town B's site, the same login name and password open nothing.
    stranger = browser.new_context(locale="fr-FR")
    try:
        other = stranger.new_page()
        other.goto(url(OTHER_HOST, "/accounts/login/"))
        other.get_by_label("Adresse e-mail ou identifiant").fill(login_name)
        other.get_by_label("Mot de passe", exact=True).fill(PASSWORD)
        other.get_by_role("button", name="Se connecter").click()
        other.wait_for_selector("[role=alert]")
        assert other.url == url(OTHER_HOST, "/accounts/login/")
        assert RESIDENT_NAME not in other.locator("header").inner_text()
        assert_accessible(other)
    finally:
        stranger.close()
