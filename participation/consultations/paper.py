"""Answers collected on paper at the town hall, typed in by staff: added, corrected, removed.

A paper answer has no respondent (nobody's account answered: the form is anonymous, like the
results) and keeps who typed it in. Staff may type in while the consultation is open and for
`GRACE_DAYS` after it closed, for forms handed in before the closing and not typed in yet
(they say so with a box to tick): Decidim and Cap Collectif leave such a window too. After it,
the answers are final, paper ones included.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from accounts.models import User
from participation.consultations import results_cache
from participation.consultations.access import NotAllowed
from participation.consultations.models import Consultation, ConsultationResponse
from tenants.audit import record
from townsite.models import Neighbourhood

GRACE_DAYS = 14
PAPER = ConsultationResponse.Channel.PAPER


def grace_ends(consultation: Consultation) -> datetime.datetime:
    return consultation.closes_at + datetime.timedelta(days=GRACE_DAYS)


def window(consultation: Consultation, now: datetime.datetime | None = None) -> str:
    """ "closed_to_paper" before publication or opening and after the grace period, "open"
    while residents may answer, "grace" after the closing, for forms handed in before it."""
    now = now or timezone.now()
    if not consultation.is_published or now < consultation.opens_at:
        return "closed_to_paper"
    if now < consultation.closes_at:
        return "open"
    if now < grace_ends(consultation):
        return "grace"
    return "closed_to_paper"


def ensure_may_type_in(consultation: Consultation, *, handed_in_before_closing: bool) -> None:
    """Raises NotAllowed with the reason, in French, when no paper answer may be typed in now."""
    state = window(consultation)
    if state == "open":
        return
    if state == "grace":
        if handed_in_before_closing:
            return
        raise NotAllowed(
            _(
                "The consultation is closed. Tick the box to confirm this form was handed in "
                "before the closing."
            )
        )
    if not consultation.is_published:
        raise NotAllowed(_("This consultation is not published yet."))
    if timezone.now() < consultation.opens_at:
        raise NotAllowed(
            _("This consultation is not open yet: paper answers count from its opening.")
        )
    ends = formats.date_format(timezone.localtime(grace_ends(consultation)), "DATE_FORMAT")
    raise NotAllowed(
        _("Paper answers could be typed in until %(date)s: the answers are now final.")
        % {"date": ends}
    )


def _ensure_may_correct(consultation: Consultation) -> None:
    if window(consultation) == "closed_to_paper":
        raise NotAllowed(_("The answers are final: paper answers can no longer change."))


@transaction.atomic
def add_paper_answer(
    actor: User,
    consultation: Consultation,
    *,
    answers: dict[str, Any],
    neighbourhood: Neighbourhood | None,
    handed_in_before_closing: bool = False,
) -> ConsultationResponse:
    """One paper form typed in. The consultation is locked and re-read: it may have closed,
    or been changed, while staff were typing."""
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    ensure_may_type_in(consultation, handed_in_before_closing=handed_in_before_closing)
    response = ConsultationResponse.objects.create(
        consultation=consultation,
        respondent=None,
        channel=PAPER,
        entered_by=actor,
        answers=answers,
        neighbourhood=neighbourhood,
    )
    record(
        "consultation.paper_answer_add",
        actor=actor,
        target=consultation,
        after={"answer": response.pk, "commune": neighbourhood.name if neighbourhood else ""},
    )
    results_cache.bump(consultation.pk)
    return response


@transaction.atomic
def change_paper_answer(
    actor: User,
    response: ConsultationResponse,
    *,
    answers: dict[str, Any],
    neighbourhood: Neighbourhood | None,
) -> ConsultationResponse:
    """Correct a typing mistake; nothing written when nothing changed."""
    locked = ConsultationResponse.objects.select_for_update().get(pk=response.pk, channel=PAPER)
    _ensure_may_correct(locked.consultation)
    changed = []
    if locked.answers != answers:
        locked.answers = answers
        changed.append("answers")
    new_commune = neighbourhood.pk if neighbourhood else None
    if locked.neighbourhood_id != new_commune:
        locked.neighbourhood = neighbourhood
        changed.append("neighbourhood")
    if not changed:
        return locked
    locked.save(update_fields=[*changed, "updated_at"])
    record(
        "consultation.paper_answer_change",
        actor=actor,
        target=locked.consultation,
        after={"answer": locked.pk, "changed": changed},
    )
    results_cache.bump(locked.consultation_id)
    return locked


@transaction.atomic
def remove_paper_answer(actor: User, response: ConsultationResponse) -> bool:
    """Remove a paper answer typed in by mistake (twice, or in the wrong consultation).
    False when it was already gone."""
    locked = (
        ConsultationResponse.objects.select_for_update()
        .select_related("consultation")
        .filter(pk=response.pk, channel=PAPER)
        .first()
    )
    if locked is None:
        return False
    _ensure_may_correct(locked.consultation)
    consultation, pk = locked.consultation, locked.pk
    locked.delete()
    record(
        "consultation.paper_answer_remove", actor=actor, target=consultation, before={"answer": pk}
    )
    results_cache.bump(consultation.pk)
    return True
