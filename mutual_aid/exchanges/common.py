"""What the three exchanges share: their refusal, the post they create, the locked re-read."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import User
from mutual_aid import access
from mutual_aid.following.services import on_post_published
from mutual_aid.models import TEXT_MAX, TITLE_MAX, Category, Post
from notifications.services import notify
from tenants import audit
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


def category_for(post_type: str) -> Category:
    slug = DEFAULT_CATEGORY[Post.Type(post_type)]
    return Category.objects.filter(slug=slug).first() or Category.objects.get(slug="autre")


def create_post(
    author: User,
    *,
    post_type: str,
    title: str,
    description: str,
    description_required: bool,
    neighbourhood: Neighbourhood | None,
    **fields: Any,
) -> Post:
    """The general part of an exchange's post, written in the caller's transaction, with its
    audit entry. Raises NotAllowed (suspended, not a member) or ExchangeError (bad text)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("An exchange's post is created in the transaction of its details.")
    access.ensure_may_contribute(author)
    post = Post.objects.create(
        kind=Post.Kind.OFFER,
        type=post_type,
        category=category_for(post_type),
        author=author,
        title=clean_text(title, limit=TITLE_MAX, required=True, missing=_("Please give a title.")),
        description=clean_text(
            description,
            limit=TEXT_MAX,
            required=description_required,
            missing=_("Please write a few words of description."),
        ),
        neighbourhood=neighbourhood,
        **fields,
    )
    audit.record(
        "post.create",
        actor=author,
        target=post,
        target_label=post.title,
        after={"category": post.category.name},
    )
    # The residents following this category or place are told, once this commits.
    on_post_published(post)
    return post


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
