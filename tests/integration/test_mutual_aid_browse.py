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
