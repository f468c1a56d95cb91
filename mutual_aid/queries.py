"""What the browse pages read: filters, search, pages of posts. Never writes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.http import urlencode

from accounts.models import User
from mutual_aid.access import listed_posts
from mutual_aid.models import Category, Photo, Post
from townsite.search import query_for, slug_typed, words_typed

PAGE_SIZE = 20


@dataclass(frozen=True)
class Filters:
    """What a resident chose on the browse page (all optional; bad values are ignored)."""

    q: str = ""
    kind: str = ""
    category: str = ""  # slug
    neighbourhood: int | None = None
    # Still happening on or after this day: dated posts over before it are left out.
    from_date: date | None = None
    include_closed: bool = False

    @classmethod
    def from_query(cls, data: Any) -> Filters:
        kind = data.get("kind", "")
        neighbourhood = str(data.get("neighbourhood", ""))
        return cls(
            q=words_typed(data.get("q", "")),
            kind=kind if kind in Post.Kind.values else "",
            category=slug_typed(data.get("category", "")),
            neighbourhood=int(neighbourhood) if neighbourhood.isdecimal() else None,
            from_date=_date(data.get("from_date", "")),
            include_closed=data.get("include_closed") in ("1", "on", "true"),
        )

    @property
    def active(self) -> bool:
        return bool(self.q or self.kind or self.category or self.neighbourhood or self.from_date)

    def query_string(self) -> str:
        """The filters as a link's query (for the pages of results), without the page."""
        values = {
            "q": self.q,
            "kind": self.kind,
            "category": self.category,
            "neighbourhood": self.neighbourhood or "",
            "from_date": self.from_date.isoformat() if self.from_date else "",
        }
        return urlencode({key: value for key, value in values.items() if value})


def _date(value: Any) -> date | None:
    try:
        return date.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def browse(user: User | Any, filters: Filters) -> QuerySet[Post]:
    """The posts a member browses (or finds by a search), newest first."""
    posts = listed_posts(user)
    if not filters.include_closed:
        posts = posts.filter(status=Post.Status.OPEN, expires_at__gt=timezone.now())
    if filters.kind:
        posts = posts.filter(kind=filters.kind)
    if filters.category:
        posts = posts.filter(category__slug=filters.category)
    if filters.neighbourhood:
        posts = posts.filter(neighbourhood_id=filters.neighbourhood)
    if filters.from_date:
        over = Q(when=Post.When.DATE, date_start__lt=filters.from_date) | Q(
            when=Post.When.PERIOD, date_end__lt=filters.from_date
        )
        posts = posts.exclude(over)
    if filters.q:
        posts = posts.filter(search_document=query_for(filters.q))
    return posts.order_by("-created_at", "-pk")


def with_cards(posts: QuerySet[Post]) -> QuerySet[Post]:
    """What a post's card shows, fetched in a constant number of queries."""
    return posts.select_related(
        "category", "author__resident_profile", "neighbourhood"
    ).prefetch_related(Prefetch("photos", queryset=Photo.objects.order_by("position", "pk")))


def page_of(posts: QuerySet[Post], number: Any) -> Page[Post]:
    return Paginator(with_cards(posts), PAGE_SIZE).get_page(number)


def own_posts(user: User | Any) -> QuerySet[Post]:
    """An author's posts, whatever their state (deleted ones aside), newest first."""
    if not user.is_authenticated:
        return Post.objects.none()
    return Post.objects.filter(author=user, deleted_at__isnull=True).order_by("-created_at", "-pk")


def enabled_categories() -> list[Category]:
    return list(Category.objects.filter(enabled=True))
