"""Two first answers by the same person at the same instant, from two threads with their own
connections: one conversation holding both messages, and neither answer refused.

What the threads share must be committed: the set-up is committed and removed afterwards.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connections
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import User
from mutual_aid.conversations import services
from mutual_aid.factories import PostFactory
from mutual_aid.models import Conversation, Message, Post
from tenants.models import Collectivite
from tests.conftest import TOWNS


@pytest.fixture
def committed_post(django_db_setup: None, django_db_blocker: Any) -> Iterator[dict[str, Any]]:
    with django_db_blocker.unblock():
        schema = Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name
        with schema_context(schema):
            author, respondent = UserFactory.create(), UserFactory.create()
            post = PostFactory.create(author=author)
    try:
        yield {"schema": schema, "post": post, "respondent": respondent}
    finally:
        with django_db_blocker.unblock(), schema_context(schema):
            Post.objects.filter(pk=post.pk).delete()
            User.objects.filter(pk__in=[author.pk, respondent.pk]).delete()


def _answer_at_once(django_db_blocker: Any, setup: dict[str, Any], count: int) -> list[Any]:
    start = threading.Barrier(count)
    outcomes: list[Any] = [None] * count

    def run(index: int) -> None:
        try:
            with schema_context(setup["schema"]):
                post = Post.objects.get(pk=setup["post"].pk)
                start.wait(timeout=10)
                try:
                    outcomes[index] = services.start_conversation(
                        post, setup["respondent"], body=f"Réponse {index}"
                    ).pk
                except Exception as error:  # noqa: BLE001 (the test reports it)
                    outcomes[index] = error
        finally:
            connections.close_all()

    with django_db_blocker.unblock():
        threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    return outcomes


@pytest.mark.parametrize("attempt", range(3))
def test_two_first_answers_at_once_make_one_conversation(
    committed_post: dict[str, Any], django_db_blocker: Any, attempt: int
) -> None:
    outcomes = _answer_at_once(django_db_blocker, committed_post, 2)
    with django_db_blocker.unblock(), schema_context(committed_post["schema"]):
        conversations = list(Conversation.objects.filter(post=committed_post["post"]))
        assert len(conversations) == 1
        assert outcomes == [conversations[0].pk, conversations[0].pk]
        bodies = Message.objects.filter(conversation=conversations[0]).values_list(
            "body", flat=True
        )
        assert sorted(bodies) == ["Réponse 0", "Réponse 1"]
