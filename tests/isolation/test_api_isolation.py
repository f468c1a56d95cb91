"""Nobody but its own people reads or changes town A's mutual aid through the API.

Town A holds a conversation (its secret in a message), a hidden post and a deleted one, each
with a photo, and a report. Every endpoint is tried, by every id and filter, by: a guest, town
B's resident (their session on A's host, their key on A's host), another resident of town A
(session and key), and the root domain. Then A's own people still read what is theirs.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import ApiToken, User
from mutual_aid.factories import ConversationFactory, MessageFactory, PostFactory, category
from mutual_aid.models import Conversation, Message, Post
from tests.api_support import API, assert_api_denied, call, make_key
from townsite.moderation import reporting
from townsite.moderation.models import Report

pytestmark = pytest.mark.django_db

SECRET_MESSAGE = "Le code de la porte est 4721"
SECRET_HIDDEN = "Annonce masquée de Villeneuve"
SECRET_DELETED = "Annonce supprimée de Villeneuve"
SECRET_TITLE = "Garde de Minou à Villeneuve"
SECRET_REPORT = "Il m'a menacée rue des Lilas"


@dataclass
class TownA:
    author: User
    respondent: User
    conversation: Conversation
    message: Message
    hidden: Post
    deleted: Post
    photos: list[int]
    respondent_key: str


@pytest.fixture
def a(town_a) -> TownA:
    with schema_context(town_a.schema_name):
        author, respondent = UserFactory.create(), UserFactory.create()
        post = PostFactory.create(author=author, title=SECRET_TITLE)
        conversation = ConversationFactory.create(post=post, respondent=respondent)
        message = MessageFactory.create(conversation=conversation, body=SECRET_MESSAGE)
        hidden = PostFactory.create(title=SECRET_HIDDEN, hidden_at=timezone.now())
        deleted = PostFactory.create(title=SECRET_DELETED, deleted_at=timezone.now())
        photos = [
            p.photos.create(image=f"mutual_aid/photos/{p.pk}.jpg", width=10, height=10).pk
            for p in (hidden, deleted)
        ]
    return TownA(
        author=author,
        respondent=respondent,
        conversation=conversation,
        message=message,
        hidden=hidden,
        deleted=deleted,
        photos=photos,
        respondent_key=make_key(town_a, respondent),
    )


LEAKED = [SECRET_MESSAGE, SECRET_HIDDEN, SECRET_DELETED]


def private_reads(a: TownA) -> list[tuple[str, dict]]:
    """Every read of what only A's conversation's two people (or nobody) may see."""
    conversation = a.conversation.pk
    return [
        (f"{API}conversations/{conversation}/", {}),
        (f"{API}conversations/{conversation}/messages/", {}),
        (f"{API}posts/{a.hidden.pk}/", {}),
        (f"{API}posts/{a.deleted.pk}/", {}),
        *[(f"{API}photos/{pk}/", {}) for pk in a.photos],
    ]


def lists(a: TownA) -> list[tuple[str, dict]]:
    """Lists, with every filter that could pull out what is unpublished."""
    return [
        (f"{API}posts/", {}),
        (f"{API}posts/", {"include_closed": "1"}),
        (f"{API}posts/", {"q": "masquée", "include_closed": "1"}),
        (f"{API}posts/", {"q": "supprimée", "include_closed": "1"}),
        (f"{API}posts/", {"category": a.hidden.category.slug, "include_closed": "1"}),
        (f"{API}posts/", {"kind": "offer", "include_closed": "1", "page_size": "100"}),
        (f"{API}conversations/", {}),
    ]


def writes(a: TownA) -> list[tuple[str, str, dict]]:
    """Every change an intruder could try (no write endpoint may take them)."""
    conversation = a.conversation.pk
    return [
        ("post", f"{API}conversations/{conversation}/messages/", {"body": "Piraté"}),
        ("post", f"{API}conversations/{conversation}/read/", {}),
        ("post", f"{API}conversations/", {"post": a.hidden.pk, "body": "Piraté"}),
        ("post", f"{API}conversations/", {"post": a.deleted.pk, "body": "Piraté"}),
        ("patch", f"{API}posts/{a.hidden.pk}/", {"title": "Piraté"}),
        ("patch", f"{API}posts/{a.conversation.post_id}/", {"title": "Piraté"}),
        ("patch", f"{API}posts/{a.deleted.pk}/", {"title": "Piraté"}),
        ("delete", f"{API}conversations/{conversation}/", {}),
        ("put", f"{API}posts/{a.hidden.pk}/", {"title": "Piraté"}),
    ]


@dataclass
class Intruder:
    name: str
    client: Client
    key: str = ""
    logged_in: bool = False


@pytest.fixture
def intruders(client_for, town_a, town_b, resident_b, a) -> list[Intruder]:
    stolen = client_for(town_b, resident_b)
    stolen.defaults["HTTP_HOST"] = town_a.primary_host  # B's session cookie on A's site
    with schema_context(town_a.schema_name):
        neighbour = UserFactory.create()  # another resident of A, in no conversation
    return [
        Intruder("guest of A", client_for(town_a)),
        Intruder("B's session on A's host", stolen),
        Intruder("B's key on A's host", client_for(town_a), key=make_key(town_b, resident_b)),
        Intruder("A's respondent's key on B's host", client_for(town_b), key=a.respondent_key),
        Intruder("another resident of A", client_for(town_a, neighbour), logged_in=True),
        Intruder(
            "another resident of A's key",
            client_for(town_a),
            key=make_key(town_a, neighbour),
            logged_in=True,
        ),
        Intruder("the root domain", Client(HTTP_HOST=settings.ROOT_DOMAIN)),
    ]


def test_nobody_else_reads_a_conversation_or_an_unpublished_post(intruders, a) -> None:
    for intruder in intruders:
        for path, query in private_reads(a):
            response = call(intruder.client, "get", path, query, key=intruder.key)
            assert response.status_code in {401, 404}, (intruder.name, path, response.status_code)
            assert_api_denied(response, leaked=LEAKED)


def test_lists_show_nobody_else_anything_unpublished_or_private(intruders, a) -> None:
    for intruder in intruders:
        for path, query in lists(a):
            response = call(intruder.client, "get", path, query, key=intruder.key)
            text = response.content.decode()
            for secret in LEAKED:
                assert secret not in text, (intruder.name, path, query, secret)
            if not intruder.logged_in:
                assert_api_denied(response)
                continue
            # A's other resident lists A's published posts, and no conversation of others.
            assert response.status_code == 200, (intruder.name, path)
            if path.endswith("conversations/"):
                assert response.json()["results"] == []


def test_nobody_else_changes_anything(intruders, town_a, a) -> None:
    for intruder in intruders:
        for method, path, data in writes(a):
            response = call(intruder.client, method, path, data, key=intruder.key)
            assert_api_denied(response, leaked=LEAKED)
    with schema_context(town_a.schema_name):
        assert list(Message.objects.values_list("body", flat=True)) == [SECRET_MESSAGE]
        assert set(Post.objects.filter(title="Piraté")) == set()
        assert list(Conversation.objects.values_list("pk", flat=True)) == [a.conversation.pk]
        # Nobody else marked it read.
        stamps = Conversation.objects.values_list("author_read_at", "respondent_read_at").get()
        assert stamps == (a.conversation.author_read_at, a.conversation.respondent_read_at)


def test_nobody_else_reads_a_report_or_reports_what_they_cannot_see(intruders, town_a, a) -> None:
    """A report of A's (its details secret) is read by nobody through the API; A's private
    message and unpublished posts are reported by none of the intruders (404 for all)."""
    with schema_context(town_a.schema_name):
        made = reporting.report(
            a.respondent, "personne", str(a.author.pk), reason="other", details=SECRET_REPORT
        )
    neighbour_reported = False
    for intruder in intruders:
        for method, path in (("get", f"{API}reports/"), ("get", f"{API}reports/{made.pk}/")):
            response = call(intruder.client, method, path, key=intruder.key)
            assert_api_denied(response, leaked=[SECRET_REPORT])
        for kind, target in (
            ("message", a.message.pk),
            ("annonce", a.hidden.pk),
            ("annonce", a.deleted.pk),
            ("personne", a.author.pk),
        ):
            data = {"kind": kind, "target_id": target, "reason": "spam"}
            response = call(intruder.client, "post", f"{API}reports/", data, key=intruder.key)
            if intruder.logged_in and kind == "personne":
                # A's other resident may report A's people: once (by session), then their
                # key meets their own open report.
                assert response.status_code == (409 if neighbour_reported else 201)
                neighbour_reported = True
                continue
            assert_api_denied(response, leaked=[SECRET_REPORT])
    with schema_context(town_a.schema_name):
        reported = Report.objects.values_list("target_kind", "target_id")
        assert sorted(reported) == [("personne", str(a.author.pk))] * 2


def test_nobody_from_outside_publishes_on_a_towns_site(intruders, town_a) -> None:
    with schema_context(town_a.schema_name):
        shopping = category("courses").pk
    offer = {"kind": "offer", "category": shopping, "title": "Piraté", "description": "Piraté"}
    for intruder in intruders:
        if intruder.logged_in:
            continue  # A's own residents may publish
        assert_api_denied(call(intruder.client, "post", f"{API}posts/", offer, key=intruder.key))
    with schema_context(town_a.schema_name):
        assert not Post.objects.filter(title="Piraté").exists()


def test_a_key_copied_into_another_town_opens_nothing(client_for, town_a, town_b, a) -> None:
    """Even a row with the very same hash in town B (a twin): the hash is bound to A's schema."""
    with schema_context(town_a.schema_name):
        stored = ApiToken.objects.get(user=a.respondent).token_hash
    with schema_context(town_b.schema_name):
        twin = UserFactory.create(display_name="Jumelle")
        ApiToken.objects.create(user=twin, name="Copie", token_hash=stored)
    response = call(client_for(town_b), "get", f"{API}conversations/", key=a.respondent_key)
    assert response.status_code == 401


def test_a_towns_own_people_still_read_what_is_theirs(client_for, town_a, a) -> None:
    by_key = call(
        client_for(town_a),
        "get",
        f"{API}conversations/{a.conversation.pk}/messages/",
        key=a.respondent_key,
    )
    assert [m["body"] for m in by_key.json()["results"]] == [SECRET_MESSAGE]
    by_session = call(client_for(town_a, a.author), "get", f"{API}conversations/")
    assert [c["id"] for c in by_session.json()["results"]] == [a.conversation.pk]
