"""Who may see and do what in mutual aid, decided here only: pages and the API both ask.

Fetch and authorise in one step (`get_post_for`), so no view can forget a check. A refusal the
person can act on is a `NotAllowed` carrying its French message; one that must not even say
the thing exists is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from accounts.models import User
from mutual_aid.models import Conversation, MutualAidSettings, Post
from townsite.moderation import access as moderation
from townsite.moderation.errors import ContributionRefused
from townsite.setup.queries import site_look

Action = Literal["view", "edit", "answer"]


class NotAllowed(Exception):
    """A refusal with the reason the person is shown."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def module_enabled() -> bool:
    """Whether the town has mutual aid on (the set-up wizard's module switch). Cached read."""
    return bool(site_look().get("mutual_aid_enabled", True))


def module_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A mutual aid page: 404 while the town has the module off."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not module_enabled():
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def is_member(user: User | Any) -> bool:
    """Signed in on this town's site with an active account (the posts are for its members)."""
    return bool(user.is_authenticated and user.is_active)


def ensure_may_contribute(user: User | Any) -> None:
    """Post, answer, message, book, commit: raises NotAllowed with the reason otherwise."""
    if not is_member(user):
        raise NotAllowed(_("Log in to take part."))
    # A suspended resident can still read, export and delete their account, not take part.
    try:
        moderation.ensure_may_contribute(user)
    except ContributionRefused as refusal:
        raise NotAllowed(refusal.message) from refusal


def posts_for(user: User | Any) -> QuerySet[Post]:
    """The posts this person may see: a member sees the published posts of the town, an author
    also their own hidden ones, moderators every post not deleted. Guests see none."""
    if not is_member(user):
        return Post.objects.none()
    posts = Post.objects.filter(deleted_at__isnull=True)
    if user.is_moderator:
        return posts
    return posts.filter(Q(hidden_at__isnull=True) | Q(author=user))


def listed_posts(user: User | Any) -> QuerySet[Post]:
    """What the browse page and the API list: published posts (hidden ones only on their page)."""
    return posts_for(user).filter(hidden_at__isnull=True)


def get_post_for(user: User | Any, pk: int, action: Action = "view") -> Post:
    """The post, if this person may do `action` to it; 404 if they may not even see it."""
    post = (
        posts_for(user)
        .select_related("category", "author__resident_profile", "neighbourhood")
        .filter(pk=pk)
    )
    found = post.first()
    if found is None:
        raise Http404
    if action == "edit" and found.author_id != user.pk:
        raise Http404
    if action == "answer":
        ensure_may_answer(user, found)
    return found


def ensure_may_answer(user: User | Any, post: Post) -> None:
    """Start a conversation about a post: raises NotAllowed with the reason otherwise."""
    ensure_may_contribute(user)
    if post.author_id == user.pk:
        raise NotAllowed(_("This is your own post: you cannot answer it."))
    if not post.is_open:
        raise NotAllowed(_("This post is no longer open to answers."))
    if post.author is None:
        raise NotAllowed(_("The author of this post has left the site."))
    if moderation.is_blocked_between(user, post.author):
        raise NotAllowed(_("You cannot write to this person."))
    if (
        post.category.sensitive
        and not moderation.is_verified(user)
        and MutualAidSettings.load().sensitive_verified_only
    ):
        raise NotAllowed(
            _(
                "The town asks that only residents it has verified answer this kind of post. "
                "Ask the town hall to verify your account."
            )
        )


def conversations_for(user: User | Any) -> QuerySet[Conversation]:
    """The conversations this person is in (as the post's author or as the one who answered)."""
    if not is_member(user):
        return Conversation.objects.none()
    return Conversation.objects.filter(Q(author=user) | Q(respondent=user))


def get_conversation_for(user: User | Any, pk: int) -> Conversation:
    """A conversation of this person's, else 404 (moderators read reported messages elsewhere)."""
    found = conversations_for(user).select_related("post__category", "author", "respondent")
    conversation = found.filter(pk=pk).first()
    if conversation is None:
        raise Http404
    return conversation
