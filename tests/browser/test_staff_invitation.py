"""A town admin invites a moderator; the moderator opens the emailed link, creates an account
and lands on the town's site, logged in as moderator."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_member
from tenants.models import Collectivite
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.conftest import TOWNS
from townsite.models import Invitation, Neighbourhood, TownProfile
from townsite.setup import queries

pytestmark = pytest.mark.browser
ADMIN_EMAIL = "maire-equipe@town-a.example"
MODERATOR_EMAIL = "nouvelle-moderatrice@town-a.example"


@pytest.fixture
def committed_admin_a(django_db_blocker: Any) -> Iterator[User]:
    """An admin of town A, committed for the server's threads; they, the person they invite
    and the invitations are removed afterwards."""
    with django_db_blocker.unblock():
        town = Collectivite.objects.get(slug=TOWNS["a"]["slug"])
        with schema_context(town.schema_name):
            admin = create_member(
                email=ADMIN_EMAIL,
                display_name="Madame la maire",
                role=User.Role.ADMIN,
                password=TEST_PASSWORD,
            )
    yield admin
    with django_db_blocker.unblock(), schema_context(town.schema_name):
        Invitation.objects.filter(email=MODERATOR_EMAIL).delete()
        User.objects.filter(email__in=[ADMIN_EMAIL, MODERATOR_EMAIL]).delete()


def invitation_link(timeout: float = 10) -> str:
    """The link of the invitation email, delivered by the server thread's eager Celery task."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in mail.outbox:
            if message.to == [MODERATOR_EMAIL]:
                found = re.search(r"https?://\S+/invitation/\S+/", str(message.body))
                assert found, message.body
                return found.group(0)
        time.sleep(0.1)
    raise AssertionError("no invitation email was sent")


def test_an_admin_invites_a_moderator_who_joins(
    live_server_any_host: LiveServer,
    browser: Any,
    page: Any,
    committed_admin_a: User,
    django_db_blocker: Any,
) -> None:
    host = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
    log_in(page, live_server_any_host, host, ADMIN_EMAIL, TEST_PASSWORD)

    page.goto(live_server_any_host.url(host, "/administration/"))
    assert f"Administration de {TOWNS['a']['name']}" in page.locator("h1").inner_text()
    assert "jours restants" in page.get_by_test_id("trial-left").inner_text()
    assert_accessible(page)

    page.get_by_role("link", name="Équipe").click()
    page.wait_for_url("**/administration/equipe/")
    assert_accessible(page)
    page.get_by_label("Adresse e-mail de la personne").fill(MODERATOR_EMAIL)
    page.get_by_label("Modération", exact=False).check()
    page.get_by_role("button", name="Envoyer l’invitation").click()
    page.wait_for_url("**/administration/equipe/")
    assert f"Une invitation est envoyée à {MODERATOR_EMAIL}" in page.locator("main").inner_text()
    assert MODERATOR_EMAIL in page.get_by_test_id("invitation").inner_text()
    assert_accessible(page)

    link = invitation_link()
    assert f"//{host}:" in link  # on the town's own host

    # The invited person, in a browser of their own.
    context = browser.new_context(locale="fr-FR")
    try:
        guest = context.new_page()
        guest.goto(link)
        assert "Rejoindre l’équipe de" in guest.locator("h1").inner_text()
        assert (
            guest.get_by_label(re.compile(r"^Adresse e-mail\W*$")).input_value() == MODERATOR_EMAIL
        )
        assert_accessible(guest)
        guest.get_by_label("Nom affiché aux autres").fill("Nadia")
        guest.get_by_label(re.compile(r"^Mot de passe\W*$")).fill(TEST_PASSWORD)
        guest.get_by_label("Mot de passe (encore une fois)").fill(TEST_PASSWORD)
        guest.get_by_role("button", name="Créer mon compte et accepter").click()

        guest.wait_for_url(live_server_any_host.url(host))
        main = guest.locator("main").inner_text()
        assert "Vous faites maintenant partie de la modération de ce site." in main
        assert "Bonjour Nadia" in main
        assert_accessible(guest)

        # The link worked once.
        response = guest.goto(link)
        assert response.status == 410
        assert_accessible(guest)
    finally:
        context.close()

    with django_db_blocker.unblock():
        town = Collectivite.objects.get(slug=TOWNS["a"]["slug"])
        with schema_context(town.schema_name):
            assert User.objects.get(email=MODERATOR_EMAIL).role == User.Role.MODERATOR


@pytest.fixture
def town_a_profile_restored(django_db_blocker: Any) -> Iterator[None]:
    """The wizard below changes town A's committed profile: put it back as it was."""
    with django_db_blocker.unblock():
        town = Collectivite.objects.get(slug=TOWNS["a"]["slug"])
        with schema_context(town.schema_name):
            saved = TownProfile.load()
            names = set(Neighbourhood.objects.values_list("name", flat=True))
    yield
    with django_db_blocker.unblock(), schema_context(town.schema_name):
        saved.save()
        Neighbourhood.objects.exclude(name__in=names).delete()
        cache.delete(queries.LOOK_CACHE_KEY)


def test_the_setup_wizard_walks_step_by_step(
    live_server_any_host: LiveServer,
    page: Any,
    committed_admin_a: User,
    town_a_profile_restored: None,
) -> None:
    host = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
    log_in(page, live_server_any_host, host, ADMIN_EMAIL, TEST_PASSWORD)
    page.goto(live_server_any_host.url(host, "/administration/"))
    page.get_by_role("link", name="Régler le site, étape par étape").click()

    page.wait_for_url("**/configuration/apparence/")
    assert page.get_by_test_id("step-indicator").inner_text() == "Étape 1 sur 6"
    assert_accessible(page)
    code = page.get_by_label("Code de la couleur principale")
    code.fill("#ffcc00")
    page.get_by_role("button", name="Continuer").click()
    assert "Cette couleur est trop claire" in page.get_by_role("alert").inner_text()
    assert code.input_value() == "#ffcc00"
    assert_accessible(page)
    code.fill("#2d5a27")
    # The picker follows the code (town-setup.js).
    assert page.get_by_label("Choisir une couleur").input_value() == "#2d5a27"
    page.get_by_role("button", name="Continuer").click()

    page.wait_for_url("**/configuration/accueil/")
    assert page.get_by_test_id("step-indicator").inner_text() == "Étape 2 sur 6"
    assert_accessible(page)
    page.get_by_label("Texte d’accueil").fill("Bienvenue sur le site de la commune !")
    page.get_by_role("button", name="Continuer").click()

    page.wait_for_url("**/configuration/quartiers/")
    page.get_by_label("Nom du quartier").fill("Le Bourg-Test")
    page.get_by_role("button", name="Ajouter", exact=True).click()
    page.wait_for_url("**/configuration/quartiers/")
    assert "« Le Bourg-Test » est ajouté." in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("link", name="Continuer").click()

    for url in ("**/configuration/modules/", "**/configuration/contact/"):
        page.wait_for_url(url)
        assert_accessible(page)
        page.get_by_role("button", name="Continuer").click()

    page.wait_for_url("**/configuration/charte/")
    assert "Charte de participation" in page.get_by_label("Charte de modération").input_value()
    assert_accessible(page)
    page.get_by_role("button", name="Continuer").click()

    page.wait_for_url("**/configuration/recapitulatif/")
    assert "Le Bourg-Test" in page.locator("main").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Terminer").click()
    page.wait_for_url("**/administration/")
    assert "Votre site est prêt." in page.locator("main").inner_text()
    assert_accessible(page)
