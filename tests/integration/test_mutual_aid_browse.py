"""Browsing and searching mutual aid posts: French, accent-insensitive, a constant cost."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_tenants.utils import schema_context

from accounts.models import User
from mutual_aid.factories import PostFactory, category
from mutual_aid.models import Post
from tenants.models import Collectivite
from tests.helpers import body

pytestmark = pytest.mark.django_db


def _list(client: Client, **query: str) -> str:
    response = client.get(reverse("mutual_aid:list"), query)
    assert response.status_code == 200
    return body(response)


def test_a_search_without_accents_finds_the_word_with_them(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    with schema_context(town_a.schema_name):
        PostFactory(title="Courses à l'épicerie du village", category=category("courses"))
        PostFactory(title="Tondre la pelouse", description="Le jardin d'une voisine")
    page = _list(client_for(town_a, resident_a), q="epicerie")
    assert "Courses à l&#x27;épicerie du village" in page
    assert "Tondre la pelouse" not in page
    # French stemming: the plural and the singular meet.
    assert "Tondre la pelouse" in _list(client_for(town_a, resident_a), q="voisines")


def test_guests_are_asked_to_log_in(
    client_for: Callable[..., Client], town_a: Collectivite
) -> None:
    response = client_for(town_a).get(reverse("mutual_aid:list"))
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def _count_queries(client: Client) -> int:
    with CaptureQueriesContext(connection) as queries:
        _list(client)
    return len(queries)


@pytest.mark.parametrize("extra", [0, 60])
def test_the_list_costs_the_same_whatever_the_number_of_posts(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, extra: int
) -> None:
    client = client_for(town_a, resident_a)
    with schema_context(town_a.schema_name):
        PostFactory.create_batch(5)
    _list(client)  # the session and the site's look are read once, then cached
    baseline = _count_queries(client)
    with schema_context(town_a.schema_name):
        PostFactory.create_batch(extra, author=resident_a)
        assert Post.objects.count() == 5 + extra
    assert _count_queries(client) == baseline


# --- Filters ------------------------------------------------------------------------------


def test_filters_narrow_the_list_and_keep_expired_and_closed_posts_out(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from townsite.models import Neighbourhood

    today = timezone.localdate()
    with schema_context(town_a.schema_name):
        gare = Neighbourhood.objects.create(name="La Gare")
        PostFactory(title="Offre à la gare", neighbourhood=gare)
        PostFactory(title="Demande de courses", kind="request", category=category("courses"))
        PostFactory(title="Fête passée", when="date", date_start=today - timedelta(days=1))
        PostFactory(title="Période en cours", when="period", date_start=today, date_end=today)
        PostFactory(title="Annonce expirée", expires_at=timezone.now() - timedelta(minutes=1))
        PostFactory(title="Annonce fermée", status="closed")
        PostFactory(title="Annonce supprimée", deleted_at=timezone.now())
        PostFactory(title="Annonce masquée", hidden_at=timezone.now())
    client = client_for(town_a, resident_a)
    every = _list(client)
    for gone in ("expirée", "fermée", "supprimée", "masquée"):
        assert f"Annonce {gone}" not in every
    assert "Offre à la gare" in every and "Fête passée" in every
    assert "Demande de courses" in _list(client, kind="request")
    assert "Offre à la gare" not in _list(client, kind="request")
    assert "Offre à la gare" not in _list(client, category="courses")
    assert "Demande de courses" not in _list(client, neighbourhood=str(gare.pk))
    upcoming = _list(client, from_date=today.isoformat())
    assert "Fête passée" not in upcoming and "Période en cours" in upcoming
    assert "Offre à la gare" in upcoming  # undated: whenever suits


def test_bad_filter_values_are_ignored(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    with schema_context(town_a.schema_name):
        PostFactory(title="Toujours là")
    client = client_for(town_a, resident_a)
    page = _list(client, kind="gift", neighbourhood="x", from_date="31/02", page="999")
    assert "Toujours là" in page


def test_the_pages_of_results_keep_the_filters(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    with schema_context(town_a.schema_name):
        PostFactory.create_batch(25, kind="request", title="Besoin d'épicerie")
    page = _list(client_for(town_a, resident_a), q="epicerie", kind="request")
    assert 'href="?q=epicerie&amp;kind=request&amp;page=2"' in page


def test_htmx_gets_only_the_results(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    with schema_context(town_a.schema_name):
        PostFactory(title="Une annonce")
    response = client_for(town_a, resident_a).get(
        reverse("mutual_aid:list"), {"q": "annonce"}, headers={"HX-Request": "true"}
    )
    text = body(response)
    assert text.lstrip().startswith('<div id="results"') and "Une annonce" in text
    assert "<html" not in text


# --- Constant cost at scale ---------------------------------------------------------------


def _bulk_posts(count: int, author: User, *, every: int = 10) -> None:
    """`count` posts in one insert, one in `every` about the épicerie, photos on a few."""
    from mutual_aid.models import Photo

    courses = category("courses")
    posts = Post.objects.bulk_create(
        Post(
            kind=Post.Kind.OFFER if number % 2 else Post.Kind.REQUEST,
            category=courses,
            author=author,
            title=f"Courses à l'épicerie n° {number}"
            if number % every == 0
            else f"Jardin {number}",
            description="Un coup de main dans le quartier.",
        )
        for number in range(count)
    )
    Photo.objects.bulk_create(
        Photo(post=post, image=f"mutual_aid/photos/p{post.pk}.jpg", width=10, height=10)
        for post in posts[-30:]
    )


def _queries_of(client: Client, **query: str) -> int:
    """The queries of one page, without django-tenants' `SET search_path` before each."""
    with CaptureQueriesContext(connection) as queries:
        _list(client, **query)
    return sum(not query["sql"].startswith("SET search_path") for query in queries)


def test_list_and_search_cost_the_same_at_100_and_5000_posts(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    client = client_for(town_a, resident_a)
    with schema_context(town_a.schema_name):
        _bulk_posts(100, resident_a)
    _list(client)  # the session and the site's look are read once, then cached
    small = {name: _queries_of(client, **query) for name, query in SEARCHES.items()}
    with schema_context(town_a.schema_name):
        _bulk_posts(4_900, resident_a)
        assert Post.objects.count() == 5_000
    large = {name: _queries_of(client, **query) for name, query in SEARCHES.items()}
    assert large == small
    # The session, the user, the unread notifications, then the count, the page of posts,
    # their photos, the categories and the neighbourhoods of the filters: a row more never
    # costs a query more.
    assert small["list"] == 8, small


SEARCHES: dict[str, dict[str, str]] = {
    "list": {},
    "search": {"q": "epicerie"},
    "filtered": {"q": "epicerie", "kind": "offer", "category": "courses", "page": "2"},
}


def test_the_search_uses_its_index_at_scale(town_a: Collectivite, resident_a: User) -> None:
    """A word few posts have is found through the GIN index, not by reading every post. (A
    word one post in ten has is found faster by reading the newest posts until 20 match:
    PostgreSQL then rightly walks the newest-first index.)"""
    from mutual_aid import queries

    with schema_context(town_a.schema_name):
        _bulk_posts(5_000, resident_a, every=500)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE mutual_aid_post")
        found = queries.browse(resident_a, queries.Filters(q="epicerie"))
        page_plan = found[: queries.PAGE_SIZE].explain()
        count_plan = found.explain()
        assert found.count() == 10
    assert "mutual_aid_post_search" in page_plan, page_plan
    assert "mutual_aid_post_search" in count_plan, count_plan
