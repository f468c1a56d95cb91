"""What is the viewer's own on a shared page of ideas (participation.ideas.list_cache): the
ideas they support and their own ideas, laid over the cached HTML without rendering it again.

Each card leaves an empty slot (`slot(pk)`, an HTML comment) where the viewer's badges go;
the shared part remembers which ideas it shows and their authors, so the overlay needs only
the ideas the viewer supports (one small query, itself cached with the list's version).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from participation.ideas.models import Idea, IdeaSupport


@dataclass(frozen=True)
class SharedPage:
    """A rendered page of ideas, the same for every member, with what the overlay needs."""

    html: str
    cards: tuple[tuple[int, int | None], ...]  # (idea, its author), in the page's order


def slot(pk: int) -> str:
    return f"<!--viewer:{pk}-->"


def shared_page(html: str, ideas: list[Idea]) -> SharedPage:
    return SharedPage(html=html, cards=tuple((idea.pk, idea.author_id) for idea in ideas))


def supported_ideas(user: Any) -> frozenset[int]:
    """The ideas this person supports (a few dozen at most, for nearly everyone)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    return frozenset(IdeaSupport.objects.filter(user=user).values_list("idea_id", flat=True))


def for_viewer(page: SharedPage, user: Any, supported: Collection[int]) -> SafeString:
    """The page with this viewer's badges in their slots (our own template's output, escaped
    when rendered)."""
    html = page.html
    user_pk = getattr(user, "pk", None)
    own = {pk for pk, author in page.cards if user_pk is not None and author == user_pk}
    backed = {pk for pk, _author in page.cards if pk in supported}
    if not own and not backed:
        return mark_safe(html)  # noqa: S308
    mine = format_html('<span class="badge badge--own">{}</span>', _("Your idea"))
    liked = format_html('<span class="badge badge--supported">{}</span>', _("You support it"))
    for pk, _author in page.cards:
        badges = (mine if pk in own else "") + (liked if pk in backed else "")
        if badges:
            html = html.replace(slot(pk), badges, 1)
    return mark_safe(html)  # noqa: S308
