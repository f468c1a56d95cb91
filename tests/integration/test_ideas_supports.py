"""Supporting and following ideas, and the list: sorting, filters, search, pages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import User
from participation.ideas.factories import IdeaSupportFactory, idea_category
from participation.ideas.models import Idea, IdeaFollow, IdeaSettings, IdeaSupport
from tenants.models import Collectivite
from tests.helpers import body
from tests.ideas_support import new_idea, reload
from tests.mutual_aid_support import suspend

pytestmark = pytest.mark.django_db


def _support(client: Client, idea: Idea) -> str:
    response = client.post(reverse("ideas:support", args=[idea.pk]), follow=True)
    return body(response)


def test_a_resident_supports_an_idea_once(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    idea = new_idea(town_a)
    client = client_for(town_a, resident_a)
    assert "Merci : vous soutenez cette idée." in _support(client, idea)
    page = _support(client, idea)
    assert "Vous soutenez déjà cette idée : un seul soutien par personne." in page
    assert reload(town_a, idea).support_count == 1
    with schema_context(town_a.schema_name):
        assert IdeaSupport.objects.filter(idea=idea).count() == 1


def test_an_author_may_support_their_own_idea_once_not_twice(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    idea = new_idea(town_a, author=resident_a)
    client = client_for(town_a, resident_a)
    assert "Merci : vous soutenez cette idée." in _support(client, idea)
    page = _support(client, idea)
    assert "Vous soutenez déjà votre propre idée : un seul soutien par personne." in page
    assert reload(town_a, idea).support_count == 1


def test_a_support_can_be_withdrawn(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    idea = new_idea(town_a)
    client = client_for(town_a, resident_a)
    _support(client, idea)
    response = client.post(reverse("ideas:withdraw", args=[idea.pk]), follow=True)
    assert "Votre soutien est retiré." in body(response)
    assert reload(town_a, idea).support_count == 0
    # Withdrawing again changes nothing.
    client.post(reverse("ideas:withdraw", args=[idea.pk]))
    assert reload(town_a, idea).support_count == 0


def test_a_suspended_resident_cannot_support(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    idea = new_idea(town_a)
    with schema_context(town_a.schema_name):
        suspend(None, resident_a)
    page = _support(client_for(town_a, resident_a), idea)
    assert "suspendu" in page
    assert reload(town_a, idea).support_count == 0


def test_a_merged_or_closed_idea_takes_no_support(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    done = new_idea(town_a, status=Idea.Status.DONE)
    page = _support(client_for(town_a, resident_a), done)
    assert "Cette idée est close" in page
    assert reload(town_a, done).support_count == 0


def test_follow_and_unfollow(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    idea = new_idea(town_a)
    client = client_for(town_a, resident_a)
    client.post(reverse("ideas:follow", args=[idea.pk]))
    client.post(reverse("ideas:follow", args=[idea.pk]))
    with schema_context(town_a.schema_name):
        assert IdeaFollow.objects.filter(idea=idea, user=resident_a).count() == 1
    client.post(reverse("ideas:unfollow", args=[idea.pk]))
    with schema_context(town_a.schema_name):
        assert not IdeaFollow.objects.filter(idea=idea, user=resident_a).exists()


# --- The list -----------------------------------------------------------------------------


def _titles(client: Client, **query: str) -> list[str]:
    response = client.get(reverse("ideas:list"), query)
    assert response.status_code == 200
    page = body(response)
    with schema_context(client.town_schema):  # type: ignore[attr-defined]
        titles = list(Idea.objects.values_list("title", flat=True))
    found = [(page.find(f">{title}<"), title) for title in titles if f">{title}<" in page]
    return [title for _position, title in sorted(found)]


@pytest.fixture
def browsing(client_for: Callable[..., Client], town_a: Collectivite, resident_a: User) -> Client:
    client = client_for(town_a, resident_a)
    client.town_schema = town_a.schema_name  # type: ignore[attr-defined]
    now = timezone.now()
    with schema_context(town_a.schema_name):
        old = new_idea(town_a, title="Ancienne", support_count=9, comment_count=1)
        Idea.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=9), answered_at=now)
        new_idea(town_a, title="Récente", support_count=1, comment_count=7)
        middle = new_idea(
            town_a,
            title="Moyenne",
            support_count=4,
            category=idea_category("ecoles-jeunesse"),
            status=Idea.Status.UNDER_STUDY,
        )
        Idea.objects.filter(pk=middle.pk).update(created_at=now - timedelta(days=2))
    return client


def test_the_list_sorts_by_support_by_default(browsing: Client) -> None:
    assert _titles(browsing) == ["Ancienne", "Moyenne", "Récente"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("newest", ["Récente", "Moyenne", "Ancienne"]),
        ("discussed", ["Récente", "Ancienne", "Moyenne"]),
        # The answered one first; the others after, newest row first.
        ("answered", ["Ancienne", "Moyenne", "Récente"]),
    ],
)
def test_the_list_sorts(browsing: Client, sort: str, expected: list[str]) -> None:
    assert _titles(browsing, sort=sort) == expected


def test_the_list_filters_by_category_and_status(browsing: Client) -> None:
    assert _titles(browsing, category="ecoles-jeunesse") == ["Moyenne"]
    assert _titles(browsing, status="under_study") == ["Moyenne"]
    assert _titles(browsing, status="submitted") == ["Ancienne", "Récente"]


def test_the_list_searches_without_accents(browsing: Client, town_a: Collectivite) -> None:
    new_idea(town_a, title="Jardin partagé", description="Près de la médiathèque")
    assert _titles(browsing, q="mediatheque") == ["Jardin partagé"]


def test_hidden_and_merged_ideas_stay_out_of_the_list(
    browsing: Client, town_a: Collectivite
) -> None:
    new_idea(town_a, title="Masquée", hidden_at=timezone.now())
    new_idea(town_a, title="Fusionnée", status=Idea.Status.MERGED)
    assert _titles(browsing) == ["Ancienne", "Moyenne", "Récente"]


def test_the_list_is_paginated(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    for n in range(23):
        new_idea(town_a, title=f"Idée paginée {n}")
    client = client_for(town_a, resident_a)
    first = body(client.get(reverse("ideas:list"), {"sort": "newest"}))
    second = body(client.get(reverse("ideas:list"), {"sort": "newest", "page": "2"}))
    assert "Page 1 sur 2" in first
    assert first.count("Idée paginée") == 20
    assert second.count("Idée paginée") == 3
    assert "sort=newest&amp;page=2" in first


def test_the_threshold_flags_ideas_the_town_promised_to_study(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    idea = new_idea(town_a, title="Très soutenue")
    with schema_context(town_a.schema_name):
        for _n in range(3):
            IdeaSupportFactory(idea=idea, user=UserFactory())
        IdeaSettings.objects.create(pk=1, support_threshold=3)
        Idea.objects.filter(pk=idea.pk).update(support_count=3)
    new_idea(town_a, title="Peu soutenue", support_count=2)
    page = body(client_for(town_a, resident_a).get(reverse("ideas:list")))
    assert page.count("À étudier par la collectivité") == 1
    assert "À partir de 3 soutiens" in page
