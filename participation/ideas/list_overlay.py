"""What is the viewer's own on a shared page of ideas (participation.ideas.list_cache): the
ideas they support and their own ideas, laid over the cached HTML with one small query.

Each card leaves an empty slot (`slot(pk)`, an HTML comment) where the viewer's badges go;
the shared part remembers which ideas it shows and their authors, so the overlay needs only
the viewer's supports among those ideas.
"""

from __future__ import annotations

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


def for_viewer(page: SharedPage, user: Any) -> SafeString:
    """The page with this viewer's badges in their slots (our own template's output, escaped
    when rendered)."""
    html = page.html
    if not page.cards or not getattr(user, "is_authenticated", False):
        return mark_safe(html)  # noqa: S308
    ids = [pk for pk, _author in page.cards]
    supported = set(
        IdeaSupport.objects.filter(user=user, idea_id__in=ids).values_list("idea_id", flat=True)
    )
    own = {pk for pk, author in page.cards if author == user.pk}
    if not supported and not own:
        return mark_safe(html)  # noqa: S308
    mine = format_html('<span class="badge badge--own">{}</span>', _("Your idea"))
    backed = format_html('<span class="badge badge--supported">{}</span>', _("You support it"))
    for pk in ids:
        badges = (mine if pk in own else "") + (backed if pk in supported else "")
        if badges:
            html = html.replace(slot(pk), badges, 1)
    return mark_safe(html)  # noqa: S308
