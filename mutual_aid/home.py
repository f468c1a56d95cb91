"""Mutual aid's block on the town's home page (registered in MutualAidConfig.ready()).

What a guest sees is what the town would publish in its bulletin: figures and categories, no
resident's name, title or thanks (posts are for members, as in mutual_aid.access). Members see
the latest posts, the latest public thanks and the next carpools. A constant number of queries
whatever the number of posts, and no cache: each is one indexed read.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from mutual_aid.access import is_member, listed_posts, module_enabled
from mutual_aid.models import CarpoolDetails, Category, Post
from mutual_aid.queries import with_cards
from townsite.home_blocks import Block

LATEST_POSTS = 6
LATEST_THANKS = 3
NEXT_RIDES = 3


def start_of_month(now: datetime) -> datetime:
    local = timezone.localtime(now)
    return local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def _open(now: datetime, prefix: str = "") -> Q:
    """Published and still open to answers (the same test as Post.is_open, in SQL)."""
    return Q(
        **{
            f"{prefix}status": Post.Status.OPEN,
            f"{prefix}expires_at__gt": now,
            f"{prefix}deleted_at__isnull": True,
            f"{prefix}hidden_at__isnull": True,
        }
    )


def town_figures(now: datetime) -> dict[str, int]:
    """Open posts, help given this month, rides still to come: one query, no one named."""
    published = Q(deleted_at__isnull=True, hidden_at__isnull=True)
    return Post.objects.aggregate(
        open_posts=Count("pk", filter=_open(now)),
        helped_this_month=Count(
            "pk", filter=published & Q(helped_at__gte=start_of_month(now), helped_at__lte=now)
        ),
        upcoming_rides=Count(
            "pk", filter=_open(now) & Q(type=Post.Type.CARPOOL, carpool__departs_at__gt=now)
        ),
    )


def posting_url() -> str:
    """The page to post from."""
    return reverse("mutual_aid:new_post")


def build(request: HttpRequest) -> Block | None:
    if not module_enabled():
        return None
    now = timezone.now()
    context: dict[str, Any] = {"figures": town_figures(now), "member": is_member(request.user)}
    if not context["member"]:
        context["categories"] = list(
            Category.objects.filter(enabled=True)
            .annotate(open_posts=Count("posts", filter=_open(now, "posts__")))
            .order_by("position", "name")  # Meta.ordering does not apply to a GROUP BY
        )
        return Block("mutual_aid/home_block.html", context)
    visible = listed_posts(request.user)
    context.update(
        posting_url=posting_url(),
        latest=list(
            with_cards(visible.filter(_open(now)).order_by("-created_at", "-pk"))[:LATEST_POSTS]
        ),
        thanks=list(
            # Only thanks their author chose to show to all.
            visible.filter(status=Post.Status.HELPED, helped_at__lte=now, thanks_public=True)
            .exclude(thanks="")
            .select_related("author", "helper", "category")
            .order_by("-helped_at", "-pk")[:LATEST_THANKS]
        ),
        rides=list(
            CarpoolDetails.objects.filter(post__in=visible.filter(_open(now)), departs_at__gt=now)
            .select_related("post__author")
            .order_by("departs_at", "pk")[:NEXT_RIDES]
        ),
    )
    return Block("mutual_aid/home_block.html", context)
