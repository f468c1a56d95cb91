"""The idea box's block on the town's home page (registered by participation.ideas.wiring).

A guest sees what the town would print in its bulletin: how many ideas residents proposed and
how many the town answered or carried out, no name nor title (ideas are for members, as in
participation.ideas.access). Members see the town's latest answers and the most supported
ideas still waiting. A constant number of queries, whatever the number of ideas.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.http import HttpRequest

from participation.ideas.access import is_member, listed_ideas, module_enabled
from participation.ideas.models import Idea, IdeaSettings
from townsite.home_blocks import Block

LATEST_ANSWERED = 3
MOST_SUPPORTED = 3
S = Idea.Status


def town_figures() -> dict[str, int]:
    """Ideas proposed, answered, carried out: one query, nobody named."""
    shown = Q(hidden_at__isnull=True) & ~Q(status=S.MERGED)
    return Idea.objects.aggregate(
        proposed=Count("pk", filter=shown),
        answered=Count("pk", filter=shown & ~Q(status=S.SUBMITTED)),
        done=Count("pk", filter=shown & Q(status=S.DONE)),
    )


def build(request: HttpRequest) -> Block | None:
    if not module_enabled():
        return None
    context: dict[str, Any] = {"figures": town_figures(), "member": is_member(request.user)}
    if context["member"]:
        cards = listed_ideas(request.user).select_related(
            "category", "neighbourhood", "author__resident_profile"
        )
        context.update(
            threshold=IdeaSettings.load().support_threshold,
            answered=list(
                cards.filter(answered_at__isnull=False).order_by("-answered_at", "-pk")[
                    :LATEST_ANSWERED
                ]
            ),
            waiting=list(
                cards.filter(status=S.SUBMITTED).order_by("-support_count", "-pk")[:MOST_SUPPORTED]
            ),
        )
    return Block("participation/ideas/home_block.html", context)
