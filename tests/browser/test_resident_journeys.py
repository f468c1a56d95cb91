"""Residents join town A's site: on their own with email verification, or at the town hall desk
with a printed code."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_member
from tenants.models import Collectivite
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.conftest import TOWNS
from townsite.models import Neighbourhood

pytestmark = pytest.mark.browser
HOST = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
RESIDENT_EMAIL = "martine.journey@example.org"
AGENT_EMAIL = "accueil@town-a.example"
DESK_NAME = "Jeanne Parcours"
PASSWORD_AGAIN = re.compile(r"^Mot de passe \(")  # "(confirmation)", "(encore une fois)"
NEIGHBOURHOODS = ("Le Centre (parcours)", "La Gare (parcours)")


def _town_a_schema() -> str:
    return Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name


@pytest.fixture
def town_a_with_neighbourhoods(django_db_blocker: Any) -> Iterator[None]:
    """Committed neighbourhoods (the server's threads must see them); the resident this journey
    creates and the neighbourhoods are removed afterwards."""
    with django_db_blocker.unblock():
        schema = _town_a_schema()
        with schema_context(schema):
            for position, name in enumerate(NEIGHBOURHOODS):
                Neighbourhood.objects.create(name=name, position=position)
    yield
    with django_db_blocker.unblock(), schema_context(schema):
        User.objects.filter(email=RESIDENT_EMAIL).delete()
        Neighbourhood.objects.filter(name__in=NEIGHBOURHOODS).delete()


@pytest.fixture
def committed_agent_a(django_db_blocker: Any) -> Iterator[User]:
    """A committed admin of town A at the desk; they and the residents they register are removed
    afterwards."""
    with django_db_blocker.unblock():
        schema = _town_a_schema()
        with schema_context(schema):
            agent = create_member(
                email=AGENT_EMAIL,
                display_name="Agent d’accueil",
                role=User.Role.ADMIN,
                password=TEST_PASSWORD,
            )
    yield agent
    with django_db_blocker.unblock(), schema_context(schema):
        User.objects.filter(display_name=DESK_NAME).delete()
        User.objects.filter(email=AGENT_EMAIL).delete()


def _wait_for_mail(timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if mail.outbox:
            return mail.outbox[-1]
        time.sleep(0.1)
    raise AssertionError("no email was sent")


def test_a_resident_signs_up_confirms_the_email_and_logs_in(
    live_server_any_host: LiveServer,
    page: Any,
    town_a_with_neighbourhoods: None,
    django_db_blocker: Any,
) -> None:
    page.goto(live_server_any_host.url(HOST, "/accounts/signup/"))
    assert "S’inscrire sur le site de" in page.locator("h1").inner_text()
    assert_accessible(page)

    page.get_by_label("Nom affiché aux autres").fill("Martine")
    page.get_by_label("Courriel").fill(RESIDENT_EMAIL)
    page.get_by_label("Mot de passe", exact=True).fill(TEST_PASSWORD)
    page.get_by_label(PASSWORD_AGAIN).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Créer mon compte").click()
    # Charter left unticked and no neighbourhood: the page explains, and keeps what was typed.
    page.wait_for_selector(".errorlist")
    assert "Pour vous inscrire, acceptez la charte." in page.locator("main").inner_text()
    assert "Choisissez votre quartier." in page.locator("main").inner_text()
    assert page.get_by_label("Nom affiché aux autres").input_value() == "Martine"
    assert_accessible(page)

    page.get_by_label("Mot de passe", exact=True).fill(TEST_PASSWORD)
    page.get_by_label(PASSWORD_AGAIN).fill(TEST_PASSWORD)
    page.get_by_label("Quartier").select_option(label=NEIGHBOURHOODS[1])
    page.get_by_text("Lire la charte").click()
    assert page.get_by_text("Charte de participation").is_visible()
    page.get_by_label("J’ai lu la charte et je l’accepte").check()
    page.get_by_role("button", name="Créer mon compte").click()
    page.wait_for_url("**/accounts/confirm-email/")
    assert_accessible(page)

    message = _wait_for_mail()
    assert message.to == [RESIDENT_EMAIL]
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", str(message.body))
    assert link, message.body
    assert link.group(0).startswith(live_server_any_host.url(HOST))  # the town's own address
    page.goto(link.group(0))
    assert_accessible(page)
    page.get_by_role("button", name="Confirmer").click()

    page.wait_for_url("**/accounts/login/")
    assert_accessible(page)
    page.get_by_label("Courriel").fill(RESIDENT_EMAIL)
    page.get_by_label("Mot de passe", exact=False).first.fill(TEST_PASSWORD)
    page.get_by_role("button", name="Connexion").click()
    page.wait_for_url(live_server_any_host.url(HOST))
    assert "Martine" in page.locator("header").inner_text()
    assert_accessible(page)

    with django_db_blocker.unblock(), schema_context(_town_a_schema()):
        user = User.objects.select_related("resident_profile__neighbourhood").get(
            email=RESIDENT_EMAIL
        )
        neighbourhood = user.resident_profile.neighbourhood
        assert neighbourhood is not None and neighbourhood.name == NEIGHBOURHOODS[1]
        assert user.resident_profile.charter_accepted_at is not None


def test_an_agent_registers_a_resident_who_logs_in_with_the_code(
    live_server_any_host: LiveServer, browser: Any, page: Any, committed_agent_a: User
) -> None:
    log_in(page, live_server_any_host, HOST, AGENT_EMAIL, TEST_PASSWORD)

    page.goto(live_server_any_host.url(HOST, "/administration/habitants/"))
    assert_accessible(page)
    page.get_by_role("link", name="Inscrire un habitant").click()
    page.wait_for_url("**/administration/habitants/nouveau/")
    assert_accessible(page)
    page.get_by_label("Nom affiché aux autres").fill(DESK_NAME)
    page.get_by_label("Téléphone (facultatif)").fill("06 12 34 56 78")
    page.get_by_role("button", name="Créer le compte").click()

    page.wait_for_url(re.compile(r".*/administration/habitants/\d+/fiche/$"))
    code = page.get_by_test_id("login-code").inner_text()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", code)
    sheet = page.locator("main").inner_text()
    assert live_server_any_host.url(HOST) in sheet
    assert "Votre nom + le code" in sheet
    assert page.get_by_role("button", name="Imprimer la fiche").is_visible()
    assert_accessible(page)
    # Printed, the sheet keeps only itself: no site header, no buttons.
    page.emulate_media(media="print")
    assert not page.locator("header.site-header").is_visible()
    assert not page.get_by_role("button", name="Imprimer la fiche").is_visible()
    assert page.get_by_test_id("login-code").is_visible()
    page.emulate_media(media="screen")
    # Opened again, the sheet no longer shows the code.
    page.reload()
    assert page.get_by_test_id("login-code").count() == 0
    assert page.get_by_role("button", name="Générer un nouveau code").is_visible()
    assert_accessible(page)

    resident_context = browser.new_context(locale="fr-FR")
    try:
        resident = resident_context.new_page()
        resident.goto(live_server_any_host.url(HOST, "/premiere-connexion/"))
        assert_accessible(resident)
        resident.get_by_label("Votre code").fill(code.lower().replace("-", " "))
        resident.get_by_role("button", name="Continuer").click()
        resident.wait_for_url("**/premiere-connexion/mot-de-passe/")
        assert f"Bonjour {DESK_NAME}" in resident.locator("h1").inner_text()
        assert_accessible(resident)
        resident.get_by_label("Choisissez votre mot de passe").fill("un-jardin-sous-la-pluie")
        resident.get_by_label("Tapez encore une fois le même mot de passe").fill(
            "un-jardin-sous-la-pluie"
        )
        resident.get_by_label("J’ai lu la charte et je l’accepte").check()
        resident.get_by_role("button", name="Enregistrer mon mot de passe").click()
        resident.wait_for_url(live_server_any_host.url(HOST))
        assert DESK_NAME in resident.locator("header").inner_text()
        assert (
            "Bienvenue ! Votre mot de passe est enregistré."
            in resident.locator("main").inner_text()
        )
        assert_accessible(resident)

        resident.goto(live_server_any_host.url(HOST, "/mon-compte/"))
        assert "Ajouter une adresse e-mail" in resident.locator("main").inner_text()
        assert_accessible(resident)
    finally:
        resident_context.close()
