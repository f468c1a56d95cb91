"""What the idea pages read: filters, sorting, search, pages of ideas, a thread of comments.
Never writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchRank
from django.core.paginator import Page, Paginator
from django.db.models import F, QuerySet
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from participation.ideas.access import listed_ideas
from participation.ideas.models import Idea, IdeaCategory, IdeaComment
from townsite.search import query_for, slug_typed, words_typed

PAGE_SIZE = 20
SIMILAR_COUNT = 5

SORTS: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "supported": (_("Most supported"), ("-support_count", "-pk")),
    "newest": (_("Newest"), ("-created_at", "-pk")),
    "discussed": (_("Most discussed"), ("-comment_count", "-pk")),
    "answered": (_("Recently answered"), (F("answered_at").desc(nulls_last=True), "-pk")),
}
DEFAULT_SORT = "supported"


@dataclass(frozen=True)
class Filters:
    """What a resident chose on the list (all optional; bad values are ignored)."""

    q: str = ""
    category: str = ""  # slug
    neighbourhood: int | None = None
    status: str = ""
    sort: str = DEFAULT_SORT

    @classmethod
    def from_query(cls, data: Any) -> Filters:
        neighbourhood = str(data.get("neighbourhood", ""))
        status = str(data.get("status", ""))
        sort = str(data.get("sort", ""))
        return cls(
            q=words_typed(data.get("q", "")),
            category=slug_typed(data.get("category", "")),
            neighbourhood=int(neighbourhood) if neighbourhood.isdecimal() else None,
            status=status if status in Idea.Status.values and status != "merged" else "",
            sort=sort if sort in SORTS else DEFAULT_SORT,
        )

    def query_string(self) -> str:
        values = {
            "q": self.q,
            "category": self.category,
            "neighbourhood": self.neighbourhood or "",
            "status": self.status,
            "sort": self.sort if self.sort != DEFAULT_SORT else "",
        }
        return urlencode({key: value for key, value in values.items() if value})


def browse(user: User | Any, filters: Filters) -> QuerySet[Idea]:
    ideas = listed_ideas(user)
    if filters.category:
        ideas = ideas.filter(category__slug=filters.category)
    if filters.neighbourhood:
        ideas = ideas.filter(neighbourhood_id=filters.neighbourhood)
    if filters.status:
        ideas = ideas.filter(status=filters.status)
    if filters.q:
        ideas = ideas.filter(search_document=query_for(filters.q))
    return ideas.order_by(*SORTS[filters.sort][1])


def page_of(ideas: QuerySet[Idea], number: Any) -> Page[Idea]:
    cards = ideas.select_related("category", "neighbourhood", "author__resident_profile")
    return Paginator(cards, PAGE_SIZE).get_page(number)


def similar_ideas(user: User | Any, title: str, *, exclude: int | None = None) -> list[Idea]:
    """Ideas that look like what is being typed, to avoid a duplicate (best matches first)."""
    words = words_typed(title).split()[:12]
    if len(" ".join(words)) < 3:
        return []
    # Any word may match: a resident rarely types the same title as the first author did.
    query = query_for(words[0])
    for word in words[1:]:
        query = query | query_for(word)
    ideas = listed_ideas(user).filter(search_document=query)
    if exclude:
        ideas = ideas.exclude(pk=exclude)
    ranked = ideas.annotate(rank=SearchRank(F("search_document"), query))
    best = ranked.select_related("category").order_by("-rank", "-support_count")
    return list(best[:SIMILAR_COUNT])


@dataclass
class Node:
    comment: IdeaComment
    replies: list[Node] = field(default_factory=list)


def thread(user: User | Any, idea: Idea) -> list[Node]:
    """The idea's comments as a tree, read in one query whatever their number. Hidden ones
    keep their place (the page shows only that they are hidden) so their replies stay in
    the thread; the caller may see `idea`."""
    del user  # what a viewer may read of each comment is the template's (_comment.html)
    rows = list(
        IdeaComment.objects.filter(idea=idea)
        .select_related("author__resident_profile")
        .order_by("created_at", "pk")
    )
    nodes = {row.pk: Node(row) for row in rows}
    roots: list[Node] = []
    for row in rows:
        parent = nodes.get(row.parent_id) if row.parent_id else None
        if row.parent_id and parent is None:
            continue  # under a comment this person may not see
        (parent.replies if parent else roots).append(nodes[row.pk])
    return roots


def enabled_categories() -> list[IdeaCategory]:
    return list(IdeaCategory.objects.filter(enabled=True))
