"""The consultations' block on the town's home page (registered by consultations.wiring).

A guest sees figures only (how many consultations are open, how many answers the town
received, online and on paper), as in participation.consultations.access a guest has no list.
A member sees the open consultations, the soonest to close first, with their closing date and
a link to answer (or to change their answer). Three queries, whatever the numbers.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest
from django.utils import timezone

from participation.consultations.access import is_member, listed_for, module_enabled
from participation.consultations.models import Consultation, ConsultationResponse
from townsite.home_blocks import Block

OPEN_SHOWN = 4


def town_figures() -> dict[str, int]:
    """Open consultations, closed ones, answers received: nobody named."""
    now = timezone.now()
    published = Consultation.objects.filter(published_at__isnull=False)
    figures: dict[str, int] = published.aggregate(
        open=Count("pk", filter=Q(opens_at__lte=now, closes_at__gt=now)),
        closed=Count("pk", filter=Q(closes_at__lte=now)),
    )
    figures["answers"] = ConsultationResponse.objects.filter(
        consultation__published_at__isnull=False
    ).count()
    return figures


def build(request: HttpRequest) -> Block | None:
    if not module_enabled():
        return None
    member = is_member(request.user)
    context: dict[str, Any] = {"figures": town_figures(), "member": member}
    if member:
        now = timezone.now()
        mine = ConsultationResponse.objects.filter(
            consultation=OuterRef("pk"), respondent_id=request.user.pk
        )
        context["open"] = list(
            listed_for(request.user)
            .filter(opens_at__lte=now, closes_at__gt=now)
            .annotate(answered=Exists(mine))
            .order_by("closes_at", "pk")[:OPEN_SHOWN]
        )
    return Block("participation/consultations/home_block.html", context)
