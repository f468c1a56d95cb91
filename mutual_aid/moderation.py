"""Posts and private messages in the town's one moderation queue (townsite.moderation)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from mutual_aid.access import posts_for
from mutual_aid.models import Message, Post
from townsite.moderation import registry

POST_KEY = "annonce"
MESSAGE_KEY = "message"


def _post_excerpt(post: Post) -> str:
    return f"{post.title} — {post.description}"


def _may_report_post(user: User, post: Post) -> bool:
    return posts_for(user).filter(pk=post.pk).exists()


def _may_report_message(user: User, message: Message) -> bool:
    # A private message: only the two people of its conversation can see it, so report it.
    conversation = message.conversation
    return user.pk in (conversation.author_id, conversation.respondent_id)


def register() -> None:
    registry.register(
        Post,
        key=POST_KEY,
        label=_("post"),
        author=lambda post: post.author,
        excerpt=_post_excerpt,
        url=lambda post: reverse("mutual_aid:detail", args=[post.pk]),
        authored_by=lambda user: Post.objects.filter(author=user, deleted_at__isnull=True),
        can_report=_may_report_post,
    )
    registry.register(
        Message,
        key=MESSAGE_KEY,
        label=_("private message"),
        author=lambda message: message.sender,
        excerpt=lambda message: message.body,
        # Moderators read the reported message in the queue, not the rest of the conversation.
        url=lambda message: "",
        authored_by=lambda user: Message.objects.filter(sender=user),
        can_report=_may_report_message,
    )
