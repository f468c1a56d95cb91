"""Who may see and do what in the idea box, decided here only.

Fetch and authorise in one step (`get_idea_for`), so no view can forget a check. A refusal the
person can act on is a `NotAllowed` carrying its French message; what they may not even see
is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _

from accounts.models import User
from participation.ideas.models import Idea, IdeaComment
from townsite.moderation import access as moderation
from townsite.moderation.errors import ContributionRefused
from townsite.setup.queries import site_look


class NotAllowed(Exception):
    """A refusal with the reason the person is shown."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def module_enabled() -> bool:
    """Whether the town has its idea box on (the set-up wizard's module switch)."""
    return bool(site_look().get("ideas_enabled", True))


def module_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """An idea box page: 404 while the town has the module off."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not module_enabled():
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def is_member(user: User | Any) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_staff(user: User | Any) -> bool:
    """The town's team answers ideas, merges them and runs the categories."""
    return bool(is_member(user) and user.is_moderator)


def ensure_may_contribute(user: User | Any) -> None:
    """Submit, support, comment: raises NotAllowed with the reason otherwise."""
    if not is_member(user):
        raise NotAllowed(_("Log in to take part."))
    # A suspended resident can still read the ideas, not take part.
    try:
        moderation.ensure_may_contribute(user)
    except ContributionRefused as refusal:
        raise NotAllowed(refusal.message) from refusal


def ideas_for(user: User | Any) -> QuerySet[Idea]:
    """The ideas this person may see: a member the town's visible ideas and their own hidden
    ones, the team every idea. Guests see none."""
    if not is_member(user):
        return Idea.objects.none()
    if user.is_moderator:
        return Idea.objects.all()
    return Idea.objects.filter(Q(hidden_at__isnull=True) | Q(author=user))


def listed_ideas(user: User | Any) -> QuerySet[Idea]:
    """What the list shows: visible ideas not merged away (those are on their own page). The
    same for every member, whoever they are (participation.ideas.list_cache relies on it)."""
    if not is_member(user):
        return Idea.objects.none()
    return Idea.objects.filter(hidden_at__isnull=True).exclude(status=Idea.Status.MERGED)


def get_idea_for(user: User | Any, pk: int) -> Idea:
    """The idea if this person may see it, else 404."""
    found = (
        ideas_for(user)
        .select_related("category", "neighbourhood", "author__resident_profile", "merged_into")
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


def comments_for(user: User | Any) -> QuerySet[IdeaComment]:
    """The comments this person may see (on ideas they may see): hidden ones only to their
    author and the team."""
    if not is_member(user):
        return IdeaComment.objects.none()
    comments = IdeaComment.objects.filter(idea__in=ideas_for(user))
    if user.is_moderator:
        return comments
    return comments.filter(Q(hidden_at__isnull=True) | Q(author=user))


def get_own_comment(user: User | Any, pk: int) -> IdeaComment:
    """A comment of this person's, still there, else 404."""
    found = (
        comments_for(user)
        .filter(pk=pk, author_id=user.pk, deleted_at__isnull=True)
        .select_related("idea")
        .first()
    )
    if found is None:
        raise Http404
    return found
