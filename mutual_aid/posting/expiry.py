"""Posts that expire: the reminder sent 3 days before, and its one-click renewal link.

The link carries a token signed for this town's schema, naming the post and the expiry it
was sent for: once the post is renewed (or has changed expiry) the link has done its work and
renews nothing more. It stays valid a week after that expiry, for who reads their mail late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.core import signing
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts import tokens
from mutual_aid import kinds
from mutual_aid.models import Post
from notifications.services import notify

REMIND_BEFORE = timedelta(days=3)
LINK_VALID_AFTER_EXPIRY = timedelta(days=7)
# No link lives longer than this, whatever it says (a post's life plus the margins).
LINK_MAX_AGE = timedelta(days=45)
PURPOSE = "mutual_aid.renew"
BATCH = 200


def renew_token(post: Post) -> str:
    return tokens.sign(
        {"post": post.pk, "expires": int(post.expires_at.timestamp())}, purpose=PURPOSE
    )


def renew_path(post: Post) -> str:
    return reverse("mutual_aid:renew_by_link", args=[renew_token(post)])


@dataclass(frozen=True)
class RenewLink:
    """What a renewal link points to: the post, and whether it still has work to do."""

    post: Post
    current: bool  # False: the post was renewed (or closed) since the link was sent


def read_renew_token(token: str) -> RenewLink | None:
    """The post a link of this town's is for, or None (forged, another town's, too old)."""
    try:
        value = tokens.unsign(token, purpose=PURPOSE, max_age=LINK_MAX_AGE)
        pk, expires = int(value["post"]), int(value["expires"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    post = (
        Post.objects.select_related("category", "author")
        .filter(pk=pk, deleted_at__isnull=True, author__isnull=False)
        .first()
    )
    if post is None:
        return None
    if timezone.now() > datetime.fromtimestamp(expires, tz=UTC) + LINK_VALID_AFTER_EXPIRY:
        return None
    same_expiry = int(post.expires_at.timestamp()) == expires
    return RenewLink(post=post, current=same_expiry and post.status == Post.Status.OPEN)


def _due(now: datetime) -> Q:
    """Open posts ending within 3 days whose author was not reminded yet."""
    return Q(
        status=Post.Status.OPEN,
        deleted_at__isnull=True,
        hidden_at__isnull=True,
        author__isnull=False,
        expiry_reminded_at__isnull=True,
        expires_at__gt=now,
        expires_at__lte=now + REMIND_BEFORE,
    )


def due_for_reminder(after: int = 0) -> list[int]:
    """The next batch of posts to remind, by id (a post skipped is not met again)."""
    due = Post.objects.filter(_due(timezone.now()), pk__gt=after).order_by("pk")
    return list(due.values_list("pk", flat=True)[:BATCH])


def remind_expiring_posts() -> int:
    """Tell the authors whose posts end within 3 days, once each; returns how many were told.

    Each post is marked in the transaction that writes its notification, so a run retried or
    run twice tells nobody twice; a post another run holds is skipped, not waited for."""
    told, last = 0, 0
    while ids := due_for_reminder(after=last):
        for pk in ids:
            told += remind(pk)
        last = ids[-1]
    return told


@transaction.atomic
def remind(pk: int) -> int:
    """One post: re-read under its lock (renewed, closed or told meanwhile: nothing to do)."""
    now = timezone.now()
    post = (
        Post.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("author")
        .filter(_due(now), pk=pk)
        .first()
    )
    if post is None or post.author is None:
        return 0
    post.expiry_reminded_at = now
    post.save(update_fields=["expiry_reminded_at"])
    ends = formats.date_format(timezone.localtime(post.expires_at), "DATE_FORMAT")
    notify(
        post.author,
        kinds.EXPIRY.code,
        title=_("Your post “%(title)s” ends on %(date)s") % {"title": post.title, "date": ends},
        body=_(
            "It will no longer be shown after that day. If you still need it, renew it for "
            "30 days in one click."
        ),
        url=renew_path(post),
    )
    return 1
