"""An idea's thread is rendered once for the town's members; each sees their own comments as
their author (change, delete, their hidden comment's text) and nothing of another's; the team
sees every hidden comment; a new comment or a hidden one shows at once; a reply goes through
the thread's one form. Tests render every page uncached (settings): these turn the cache on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import User
from participation.ideas import comments
from participation.ideas.factories import IdeaFactory
from participation.ideas.models import Idea, IdeaComment
from tenants.models import Collectivite
from tests.helpers import body
from tests.ideas_support import as_user
from townsite.moderation.services import hide_content

pytestmark = pytest.mark.django_db


@pytest.fixture
def cached(settings: Any) -> None:
    settings.IDEAS_LIST_CACHE_SECONDS = 30


def _page(client: Client, idea: Idea, query: str = "") -> str:
    response = client.get(f"/idees/{idea.pk}/{query}")
    assert response.status_code == 200
    return body(response)


def _comment_html(page: str, comment: IdeaComment) -> str:
    start = page.index(f'id="commentaire-{comment.pk}"')
    return page[start : page.index(f"<!--/comment:{comment.pk}-->", start)]


@pytest.fixture
def debate(
    town_a: Collectivite, resident_a: User, django_capture_on_commit_callbacks: Any
) -> dict[str, Any]:
    with schema_context(town_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        idea = IdeaFactory.create(title="Un jardin partagé")
        neighbour = UserFactory.create()
        mine = comments.add_comment(as_user(town_a, resident_a), idea, "Mon avis à moi")
        theirs = comments.add_comment(neighbour, idea, "L’avis du voisin")
    return {"idea": idea, "neighbour": neighbour, "mine": mine, "theirs": theirs}


def test_each_member_sees_their_own_comments_as_their_author(
    cached: None,
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    debate: dict[str, Any],
) -> None:
    page = _page(client_for(town_a, resident_a), debate["idea"])
    assert "Supprimer" in _comment_html(page, debate["mine"])
    assert "Signaler" in _comment_html(page, debate["theirs"])
    assert "Supprimer" not in _comment_html(page, debate["theirs"])
    # The neighbour reads the same thread from the cache, with their own comment as theirs.
    with CaptureQueriesContext(connection) as queries:
        page = _page(client_for(town_a, debate["neighbour"]), debate["idea"])
    # No read of the thread; only the neighbour's own comment, to render it as theirs.
    thread = '"participation_ideacomment"."idea_id" ='
    assert not [q for q in queries.captured_queries if thread in q["sql"]]
    assert "Supprimer" in _comment_html(page, debate["theirs"])
    assert "Supprimer" not in _comment_html(page, debate["mine"])
    assert "Signaler" in _comment_html(page, debate["mine"])


def test_a_new_or_hidden_comment_shows_at_once_the_author_still_reads_theirs(
    cached: None,
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    moderator_a: User,
    debate: dict[str, Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    reader = client_for(town_a, _member(town_a))
    assert "L’avis du voisin" in _page(reader, debate["idea"])
    with schema_context(town_a.schema_name), django_capture_on_commit_callbacks(execute=True):
        comments.add_comment(debate["neighbour"], debate["idea"], "Un avis de plus")
        hide_content(moderator_a, "commentaire-idee", str(debate["mine"].pk), reason="Hors sujet")
    page = _page(reader, debate["idea"])
    assert "Un avis de plus" in page
    assert "Mon avis à moi" not in page
    assert "Commentaire masqué par les modérateurs." in page
    # Its author still reads it, marked hidden; the team reads it too.
    own = _comment_html(_page(client_for(town_a, resident_a), debate["idea"]), debate["mine"])
    assert "Mon avis à moi" in own and "masqué par les modérateurs" in own
    assert "Mon avis à moi" in _page(client_for(town_a, moderator_a), debate["idea"])


def _member(town: Collectivite) -> User:
    with schema_context(town.schema_name):
        return UserFactory.create()


def test_a_reply_goes_through_the_thread_s_one_form(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    debate: dict[str, Any],
) -> None:
    client = client_for(town_a, resident_a)
    page = _page(client, debate["idea"])
    assert f'href="?repondre={debate["theirs"].pk}#comment-form"' in page
    assert page.count("<textarea") == 1  # not one form per comment
    replying = _page(client, debate["idea"], f"?repondre={debate['theirs'].pk}")
    assert f'name="parent" value="{debate["theirs"].pk}"' in replying
    assert "Votre réponse au commentaire de" in replying
    response = client.post(
        f"/idees/{debate['idea'].pk}/commenter/",
        {"body": "Je réponds", "parent": debate["theirs"].pk},
    )
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        reply = IdeaComment.objects.get(body="Je réponds")
    assert (reply.parent_id, reply.depth) == (debate["theirs"].pk, 1)
