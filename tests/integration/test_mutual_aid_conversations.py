"""Answering a post: conversations, messages, read state, help marked given (the services)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import User
from mutual_aid.access import NotAllowed
from mutual_aid.conversations import services
from mutual_aid.factories import ConversationFactory, MessageFactory, PostFactory, category
from mutual_aid.models import MESSAGE_MAX, Conversation, Message, MutualAidSettings, Post
from notifications.models import Notification
from tenants.models import AuditEntry, Collectivite
from tests.mutual_aid_support import block, suspend, verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def in_a(town_a: Collectivite) -> Iterator[Collectivite]:
    with schema_context(town_a.schema_name):
        yield town_a


@pytest.fixture
def author(in_a: Collectivite) -> User:
    return UserFactory.create(display_name="Colette")


@pytest.fixture
def neighbour(in_a: Collectivite) -> User:
    return UserFactory.create(display_name="Bastien")


@pytest.fixture
def post(author: User) -> Post:
    return PostFactory.create(author=author, title="Courses du samedi")


def _notices(person: User, kind: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=person, kind=kind))


# --- Answering ---------------------------------------------------------------------------


def test_an_answer_opens_a_conversation_with_its_first_message(post, author, neighbour) -> None:
    conversation = services.start_conversation(post, neighbour, body="  Je peux aider.  ")
    assert (conversation.author, conversation.respondent) == (author, neighbour)
    assert conversation.post_title == "Courses du samedi"
    assert [m.body for m in conversation.messages.all()] == ["Je peux aider."]
    assert conversation.respondent_read_at is not None and conversation.author_read_at is None


def test_the_author_is_told_with_a_link_and_no_message_text(post, author, neighbour) -> None:
    conversation = services.start_conversation(post, neighbour, body="Mon texte privé")
    [notice] = _notices(author, "mutual_aid.answer")
    assert notice.url == f"/entraide/conversations/{conversation.pk}/"
    assert notice.title == "Bastien a répondu à votre annonce « Courses du samedi »"
    assert "Mon texte privé" not in notice.title + notice.body
    assert notice.actor == neighbour


def test_a_second_answer_by_the_same_person_goes_into_their_conversation(post, neighbour) -> None:
    first = services.start_conversation(post, neighbour, body="Bonjour")
    again = services.start_conversation(post, neighbour, body="Je suis libre samedi")
    assert again.pk == first.pk
    assert Conversation.objects.filter(post=post).count() == 1
    assert list(first.messages.values_list("body", flat=True)) == [
        "Bonjour",
        "Je suis libre samedi",
    ]


def test_nobody_answers_their_own_post(post, author) -> None:
    with pytest.raises(NotAllowed, match="votre propre annonce"):
        services.start_conversation(post, author, body="Moi-même")
    assert not Conversation.objects.exists()


@pytest.mark.parametrize(
    "change",
    [
        {"status": Post.Status.CLOSED},
        {"status": Post.Status.HELPED},
        {"expires_at": timezone.now() - timedelta(minutes=1)},
        {"hidden_at": timezone.now()},
        {"deleted_at": timezone.now()},
    ],
    ids=["closed", "helped", "expired", "hidden", "deleted"],
)
def test_a_post_no_longer_open_takes_no_answer(post, neighbour, change) -> None:
    Post.objects.filter(pk=post.pk).update(**change)
    with pytest.raises(NotAllowed, match="n.accepte plus de réponses"):
        services.start_conversation(post, neighbour, body="Bonjour")
    assert not Conversation.objects.exists()


def test_a_suspended_resident_cannot_answer(post, neighbour, monkeypatch) -> None:
    suspend(monkeypatch, neighbour)
    with pytest.raises(NotAllowed, match="suspendu"):
        services.start_conversation(post, neighbour, body="Bonjour")
    assert not Conversation.objects.exists()


def test_blocked_people_cannot_answer_each_other(post, author, neighbour, monkeypatch) -> None:
    block(monkeypatch, author, neighbour)
    with pytest.raises(NotAllowed, match="ne pouvez pas écrire"):
        services.start_conversation(post, neighbour, body="Bonjour")
    assert not Conversation.objects.exists()


def test_the_town_may_keep_sensitive_posts_for_verified_residents(
    author, neighbour, monkeypatch
) -> None:
    MutualAidSettings.objects.update_or_create(pk=1, defaults={"sensitive_verified_only": True})
    childcare = PostFactory.create(author=author, category=category("garde-enfants"))
    with pytest.raises(NotAllowed, match="vérifiés"):
        services.start_conversation(childcare, neighbour, body="Bonjour")
    verified(monkeypatch, neighbour)
    assert services.start_conversation(childcare, neighbour, body="Bonjour").pk


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Écrivez votre message"),
        ("   \n ", "Écrivez votre message"),
        ("x" * 10_000, "trop long"),
    ],
    ids=["empty", "blank", "10000-characters"],
)
def test_an_empty_or_too_long_message_is_refused_in_french(post, neighbour, body, message) -> None:
    with pytest.raises(ValidationError, match=message):
        services.start_conversation(post, neighbour, body=body)
    assert not Conversation.objects.exists()


def test_a_message_of_the_maximum_length_is_kept(post, neighbour) -> None:
    conversation = services.start_conversation(post, neighbour, body="é" * MESSAGE_MAX)
    assert len(conversation.messages.get().body) == MESSAGE_MAX


# --- Safeguarding ---------------------------------------------------------------------------


@pytest.fixture
def sensitive_post(author: User) -> Post:
    return PostFactory.create(
        author=author, category=category("garde-enfants"), title="Garde le mercredi"
    )


@pytest.mark.parametrize(
    "body",
    ["Appelez-moi au 06 12 34 56 78", "Voir www.exemple.fr", "Écrivez-moi : moi@exemple.fr"],
)
def test_a_first_sensitive_message_carries_no_phone_nor_link(sensitive_post, neighbour, body):
    with pytest.raises(ValidationError, match="Pour votre sécurité"):
        services.start_conversation(sensitive_post, neighbour, body=body)
    assert not Conversation.objects.exists()


def test_a_first_message_on_an_ordinary_post_may_carry_a_phone(post, neighbour) -> None:
    conversation = services.start_conversation(post, neighbour, body="Mon numéro : 06 12 34 56 78")
    assert conversation.messages.count() == 1


def test_after_the_first_messages_details_may_be_shared(sensitive_post, author, neighbour):
    conversation = services.start_conversation(sensitive_post, neighbour, body="Bonjour")
    # The author's first message is a first message too: they are unknown to the neighbour.
    with pytest.raises(ValidationError, match="Pour votre sécurité"):
        services.send_message(conversation, author, body="Appelez le 0612345678")
    services.send_message(conversation, author, body="Bonjour, parlons-en ici.")
    services.send_message(conversation, author, body="Mon numéro : 06 12 34 56 78")
    services.send_message(conversation, neighbour, body="Le mien : +33 6 98 76 54 32")
    assert conversation.messages.count() == 4


# --- Messages -------------------------------------------------------------------------------


@pytest.fixture
def conversation(post: Post, neighbour: User) -> Conversation:
    return services.start_conversation(post, neighbour, body="Bonjour")


def test_a_reply_moves_the_conversation_up_and_counts_as_read_by_its_sender(
    conversation, author
) -> None:
    message = services.send_message(conversation, author, body="Merci !")
    conversation.refresh_from_db()
    assert conversation.last_message_at == message.created_at
    assert conversation.author_read_at == message.created_at


def test_the_other_person_is_told_once_until_they_read(conversation, author, neighbour) -> None:
    services.send_message(conversation, author, body="Un")
    services.send_message(conversation, author, body="Deux")
    assert len(_notices(neighbour, "mutual_aid.message")) == 1
    conversation.refresh_from_db()
    services.mark_read(conversation, neighbour)
    services.send_message(conversation, author, body="Trois")
    notices = _notices(neighbour, "mutual_aid.message")
    assert len(notices) == 2
    assert notices[0].title == "Nouveau message de Colette à propos de « Courses du samedi »"


def test_an_outsider_cannot_write_in_a_conversation(conversation, in_a) -> None:
    with pytest.raises(NotAllowed):
        services.send_message(conversation, UserFactory.create(), body="Intrus")
    assert conversation.messages.count() == 1


def test_a_suspended_participant_cannot_write(conversation, neighbour, monkeypatch) -> None:
    suspend(monkeypatch, neighbour)
    with pytest.raises(NotAllowed, match="suspendu"):
        services.send_message(conversation, neighbour, body="Encore moi")
    assert conversation.messages.count() == 1


def test_a_deleted_post_keeps_its_conversation_readable_but_closed(
    conversation, post, author
) -> None:
    Post.objects.filter(pk=post.pk).update(deleted_at=timezone.now())
    with pytest.raises(NotAllowed, match="supprimée"):
        services.send_message(conversation, author, body="Encore")


def test_nobody_writes_to_someone_who_left(conversation, neighbour, author) -> None:
    author.delete()
    conversation.refresh_from_db()
    assert conversation.author is None
    with pytest.raises(NotAllowed, match="quitté le site"):
        services.send_message(conversation, neighbour, body="Vous êtes là ?")


def test_blocked_participants_cannot_write(conversation, author, neighbour, monkeypatch) -> None:
    block(monkeypatch, author, neighbour)
    with pytest.raises(NotAllowed, match="ne pouvez pas écrire"):
        services.send_message(conversation, author, body="Bonjour")


def test_mark_read_stamps_once_and_only_the_readers_side(conversation, author) -> None:
    assert services.mark_read(conversation, author) is True
    conversation.refresh_from_db()
    assert conversation.author_read_at is not None
    assert services.mark_read(conversation, author) is False


def test_mark_read_refuses_an_outsider(conversation, in_a) -> None:
    with pytest.raises(NotAllowed):
        services.mark_read(conversation, UserFactory.create())


# --- Help given -----------------------------------------------------------------------------


def test_the_author_marks_the_help_given_and_thanks_publicly(
    conversation, post, author, neighbour
) -> None:
    marked = services.mark_helped(
        post, author, helper=neighbour, thanks="Merci   Bastien !", thanks_public=True
    )
    assert marked.status == Post.Status.HELPED and marked.helped_at is not None
    assert (marked.helper, marked.thanks, marked.thanks_public) == (
        neighbour,
        "Merci Bastien !",
        True,
    )
    [entry] = AuditEntry.objects.filter(action="post.helped")
    assert entry.after == {
        "status": "helped",
        "helper": "Bastien",
        "thanks": "Merci Bastien !",
        "thanks_public": True,
    }
    assert neighbour.email not in str(entry.after)
    [notice] = _notices(neighbour, "mutual_aid.thanks")
    assert notice.body == "Merci Bastien !"
    assert notice.url == f"/entraide/conversations/{conversation.pk}/"


def test_marking_it_again_the_same_way_changes_nothing(conversation, post, author, neighbour):
    services.mark_helped(post, author, helper=neighbour, thanks="Merci")
    services.mark_helped(post, author, helper=neighbour, thanks="Merci")
    assert AuditEntry.objects.filter(action="post.helped").count() == 1
    assert len(_notices(neighbour, "mutual_aid.thanks")) == 1


def test_help_given_without_naming_anyone(post, author) -> None:
    marked = services.mark_helped(post, author)
    assert marked.status == Post.Status.HELPED and marked.helper is None


def test_the_helper_is_one_of_the_people_the_author_talked_with(post, author, in_a) -> None:
    with pytest.raises(NotAllowed, match="personnes avec qui"):
        services.mark_helped(post, author, helper=UserFactory.create())
    post.refresh_from_db()
    assert post.status == Post.Status.OPEN


def test_only_the_author_marks_the_help_given(conversation, post, neighbour) -> None:
    with pytest.raises(NotAllowed, match="Seul l’auteur"):
        services.mark_helped(post, neighbour, helper=neighbour)
    post.refresh_from_db()
    assert post.status == Post.Status.OPEN
    assert not AuditEntry.objects.filter(action="post.helped").exists()


def test_thanks_need_a_helper_and_a_reasonable_length(conversation, post, author, neighbour):
    with pytest.raises(ValidationError, match="Choisissez qui"):
        services.mark_helped(post, author, thanks="Merci")
    with pytest.raises(ValidationError, match="trop long"):
        services.mark_helped(post, author, helper=neighbour, thanks="m" * 501)
    post.refresh_from_db()
    assert post.status == Post.Status.OPEN


def test_private_thanks_are_not_public(conversation, post, author, neighbour) -> None:
    marked = services.mark_helped(
        post, author, helper=neighbour, thanks="Merci", thanks_public=False
    )
    assert marked.thanks_public is False


def test_a_message_is_kept_as_typed_including_html(conversation, author) -> None:
    services.send_message(conversation, author, body="<script>alert(1)</script>")
    assert Message.objects.filter(body="<script>alert(1)</script>").count() == 1


def test_message_factory_conversations_stay_apart(in_a) -> None:
    MessageFactory.create()
    other = ConversationFactory.create()
    assert other.messages.count() == 0
