"""What the three exchanges share: their refusal, the post they publish, the locked re-read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from mutual_aid import access
from mutual_aid.models import Category, Post
from mutual_aid.posting.photos import CheckedPhoto
from mutual_aid.posting.services import publish_post
from notifications.services import notify
from townsite.models import Neighbourhood

# The category a new exchange goes in unless the town has removed it.
DEFAULT_CATEGORY = {
    Post.Type.LOAN: "pret-objets",
    Post.Type.CARPOOL: "covoiturage",
    Post.Type.GROUP_PURCHASE: "achat-groupe",
}
# Where on the post page the exchange panel starts (notification links land there).
PANEL_ANCHOR = "#echange"


class ExchangeError(Exception):
    """Something the person can act on (dates taken, no seat left...); the message is theirs."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def clean_text(value: str, *, limit: int, required: bool, missing: str) -> str:
    """The text as kept: trimmed, present when required, never longer than the model allows."""
    text = (value or "").strip()
    if required and not text:
        raise ExchangeError(missing)
    if len(text) > limit:
        raise ExchangeError(
            _("Please write at most %(limit)s characters (you wrote %(count)s).")
            % {"limit": limit, "count": len(text)}
        )
    return text


def category_for(post_type: str) -> Category | None:
    """The exchange's own category, or "autre" if the town switched it off."""
    slugs = [DEFAULT_CATEGORY[Post.Type(post_type)], "autre"]
    found = {category.slug: category for category in Category.objects.filter(slug__in=slugs)}
    return next((found[slug] for slug in slugs if slug in found and found[slug].enabled), None)


def create_post(
    author: User,
    *,
    post_type: str,
    title: str,
    description: str,
    neighbourhood: Neighbourhood | None,
    photos: Iterable[CheckedPhoto] = (),
    **fields: Any,
) -> Post:
    """The general part of an exchange's post, published by posting's own service (the same
    checks, audit entry and followers told) in the caller's transaction, which then writes
    the details. Raises NotAllowed (suspended, not a member) or ExchangeError (bad text)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("An exchange's post is created in the transaction of its details.")
    try:
        return publish_post(
            author,
            kind=Post.Kind.OFFER,
            type=post_type,
            category=category_for(post_type),
            title=title,
            description=description,
            neighbourhood=neighbourhood,
            photos=photos,
            **fields,
        )
    except ValidationError as invalid:
        raise ExchangeError(" ".join(invalid.messages)) from invalid


def locked_post(pk: int, post_type: str) -> Post:
    """The post re-read under a row lock: every write to an exchange takes it first, so two
    decisions on one object, ride or purchase happen one after the other."""
    post = (
        Post.objects.select_for_update(of=("self",))
        .select_related("author", "category")
        .filter(pk=pk, type=post_type, deleted_at__isnull=True)
        .first()
    )
    if post is None:
        raise ExchangeError(_("This post no longer exists."))
    return post


def ensure_may_join(user: User, post: Post) -> None:
    """Ask to borrow, book a seat, commit to buy: a member, not the author, on an open post,
    between people who have not blocked each other."""
    access.ensure_may_contribute(user)
    if post.author_id == user.pk:
        raise ExchangeError(_("This is your own post."))
    if not post.is_open:
        raise ExchangeError(_("This post is no longer open."))
    if post.author is None:
        raise ExchangeError(_("The author of this post has left the site."))
    from townsite.moderation.access import is_blocked_between

    if is_blocked_between(user, post.author):
        raise ExchangeError(_("You cannot take part in this person’s posts."))


def ensure_author(user: User, post: Post) -> None:
    if post.author_id != user.pk:
        raise access.NotAllowed(_("Only the author of this post can do this."))


def post_url(post: Post) -> str:
    return reverse("mutual_aid:detail", args=[post.pk]) + PANEL_ANCHOR


def tell(recipient: User | None, kind: str, post: Post, title: str, actor: User) -> None:
    """One notification about an exchange, in the caller's transaction (nobody left: nobody)."""
    if recipient is not None:
        notify(recipient, kind, title=title, url=post_url(post), actor=actor)


def name_of(user: User | None) -> str:
    if user is None:
        return _("Former resident")
    return user.display_name or _("A neighbour")
