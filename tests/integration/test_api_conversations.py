"""Answering and writing through the API: the conversation services, their refusals in French."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from mutual_aid.factories import ConversationFactory, MessageFactory, PostFactory, category
from mutual_aid.models import Conversation, Message
from notifications.models import Notification
from tenants.models import Collectivite
from tests.api_support import API, call, make_key
from townsite.moderation import services as moderation

pytestmark = pytest.mark.django_db

CONVERSATIONS = API + "conversations/"


@pytest.fixture
def post(town_a):
    with schema_context(town_a.schema_name):
        return PostFactory.create(author=UserFactory.create(), title="Sortir le chien")


def test_answering_a_post_opens_a_conversation_and_tells_its_author(
    client_for, town_a, resident_a, post, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = call(
            client_for(town_a),
            "post",
            CONVERSATIONS,
            {"post": post.pk, "body": "Je peux le sortir <b>mardi</b>."},
            key=make_key(town_a, resident_a),
        )
    assert response.status_code == 201, response.content
    with schema_context(town_a.schema_name):
        conversation = Conversation.objects.get()
        assert (conversation.post_id, conversation.respondent_id) == (post.pk, resident_a.pk)
        # Kept as typed; whoever shows it in HTML escapes it.
        assert conversation.messages.get().body == "Je peux le sortir <b>mardi</b>."
        assert Notification.objects.filter(recipient=post.author).count() == 1
    assert response.json()["id"] == conversation.pk
    assert response.json()["other_person"]["id"] == post.author.pk


def test_a_reply_is_sent_and_marks_what_came_before_read(
    client_for, town_a, resident_a, post
) -> None:
    with schema_context(town_a.schema_name):
        conversation = ConversationFactory.create(post=post, respondent=resident_a)
        MessageFactory.create(conversation=conversation, sender=post.author, body="Merci !")
    client = client_for(town_a, resident_a)
    assert call(client, "get", f"{CONVERSATIONS}{conversation.pk}/").json()["unread"] == 1
    sent = call(
        client, "post", f"{CONVERSATIONS}{conversation.pk}/messages/", {"body": "Avec joie"}
    )
    assert sent.status_code == 201
    assert (sent.json()["body"], sent.json()["mine"]) == ("Avec joie", True)
    assert call(client, "get", f"{CONVERSATIONS}{conversation.pk}/").json()["unread"] == 0
    thread = call(client, "get", f"{CONVERSATIONS}{conversation.pk}/messages/").json()["results"]
    assert [m["body"] for m in thread] == ["Merci !", "Avec joie"]


def test_a_conversation_is_marked_read(client_for, town_a, resident_a, post) -> None:
    with schema_context(town_a.schema_name):
        conversation = ConversationFactory.create(post=post, respondent=resident_a)
        MessageFactory.create(conversation=conversation, sender=post.author)
    client = client_for(town_a, resident_a)
    # Reading the messages does not mark them read (a GET changes nothing).
    call(client, "get", f"{CONVERSATIONS}{conversation.pk}/messages/")
    assert call(client, "get", f"{CONVERSATIONS}{conversation.pk}/").json()["unread"] == 1
    assert call(client, "post", f"{CONVERSATIONS}{conversation.pk}/read/").status_code == 204
    assert call(client, "get", f"{CONVERSATIONS}{conversation.pk}/").json()["unread"] == 0


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ("   ", "Écrivez votre message avant de l’envoyer."),
        ("x" * 10_000, "Votre message est trop long"),
    ],
)
def test_a_bad_message_is_refused_in_french_and_nothing_is_saved(
    client_for, town_a, resident_a, post, body, error
) -> None:
    client = client_for(town_a, resident_a)
    answer = call(client, "post", CONVERSATIONS, {"post": post.pk, "body": body})
    assert answer.status_code == 400
    assert answer.json()["body"][0].startswith(error)
    with schema_context(town_a.schema_name):
        conversation = ConversationFactory.create(post=post, respondent=UserFactory.create())
    client = client_for(town_a, conversation.respondent)
    reply = call(client, "post", f"{CONVERSATIONS}{conversation.pk}/messages/", {"body": body})
    assert reply.status_code == 400
    assert reply.json()["body"][0].startswith(error)
    with schema_context(town_a.schema_name):
        assert not Message.objects.exists()


def test_a_first_message_on_a_sensitive_post_carries_no_phone_number(
    client_for, town_a, resident_a
) -> None:
    with schema_context(town_a.schema_name):
        sensitive = PostFactory.create(category=category("garde-enfants"))
    response = call(
        client_for(town_a, resident_a),
        "post",
        CONVERSATIONS,
        {"post": sensitive.pk, "body": "Appelez-moi au 06 12 34 56 78"},
    )
    assert response.status_code == 400
    assert response.json()["body"][0].startswith("Pour votre sécurité")


def test_answering_ones_own_post_is_refused_with_the_reason(client_for, town_a, post) -> None:
    response = call(
        client_for(town_a, post.author), "post", CONVERSATIONS, {"post": post.pk, "body": "Moi"}
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "C'est votre propre annonce : vous ne pouvez pas y répondre."
    }


def test_a_post_one_cannot_see_cannot_be_answered(client_for, town_a, resident_a) -> None:
    with schema_context(town_a.schema_name):
        hidden = PostFactory.create(hidden_at=timezone.now())
    response = call(
        client_for(town_a, resident_a), "post", CONVERSATIONS, {"post": hidden.pk, "body": "Oui"}
    )
    assert response.status_code == 404
    with schema_context(town_a.schema_name):
        assert not Conversation.objects.exists()


def test_a_conversation_of_a_deleted_post_is_read_not_written(
    client_for, town_a, resident_a, post
) -> None:
    with schema_context(town_a.schema_name):
        conversation = ConversationFactory.create(post=post, respondent=resident_a)
        MessageFactory.create(conversation=conversation, body="Avant")
        post.deleted_at = timezone.now()
        post.save(update_fields=["deleted_at"])
    client = client_for(town_a, resident_a)
    thread = call(client, "get", f"{CONVERSATIONS}{conversation.pk}/messages/")
    assert [m["body"] for m in thread.json()["results"]] == ["Avant"]
    refused = call(client, "post", f"{CONVERSATIONS}{conversation.pk}/messages/", {"body": "Après"})
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("L’annonce a été supprimée")


def test_a_suspended_resident_reads_but_does_not_write(
    client_for, town_a, resident_a, moderator_a, post
) -> None:
    with schema_context(town_a.schema_name):
        conversation = ConversationFactory.create(post=post, respondent=resident_a)
        moderation.suspend_resident(moderator_a, "personne", str(resident_a.pk), reason="Insultes")
    client = client_for(town_a, resident_a)
    assert call(client, "get", f"{CONVERSATIONS}{conversation.pk}/messages/").status_code == 200
    refused = call(client, "post", f"{CONVERSATIONS}{conversation.pk}/messages/", {"body": "Hé"})
    assert refused.status_code == 403
    assert refused.json()["detail"].startswith("Votre compte est suspendu par les modérateurs")
    with schema_context(town_a.schema_name):
        assert not Message.objects.filter(conversation=conversation).exists()


def test_nothing_is_written_on_a_read_only_site(client_for, town_a, resident_a, post) -> None:
    key = make_key(town_a, resident_a)
    town_a.site_access = Collectivite.Access.READ_ONLY
    town_a.save(update_fields=["site_access"])
    response = call(
        client_for(town_a), "post", CONVERSATIONS, {"post": post.pk, "body": "Oui"}, key=key
    )
    assert response.status_code == 403
    # Reading goes on.
    assert call(client_for(town_a), "get", CONVERSATIONS, key=key).status_code == 200
    with schema_context(town_a.schema_name):
        assert not Conversation.objects.exists()
