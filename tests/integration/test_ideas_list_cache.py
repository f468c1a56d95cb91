"""The idea list is rendered once and shared by the town's members; every change they should
see shows at once (a support, a comment, an answer, a merge, a hidden idea, a category); the
viewer's own badges are laid over it; a town never gets another's page; without Redis the page
still renders. Tests render every page uncached (settings): these turn the cache on."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import User
from participation.ideas import answers, comments, services, staff_services
from participation.ideas.factories import IdeaFactory, idea_category
from participation.ideas.models import Idea
from tenants.models import Collectivite
from tests.helpers import body
from tests.ideas_support import as_user
from tests.integration.test_redis_down import redis_server  # noqa: F401  # a fixture
from tests.redis_process import RedisProcess
from townsite.moderation.services import hide_content

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings: Any) -> Iterator[None]:
    settings.IDEAS_LIST_CACHE_SECONDS = 30
    yield


def _list(client: Client, path: str = "/idees/") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return body(response)


def _card(page: str, title: str) -> str:
    """The card of the idea with this title."""
    start = page.index(title)
    return page[page.rindex("<article", 0, start) : page.index("</article>", start)]


def test_other_members_get_the_page_from_the_cache(
    cached: None,
    client_for: Callable[..., Client],
    town_a: Collectivite,
    town_b: Collectivite,
    resident_a: User,
    resident_b: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with schema_context(town_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        other = UserFactory.create()
        IdeaFactory.create(title="Un banc au square", author=other)
    assert "Un banc au square" in _list(client_for(town_a, resident_a))
    with CaptureQueriesContext(connection) as queries:
        assert "Un banc au square" in _list(client_for(town_a, other))
    assert not [q for q in queries.captured_queries if 'participation_idea"' in q["sql"]]
    # Town B's members never get town A's page (the key carries the schema).
    assert "Un banc au square" not in _list(client_for(town_b, resident_b))


def test_a_support_a_comment_and_a_withdrawal_show_at_once(
    cached: None,
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with schema_context(town_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        idea = IdeaFactory.create(title="Un composteur")
        neighbour = UserFactory.create()
    viewer = client_for(town_a, resident_a)
    assert "0 soutien" in _card(_list(viewer), "Un composteur")
    with schema_context(town_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        services.support(neighbour, idea)
        comments.add_comment(neighbour, idea, "Bonne idée")
    card = _card(_list(viewer), "Un composteur")
    assert "1 soutien" in card and "1 commentaire" in card
    with schema_context(town_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        services.withdraw_support(neighbour, idea)
    assert "0 soutien" in _card(_list(viewer), "Un composteur")


def test_an_answer_a_merge_a_hidden_idea_and_a_category_show_at_once(
    cached: None,
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    moderator_a: User,
    admin_a: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with schema_context(town_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        answered = IdeaFactory.create(title="Des arceaux à vélos")
        duplicate = IdeaFactory.create(title="Des arceaux vélo")
        hidden = IdeaFactory.create(title="Une idée hors charte")
    viewer = client_for(town_a, resident_a)
    page = _list(viewer)
    assert "Proposée" in _card(page, "Des arceaux à vélos")
    assert "Des arceaux vélo" in page and "Une idée hors charte" in page
    with schema_context(town_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        staff = as_user(town_a, moderator_a)
        answers.answer_idea(staff, answered, status=Idea.Status.UNDER_STUDY, text="On étudie.")
        answers.merge_idea(staff, duplicate, answered)
        hide_content(moderator_a, "idee", str(hidden.pk), reason="Hors charte")
    page = _list(viewer)
    assert "À l’étude" in _card(page, "Des arceaux à vélos")
    assert "Des arceaux vélo" not in page and "Une idée hors charte" not in page
    with schema_context(town_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        staff_services.change_category(
            as_user(town_a, admin_a), idea_category("autre"), name="Divers", position=0,
            enabled=True,
        )  # fmt: skip
    assert "Divers" in _card(_list(viewer), "Des arceaux à vélos")


def test_each_viewer_sees_their_own_badges_on_the_shared_page(
    cached: None,
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with schema_context(town_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        mine = IdeaFactory.create(title="Mon idée à moi", author=resident_a)
        theirs = IdeaFactory.create(title="L’idée d’un voisin")
        neighbour = UserFactory.create()
        services.support(as_user(town_a, resident_a), theirs)
        services.support(neighbour, mine)
    page = _list(client_for(town_a, resident_a))
    assert "Votre idée" in _card(page, "Mon idée à moi")
    assert "Vous la soutenez" not in _card(page, "Mon idée à moi")
    assert "Vous la soutenez" in _card(page, "L’idée d’un voisin")
    # The neighbour gets the same shared page with their own badges, none of the first's.
    with CaptureQueriesContext(connection) as queries:
        page = _list(client_for(town_a, neighbour))
    assert "Votre idée" not in page
    assert "Vous la soutenez" in _card(page, "Mon idée à moi")
    assert "Vous la soutenez" not in _card(page, "L’idée d’un voisin")
    supports = [q for q in queries.captured_queries if "participation_ideasupport" in q["sql"]]
    assert len(supports) == 1
    # Theirs is kept too, until the next change: seen again, no query at all for the list.
    with CaptureQueriesContext(connection) as queries:
        assert "Vous la soutenez" in _card(_list(client_for(town_a, neighbour)), "Mon idée à moi")
    assert not [q for q in queries.captured_queries if "participation_idea" in q["sql"]]
    # The htmx fragment has them too.
    fragment = body(client_for(town_a, neighbour).get("/idees/", HTTP_HX_REQUEST="true"))
    assert "Vous la soutenez" in _card(fragment, "Mon idée à moi")


def test_the_list_renders_without_redis(
    redis_server: RedisProcess,  # noqa: F811
    cached: None,
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with schema_context(town_a.schema_name):
        IdeaFactory.create(title="Une fontaine à eau", author=resident_a)
    viewer = client_for(town_a, resident_a)
    assert "Une fontaine à eau" in _list(viewer)
    redis_server.stop()
    for _ in range(2):  # rendered each time, nothing kept
        card = _card(_list(viewer), "Une fontaine à eau")
        assert "Votre idée" in card
    with schema_context(town_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        # A change while Redis is down: its bump fails soft, the page still answers.
        services.support(as_user(town_a, resident_a), Idea.objects.get(title="Une fontaine à eau"))
    assert "1 soutien" in _card(_list(viewer), "Une fontaine à eau")
