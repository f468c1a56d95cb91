"""A neighbour answers an offer, they exchange messages, the author marks the help given with
thanks; a conversation about a sensitive post shows the safety notice and the help lines."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_member
from mutual_aid.factories import PostFactory, category
from mutual_aid.models import Post
from tenants.models import Collectivite
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.conftest import TOWNS

pytestmark = pytest.mark.browser
HOST = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
AUTHOR_EMAIL = "colette.entraide@example.org"
NEIGHBOUR_EMAIL = "bastien.entraide@example.org"


@pytest.fixture
def committed_offer(django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    """Colette's committed offer and sensitive request, and Bastien; all removed afterwards."""
    with django_db_blocker.unblock():
        schema = Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name
        with schema_context(schema):
            author = create_member(
                email=AUTHOR_EMAIL, display_name="Colette", password=TEST_PASSWORD
            )
            create_member(email=NEIGHBOUR_EMAIL, display_name="Bastien", password=TEST_PASSWORD)
            offer = PostFactory.create(
                author=author, title="Je fais vos courses le samedi", category=category("courses")
            )
            sensitive = PostFactory.create(
                author=author,
                kind=Post.Kind.REQUEST,
                title="Une visite de temps en temps",
                category=category("visites-compagnie"),
            )
    yield {"offer": offer, "sensitive": sensitive}
    with django_db_blocker.unblock(), schema_context(schema):
        Post.objects.filter(pk__in=[offer.pk, sensitive.pk]).delete()
        User.objects.filter(email__in=[AUTHOR_EMAIL, NEIGHBOUR_EMAIL]).delete()


def _second_page(browser: Any) -> Any:
    return browser.new_context(locale="fr-FR").new_page()


def test_an_answer_becomes_help_given_with_public_thanks(
    live_server_any_host: LiveServer, page: Any, browser: Any, committed_offer: dict[str, Any]
) -> None:
    server, offer = live_server_any_host, committed_offer["offer"]
    log_in(page, server, HOST, NEIGHBOUR_EMAIL, TEST_PASSWORD)
    page.goto(server.url(HOST, f"/entraide/{offer.pk}/"))
    assert_accessible(page)
    page.get_by_label("Votre message").fill("Bonjour, je veux bien de l’aide samedi.")
    page.get_by_role("button", name="Envoyer ma réponse").click()
    page.wait_for_url("**/entraide/conversations/*/")
    assert "Votre message est envoyé." in page.locator("main").inner_text()
    assert "Envoyé" in page.locator(".chat-message__state").inner_text()
    assert_accessible(page)
    conversation_url = page.url

    author = _second_page(browser)
    log_in(author, server, HOST, AUTHOR_EMAIL, TEST_PASSWORD)
    author.goto(server.url(HOST, "/entraide/conversations/"))
    assert "1 conversation avec des messages non lus" in author.locator("main").inner_text()
    assert_accessible(author)
    author.get_by_role("link", name="Je fais vos courses le samedi").click()
    author.wait_for_url(conversation_url)
    # With htmx the reply appears without the page reloading.
    author.evaluate("window.notReloaded = true")
    author.get_by_label("Votre réponse").fill("Avec plaisir ! Samedi 10 h ?")
    author.get_by_role("button", name="Envoyer", exact=True).click()
    author.locator(".chat-message", has_text="Avec plaisir ! Samedi 10 h ?").wait_for()
    assert author.evaluate("window.notReloaded") is True
    assert author.get_by_label("Votre réponse").input_value() == ""
    assert_accessible(author)

    page.reload()
    assert "Avec plaisir ! Samedi 10 h ?" in page.locator(".thread").inner_text()
    page.get_by_label("Votre réponse").fill("Parfait, à samedi.")
    page.get_by_role("button", name="Envoyer", exact=True).click()
    page.locator(".chat-message", has_text="Parfait, à samedi.").wait_for()

    author.goto(server.url(HOST, f"/entraide/{offer.pk}/"))
    author.get_by_label("Qui a aidé ?").select_option(label="Bastien")
    author.get_by_label("Un mot de remerciement (facultatif)").fill("Merci Bastien, super !")
    author.get_by_label("Montrer mon remerciement sur l’annonce, à tout le monde").check()
    author.get_by_role("button", name="Indiquer que l’aide a été apportée").click()
    author.wait_for_url(server.url(HOST, f"/entraide/{offer.pk}/"))
    assert "Colette remercie Bastien" in author.locator("main").inner_text()
    assert_accessible(author)

    page.goto(server.url(HOST, f"/entraide/{offer.pk}/"))
    assert "Merci Bastien, super !" in page.locator(".thanks").inner_text()
    author.context.close()


def test_a_sensitive_conversation_shows_the_help_lines(
    live_server_any_host: LiveServer, page: Any, committed_offer: dict[str, Any]
) -> None:
    server, sensitive = live_server_any_host, committed_offer["sensitive"]
    log_in(page, server, HOST, NEIGHBOUR_EMAIL, TEST_PASSWORD)
    page.goto(server.url(HOST, f"/entraide/{sensitive.pk}/"))
    page.get_by_label("Votre message").fill("Je passe volontiers, appelez le 06 12 34 56 78")
    page.get_by_role("button", name="Envoyer ma réponse").click()
    # The phone number is refused, with the reason, and the text is kept.
    page.wait_for_selector(".errorlist")
    assert "Pour votre sécurité" in page.locator("main").inner_text()
    assert "06 12 34 56 78" in page.get_by_label("Votre message").input_value()
    assert_accessible(page)
    page.get_by_label("Votre message").fill("Je passe volontiers le jeudi après-midi.")
    page.get_by_role("button", name="Envoyer ma réponse").click()
    page.wait_for_url("**/entraide/conversations/*/")
    notice = page.locator(".safety-notice").inner_text()
    assert "3977" in notice and "SOS Amitié" in notice
    assert_accessible(page)
