"""A resident posts an offer with a photo; a neighbour finds it by searching without accents."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_member
from mutual_aid.models import Post
from tenants.models import Collectivite
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.conftest import TOWNS
from tests.mutual_aid_support import image_bytes

pytestmark = pytest.mark.browser
HOST = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
AUTHOR = "odile.poste@example.org"
FINDER = "paul.cherche@example.org"
TITLE = "Courses à l’épicerie du bourg"


@pytest.fixture
def two_residents(django_db_blocker: Any) -> Iterator[None]:
    """Two committed residents of town A (the server's threads must see them); they and their
    posts are removed afterwards."""
    with django_db_blocker.unblock():
        schema = Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name
        with schema_context(schema):
            for email, name in ((AUTHOR, "Odile"), (FINDER, "Paul")):
                create_member(email=email, display_name=name, password=TEST_PASSWORD)
    yield
    with django_db_blocker.unblock(), schema_context(schema):
        Post.objects.filter(author__email__in=[AUTHOR, FINDER]).delete()
        User.objects.filter(email__in=[AUTHOR, FINDER]).delete()


def test_an_offer_with_a_photo_is_found_by_a_search_without_accents(
    live_server_any_host: LiveServer,
    browser: Any,
    page: Any,
    two_residents: None,
    media_root: Path,
    tmp_path: Path,
) -> None:
    photo = tmp_path / "panier.jpg"
    photo.write_bytes(image_bytes(size=(320, 240), gps=True))

    log_in(page, live_server_any_host, HOST, AUTHOR, TEST_PASSWORD)
    page.goto(live_server_any_host.url(HOST, "/entraide/"))
    page.get_by_role("link", name="Nouvelle annonce").click()
    assert_accessible(page)
    page.get_by_role("link", name="Proposer un coup de main").click()
    page.wait_for_url("**/nouvelle-annonce/offre/")
    assert_accessible(page)

    page.get_by_label("Catégorie").select_option(label="Courses")
    page.get_by_label("Titre").fill(TITLE)
    page.get_by_label("Description", exact=True).fill("Je passe à l’épicerie le samedi matin.")
    page.get_by_label("Régulièrement").check()
    page.get_by_label("À quelle fréquence").fill("tous les samedis")
    page.get_by_label("Photo 1").set_input_files(str(photo))
    page.locator("#id_photo_1_description").fill("Un panier de légumes")
    page.get_by_role("button", name="Publier").click()
    page.wait_for_selector("h1:has-text('épicerie du bourg')")
    assert "Votre annonce est en ligne." in page.locator("main").inner_text()
    image = page.get_by_role("img", name="Un panier de légumes")
    # Shot sideways (its EXIF orientation): stored and shown upright, 240 wide.
    image.scroll_into_view_if_needed()
    assert image.evaluate("img => img.decode().then(() => img.naturalWidth)") == 240
    assert_accessible(page)

    neighbour = browser.new_context(locale="fr-FR").new_page()
    try:
        log_in(neighbour, live_server_any_host, HOST, FINDER, TEST_PASSWORD)
        neighbour.goto(live_server_any_host.url(HOST, "/entraide/"))
        neighbour.get_by_label("Rechercher").fill("epicerie")
        neighbour.get_by_label("Rechercher").press("Enter")
        neighbour.wait_for_url("**q=epicerie**")
        result = neighbour.get_by_role("link", name=TITLE)
        result.wait_for()
        assert_accessible(neighbour)
        result.click()
        neighbour.wait_for_selector("h1:has-text('épicerie du bourg')")
        assert "tous les samedis" in neighbour.locator("main").inner_text()
        assert_accessible(neighbour)
    finally:
        neighbour.context.close()
