"""Nobody but its two participants reads or writes a town A conversation: not a guest, not
another resident of A, not a resident of B (on B's site or with B's cookie on A's), by any
URL, id or notification link; nobody but the author marks help given on a post."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from mutual_aid.conversations import services
from mutual_aid.factories import PostFactory
from mutual_aid.models import Conversation, Message, Post
from notifications.models import Notification
from tenants.models import AuditEntry
from tests.helpers import body, probe

pytestmark = pytest.mark.django_db

SECRET_MESSAGE = "Mon code de porte est 4512B"
SECRET_REPLY = "Je passerai par le portail du fond"
SECRET_TITLE = "Courses pour Mme Secrète"


@pytest.fixture
def a_talks(town_a) -> dict[str, Any]:
    """In town A: Colette's post, Bastien's conversation about it, a reply, their notices."""
    with schema_context(town_a.schema_name):
        author = UserFactory.create(display_name="Colette")
        respondent = UserFactory.create(display_name="Bastien")
        post = PostFactory.create(author=author, title=SECRET_TITLE)
        conversation = services.start_conversation(post, respondent, body=SECRET_MESSAGE)
        services.send_message(conversation, author, body=SECRET_REPLY)
        conversation.refresh_from_db()
        links = list(Notification.objects.values_list("url", flat=True))
        journal = list(AuditEntry.objects.values_list("pk", flat=True))
    assert len(links) == 2
    return {
        "author": author,
        "respondent": respondent,
        "post": post,
        "conversation": conversation,
        "links": links,
        "journal": journal,
    }


def _intruders(client_for, town_a, town_b, resident_a, resident_b) -> list[Client]:
    stolen = client_for(town_b, resident_b)
    stolen.defaults["HTTP_HOST"] = town_a.primary_host  # B's session cookie on A's site
    return [
        client_for(town_a),  # a guest of A is sent to log in
        client_for(town_a, resident_a),  # another resident of A
        stolen,
        client_for(town_b, resident_b),  # B's resident on B's own site, with A's ids
        client_for(None),  # the platform's root domain
    ]


def _conversation_urls(a: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    conversation, post = a["conversation"].pk, a["post"].pk
    return [
        ("get", reverse("mutual_aid:conversation", args=[conversation]), {}),
        ("post", reverse("mutual_aid:conversation", args=[conversation]), {"body": "Intrus"}),
        *[("get", link, {}) for link in a["links"]],
        ("get", reverse("mutual_aid:mark_helped", args=[post]), {}),
        ("post", reverse("mutual_aid:mark_helped", args=[post]), {"thanks_public": "on"}),
    ]


def _assert_a_untouched(town_a, a: dict[str, Any]) -> None:
    with schema_context(town_a.schema_name):
        assert list(Message.objects.order_by("pk").values_list("body", flat=True)) == [
            SECRET_MESSAGE,
            SECRET_REPLY,
        ]
        assert Conversation.objects.count() == 1
        assert Post.objects.get(pk=a["post"].pk).status == Post.Status.OPEN
        conversation = Conversation.objects.get()
        assert conversation.author_read_at == a["conversation"].author_read_at
        assert conversation.respondent_read_at == a["conversation"].respondent_read_at
        assert list(AuditEntry.objects.values_list("pk", flat=True)) == a["journal"]


def test_only_the_two_participants_reach_the_conversation(
    client_for, town_a, town_b, resident_a, resident_b, a_talks
) -> None:
    leaked = [SECRET_MESSAGE, SECRET_REPLY, SECRET_TITLE]
    for client in _intruders(client_for, town_a, town_b, resident_a, resident_b):
        for method, path, data in _conversation_urls(a_talks):
            probe(client, path, method=method, data=data, leaked=leaked)
    _assert_a_untouched(town_a, a_talks)


def test_the_respondent_cannot_mark_help_given_on_the_authors_post(
    client_for, town_a, a_talks
) -> None:
    respondent = client_for(town_a, a_talks["respondent"])
    post = a_talks["post"].pk
    probe(respondent, reverse("mutual_aid:mark_helped", args=[post]), method="post", data={})
    _assert_a_untouched(town_a, a_talks)


def test_each_inbox_shows_only_its_owners_conversations(
    client_for, town_a, town_b, resident_a, resident_b, a_talks
) -> None:
    pages = [reverse("mutual_aid:conversations"), reverse("mutual_aid:my_answers")]
    for client in (client_for(town_a, resident_a), client_for(town_b, resident_b)):
        for path in pages:
            response = client.get(path)
            assert response.status_code == 200
            assert SECRET_TITLE not in body(response)
    stolen = client_for(town_b, resident_b)
    stolen.defaults["HTTP_HOST"] = town_a.primary_host
    for client in (client_for(town_a), stolen, client_for(None)):
        for path in [*pages, reverse("mutual_aid:following")]:
            probe(client, path, leaked=[SECRET_TITLE])
    # The participants themselves do see it.
    author = client_for(town_a, a_talks["author"])
    assert SECRET_TITLE in body(author.get(pages[0]))


def test_town_b_cannot_answer_a_town_a_post(
    client_for, town_a, town_b, resident_b, a_talks
) -> None:
    stolen = client_for(town_b, resident_b)
    stolen.defaults["HTTP_HOST"] = town_a.primary_host
    answer = reverse("mutual_aid:answer", args=[a_talks["post"].pk])
    for client in (stolen, client_for(town_b, resident_b), client_for(town_a)):
        probe(client, answer, method="post", data={"body": "Depuis B"}, leaked=[SECRET_TITLE])
    _assert_a_untouched(town_a, a_talks)
