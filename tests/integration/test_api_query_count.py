"""The API's posts list runs the same queries at 100 and at 5,000 posts, by session or key."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from mutual_aid.factories import category
from mutual_aid.models import Photo, Post
from tests.api_support import API, call, make_key

pytestmark = pytest.mark.django_db


def add_posts(count: int) -> None:
    """`count` posts by a few authors, each with two photos (fast: one insert per table)."""
    authors = [UserFactory.create() for _ in range(5)]
    kinds = [category(slug) for slug in ("courses", "bricolage", "jardinage")]
    posts = Post.objects.bulk_create(
        Post(
            kind=Post.Kind.OFFER,
            category=kinds[number % 3],
            author=authors[number % 5],
            title=f"Coup de main à l'épicerie n° {number}",
            description="Je peux aider le samedi matin.",
        )
        for number in range(count)
    )
    Photo.objects.bulk_create(
        Photo(
            post=post,
            image=f"mutual_aid/photos/{post.pk}-{n}.jpg",
            width=640,
            height=480,
            position=n,
        )
        for post in posts
        for n in range(2)
    )


def queries_of(client, key: str = "", **query: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = call(client, "get", API + "posts/", dict(query), key=key)
    assert response.status_code == 200
    assert len(response.json()["results"]) == 20
    assert all(len(post["photos"]) == 2 for post in response.json()["results"])
    return len(captured)


@pytest.mark.parametrize("query", [{}, {"q": "epicerie"}, {"category": "courses"}])
def test_the_posts_list_costs_the_same_at_100_and_5000_posts(
    client_for, town_a, resident_a, query
) -> None:
    session = client_for(town_a, resident_a)
    key = make_key(town_a, resident_a)
    by_key = client_for(town_a)
    with schema_context(town_a.schema_name):
        add_posts(100)
    queries_of(session, **query)  # the session and the town's look are read once, then cached
    queries_of(by_key, key, **query)
    small = (queries_of(session, **query), queries_of(by_key, key, **query))
    with schema_context(town_a.schema_name):
        add_posts(4900)
        assert Post.objects.count() == 5000
    assert (queries_of(session, **query), queries_of(by_key, key, **query)) == small
