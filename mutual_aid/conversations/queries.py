"""What the conversation pages read: the inbox with unread counts, a conversation's messages."""

from __future__ import annotations

import datetime
from typing import Any, Literal

from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from accounts.models import User
from mutual_aid.access import conversations_for
from mutual_aid.models import Conversation, Message, Post

Role = Literal["", "author", "respondent"]
# Never read: every message is newer than this.
_NEVER = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)


def inbox(user: User | Any, role: Role = "") -> QuerySet[Conversation]:
    """This person's conversations, unread ones first, then by latest message; each with
    `unread` (messages from the other person not yet read) and `my_read_at`."""
    conversations = conversations_for(user)
    if role == "author":
        conversations = conversations.filter(author=user)
    elif role == "respondent":
        conversations = conversations.filter(respondent=user)
    unread = (
        Message.objects.filter(
            conversation=OuterRef("pk"),
            created_at__gt=OuterRef("my_read_at"),
            hidden_at__isnull=True,
        )
        .exclude(sender=user)
        .order_by()
        .values("conversation")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return (
        conversations.annotate(
            my_read_at=Coalesce(
                Case(
                    When(author=user, then=F("author_read_at")),
                    default=F("respondent_read_at"),
                    output_field=DateTimeField(),
                ),
                Value(_NEVER),
            ),
        )
        .annotate(unread=Coalesce(Subquery(unread, output_field=IntegerField()), 0))
        .annotate(
            has_unread=Case(When(unread__gt=0, then=1), default=0, output_field=IntegerField())
        )
        .select_related("post", "post__category", "author", "respondent")
        .order_by("-has_unread", "-last_message_at", "-pk")
    )


def unread_conversations(user: User | Any) -> int:
    return inbox(user).filter(Q(unread__gt=0)).count()


def on_post(user: User | Any, post: Post) -> list[Conversation]:
    """The conversations about one of this person's posts (the author's panel)."""
    return list(inbox(user, "author").filter(post=post))


def messages_of(conversation: Conversation) -> list[Message]:
    return list(conversation.messages.select_related("sender").order_by("created_at", "pk"))


def read_by_other(conversation: Conversation, viewer: User | Any, last: Message | None) -> bool:
    """Whether the other person has read the viewer's last message (the "read" mark)."""
    if last is None or last.sender_id != viewer.pk:
        return False
    other_read = (
        conversation.respondent_read_at
        if viewer.pk == conversation.author_id
        else conversation.author_read_at
    )
    return other_read is not None and other_read >= last.created_at
