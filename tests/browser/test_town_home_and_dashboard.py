"""The town's home page, for a guest and for a member, and the staff's mutual aid dashboard:
on a phone, at 200 % zoom, by keyboard, with no accessibility violation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_member
from mutual_aid.factories import CarpoolDetailsFactory, PostFactory, category
from mutual_aid.models import MutualAidSettings, Post
from tenants.models import Collectivite
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.conftest import TOWNS

pytestmark = pytest.mark.browser
PHONE = {"width": 360, "height": 740}
# 200 % zoom of a 1280 px wide window: the page lays out in 640 CSS pixels.
ZOOMED = {"width": 640, "height": 400}
MEMBER_EMAIL = "voisine-accueil@town-a.example"
ADMIN_EMAIL = "maire-tableau@town-a.example"
TITLE = "Courses du samedi pour une voisine"
THANKS = "Merci Octave, à charge de revanche !"


@pytest.fixture
def lively_town_a(django_db_blocker: Any) -> Iterator[dict[str, User]]:
    """Town A with a member, an admin, posts, help given and a ride, committed for the
    server's threads; removed afterwards."""
    with django_db_blocker.unblock():
        town = Collectivite.objects.get(slug=TOWNS["a"]["slug"])
        with schema_context(town.schema_name), transaction.atomic():
            member = create_member(
                email=MEMBER_EMAIL, display_name="Gisèle Lamarre", password=TEST_PASSWORD
            )
            admin = create_member(
                email=ADMIN_EMAIL,
                display_name="Madame la maire",
                role=User.Role.ADMIN,
                password=TEST_PASSWORD,
            )
            octave = create_member(email="octave@town-a.example", display_name="Octave")
            PostFactory(author=member, title=TITLE, category=category("courses"))
            PostFactory(
                author=member,
                kind=Post.Kind.REQUEST,
                title="Tailler la haie",
                category=category("jardinage"),
                created_at=timezone.now() - timedelta(days=9),
            )
            PostFactory(
                author=member,
                title="Changer une ampoule",
                status=Post.Status.HELPED,
                helped_at=timezone.now(),
                helper=octave,
                thanks=THANKS,
                thanks_public=True,
            )
            CarpoolDetailsFactory(post__author=octave, departure="Place du marché")
    yield {"member": member, "admin": admin}
    with django_db_blocker.unblock(), schema_context(town.schema_name):
        Post.objects.all().delete()
        MutualAidSettings.objects.all().delete()
        User.objects.filter(email__in=[MEMBER_EMAIL, ADMIN_EMAIL, "octave@town-a.example"]).delete()
        User.objects.filter(email__endswith="@example.org", posts__isnull=True).exclude(
            email__startswith="resident@"
        ).delete()


def _host() -> str:
    return f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"


def _fits(page: Any, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width


def test_a_guest_sees_what_happens_and_is_asked_to_join(
    live_server_any_host: LiveServer, page: Any, lively_town_a: dict
) -> None:
    page.set_viewport_size(PHONE)
    page.goto(live_server_any_host.url(_host(), "/"))
    heading = page.get_by_role("heading", name="L’entraide entre voisins")
    block = page.locator("section", has=heading)
    assert "offres et demandes ouvertes" in block.inner_text()
    assert TITLE not in page.content() and THANKS not in page.content()
    _fits(page, PHONE["width"])
    assert_accessible(page)
    # By keyboard: the join button is reachable and leads to the sign-up page.
    join = page.get_by_role("link", name="S’inscrire pour aider ou être aidé")
    join.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/accounts/signup/")


def test_a_member_sees_the_latest_posts_thanks_and_rides(
    live_server_any_host: LiveServer, page: Any, lively_town_a: dict
) -> None:
    page.set_viewport_size(PHONE)
    log_in(page, live_server_any_host, _host(), MEMBER_EMAIL, TEST_PASSWORD)
    assert page.get_by_role("heading", name="Dernières publications").is_visible()
    assert page.get_by_role("link", name=TITLE).is_visible()
    assert page.get_by_text(THANKS).is_visible()
    assert page.get_by_text("Place du marché", exact=False).is_visible()
    _fits(page, PHONE["width"])
    assert_accessible(page)
    page.set_viewport_size(ZOOMED)
    _fits(page, ZOOMED["width"])
    assert_accessible(page)


def test_the_dashboard_reads_with_its_tables_and_the_admin_sets_the_goal(
    live_server_any_host: LiveServer, page: Any, lively_town_a: dict
) -> None:
    page.set_viewport_size(ZOOMED)
    log_in(page, live_server_any_host, _host(), ADMIN_EMAIL, TEST_PASSWORD)
    page.locator("summary.site-nav__toggle").click()  # at 200 %, the menu is folded
    page.get_by_role("link", name="Tableau de bord").click()
    page.wait_for_url("**/administration/entraide/tableau-de-bord/")
    charts = page.get_by_role("figure", name="les mêmes chiffres sont dans le tableau", exact=False)
    assert charts.count() == 2
    assert page.get_by_role("table").count() == 3
    assert page.get_by_role("link", name="Tailler la haie").is_visible()  # waiting 9 days
    _fits(page, ZOOMED["width"])
    assert_accessible(page)

    page.get_by_label("Objectif : habitants actifs").fill("0")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer l’objectif").click()
    assert page.get_by_text("supérieure ou égale à 1", exact=False).is_visible()
    assert page.get_by_label("Objectif : habitants actifs").input_value() == "0"
    assert_accessible(page)
    page.get_by_label("Objectif : habitants actifs").fill("120")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # the form sends by keyboard
    assert page.get_by_text("L’objectif est enregistré.").is_visible()
    assert page.locator("progress").get_attribute("max") == "120"
    page.set_viewport_size(PHONE)
    _fits(page, PHONE["width"])
    assert_accessible(page)
