"""The town's home page shows what is happening in mutual aid: for members the latest posts,
thanks and rides; for guests only what the town would publish (figures and categories)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import User
from mutual_aid.factories import CarpoolDetailsFactory, PostFactory, category
from mutual_aid.models import Post
from tenants.models import Collectivite
from tests.helpers import body
from townsite import home_blocks
from townsite.setup import services

pytestmark = pytest.mark.django_db

AUTHOR = "Gisèle Lamarre"
HELPER = "Octave Nguyen"
TITLE = "Courses du samedi pour Mme Rive"
THANKS = "Merci Octave pour les courses, à charge de revanche !"
RIDE = "Parking du Bourg"


@pytest.fixture
def lively_a(town_a: Collectivite) -> dict[str, Any]:
    with schema_context(town_a.schema_name):
        author = UserFactory(display_name=AUTHOR)
        helper = UserFactory(display_name=HELPER)
        post = PostFactory(author=author, title=TITLE, category=category("courses"))
        helped = PostFactory(
            author=author,
            title="Changer une ampoule",
            category=category("bricolage"),
            status=Post.Status.HELPED,
            helped_at=timezone.now() - timedelta(hours=1),
            helper=helper,
            thanks=THANKS,
            thanks_public=True,
        )
        ride = CarpoolDetailsFactory(
            departure=RIDE, departs_at=timezone.now() + timedelta(days=1), post__author=author
        )
        CarpoolDetailsFactory(departure="Départ passé", departs_at=timezone.now() - timedelta(1))
        PostFactory(title="Publication masquée", hidden_at=timezone.now())
    return {"post": post, "helped": helped, "ride": ride.post}


def _home(client: Client) -> str:
    response = client.get("/")
    assert response.status_code == 200
    return body(response)


def test_a_guest_sees_figures_and_categories_but_no_resident_nor_post(
    client_for: Callable[..., Client], town_a: Collectivite, lively_a: dict
) -> None:
    page = _home(client_for(town_a))
    for private in (AUTHOR, HELPER, TITLE, THANKS, RIDE, "Changer une ampoule"):
        assert private not in page
    # Open: the post, the upcoming ride (the past ride's post is open too); help given: one.
    assert '<span class="figure__value">3</span> offres et demandes ouvertes' in page
    assert '<span class="figure__value">1</span> coup de main donné ce mois-ci' in page
    assert '<span class="figure__value">1</span> covoiturage à venir' in page
    assert 'Courses <span class="muted">(1 ouverte)</span>' in page
    # Every category the town offers, in its order.
    names = ["Garde d&#x27;enfants", "Courses", "Soutien moral", "Bricolage", "Autre"]
    assert [page.index(f"<span>{name}") for name in names] == sorted(
        page.index(f"<span>{name}") for name in names
    )
    assert 'href="/accounts/signup/"' in page
    assert "Proposer ou demander un coup de main" not in page


def test_a_member_sees_the_latest_posts_thanks_and_next_rides(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, lively_a: dict
) -> None:
    page = _home(client_for(town_a, resident_a))
    assert TITLE in page and AUTHOR in page
    assert THANKS in page and f"remercie {HELPER}" in page
    assert RIDE in page and "Départ passé" not in page
    assert "Publication masquée" not in page
    assert "Proposer ou demander un coup de main" in page
    assert "/accounts/signup/" not in page
    assert 'href="/static/img/icons.svg#panier"' in page  # the post's category icon


def test_a_member_of_a_quiet_town_is_told_what_to_do_first(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    page = _home(client_for(town_a, resident_a))
    assert "Personne n’a encore rien publié" in page
    assert "Aucun covoiturage prévu" in page
    assert "Pas encore de remerciements" in page


def test_thanks_are_shown_as_text(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    with schema_context(town_a.schema_name):
        PostFactory(
            status=Post.Status.HELPED,
            helped_at=timezone.now(),
            thanks="<script>alert(1)</script>",
            thanks_public=True,
            title="<b>gras</b>",
        )
    page = _home(client_for(town_a, resident_a))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert "&lt;b&gt;gras&lt;/b&gt;" in page


def test_no_block_when_the_town_has_mutual_aid_off(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, lively_a: dict
) -> None:
    with schema_context(town_a.schema_name):
        services.save_modules(by=None, mutual_aid=False, consultations=True, ideas=True)
    for client in (client_for(town_a), client_for(town_a, resident_a)):
        page = _home(client)
        assert "home-mutual-aid" not in page and TITLE not in page


@pytest.fixture
def failing_block() -> Iterator[None]:
    def broken(request: object) -> home_blocks.Block:
        raise RuntimeError("a module's bug")

    saved = list(home_blocks.HOME_BLOCKS)
    home_blocks.register("broken", broken)
    yield
    home_blocks.HOME_BLOCKS[:] = saved


def test_a_failing_block_leaves_the_rest_of_the_home_page(
    client_for: Callable[..., Client], town_a: Collectivite, failing_block: None, caplog
) -> None:
    page = _home(client_for(town_a))
    assert "home-mutual-aid" in page
    assert "Home page block 'broken' failed" in caplog.text


def _queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        _home(client)
    return len(queries)


@pytest.mark.parametrize("member", [False, True])
def test_the_home_page_costs_the_same_whatever_the_activity(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, member: bool
) -> None:
    client = client_for(town_a, resident_a if member else None)
    with schema_context(town_a.schema_name):
        PostFactory()
    _home(client)  # the session and the site's look, then cached
    baseline = _queries(client)
    with schema_context(town_a.schema_name):
        authors = UserFactory.create_batch(4)
        for index in range(30):
            PostFactory(
                author=authors[index % 4],
                category=category(["courses", "jardinage", "animaux"][index % 3]),
                status=Post.Status.HELPED if index % 5 == 0 else Post.Status.OPEN,
                helped_at=timezone.now() if index % 5 == 0 else None,
                helper=authors[(index + 1) % 4] if index % 5 == 0 else None,
                thanks="Merci !" if index % 5 == 0 else "",
                thanks_public=True,
            )
        CarpoolDetailsFactory.create_batch(4)
    assert _queries(client) == baseline
