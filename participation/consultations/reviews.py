"""Staff's review of the written answers: each one published with the results, or withheld.

A decision covers the text as staff read it: the screen sends back a fingerprint of each text
shown, and a text changed meanwhile is not decided (it comes back to review). A text changed
after its review is to review again (participation.consultations.text_reviews).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from participation.consultations import results_cache
from participation.consultations.models import (
    Consultation,
    ConsultationQuestion,
    ConsultationResponse,
    ConsultationTextReview,
)
from participation.consultations.results import TEXT_KINDS
from tenants.audit import record

Decision = ConsultationTextReview.Decision
PAGE_SIZE = 50
STATUSES = ("to_review", "published", "withheld", "all")


def fingerprint(text: str) -> str:
    """What the screen sends back of the text it showed (short: the form may carry 50)."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class Text:
    """A written answer, with staff's decision on it if that still covers it."""

    response_id: int
    question_id: int
    question_label: str
    text: str
    decision: str  # "published", "withheld", or "" (to review)
    changed_since_review: bool
    paper: bool

    @property
    def field(self) -> str:
        return f"t-{self.response_id}-{self.question_id}"

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.text)


def texts_of(consultation: Consultation) -> list[Text]:
    """Every written answer of the consultation, in questionnaire then answer order; three
    queries whatever their number."""
    questions = list(consultation.questions.filter(kind__in=TEXT_KINDS))
    reviews = {
        (review.response_id, review.question_id): review
        for review in ConsultationTextReview.objects.filter(response__consultation=consultation)
    }
    responses = consultation.responses.order_by("pk").values_list("pk", "answers", "channel")
    found = []
    rows = list(responses)
    for question in questions:
        key = str(question.pk)
        for pk, answers, channel in rows:
            text = answers.get(key)
            if not isinstance(text, str) or not text.strip():
                continue
            review = reviews.get((pk, question.pk))
            current = review is not None and review.text == text
            found.append(
                Text(
                    response_id=pk,
                    question_id=question.pk,
                    question_label=question.label,
                    text=text,
                    decision=review.decision if current and review else "",
                    changed_since_review=review is not None and not current,
                    paper=channel == ConsultationResponse.Channel.PAPER,
                )
            )
    return found


def with_status(texts: list[Text], status: str) -> list[Text]:
    if status == "to_review":
        return [text for text in texts if not text.decision]
    if status in (Decision.PUBLISHED, Decision.WITHHELD):
        return [text for text in texts if text.decision == status]
    return texts


@dataclass(frozen=True)
class Verdict:
    """Staff's decision on one text, with the fingerprint of the text they read."""

    response_id: int
    question_id: int
    decision: str
    seen: str


@dataclass(frozen=True)
class Outcome:
    decided: int  # decisions written (new or changed)
    stale: int  # texts changed since staff read them: left to review


@transaction.atomic
def review_texts(actor: User, consultation: Consultation, verdicts: Iterable[Verdict]) -> Outcome:
    """Write staff's decisions. Each answer is locked and its text re-read: a decision is
    taken only on the text staff read; unchanged decisions write nothing."""
    verdicts = list(verdicts)
    if any(verdict.decision not in Decision.values for verdict in verdicts):
        raise ValidationError(_("Choose “publish” or “withhold” for each answer."))
    if not verdicts:
        return Outcome(0, 0)
    questions = {
        question.pk: question
        for question in ConsultationQuestion.objects.filter(
            consultation=consultation,
            kind__in=TEXT_KINDS,
            pk__in={verdict.question_id for verdict in verdicts},
        )
    }
    responses = {
        response.pk: response
        for response in ConsultationResponse.objects.select_for_update()
        .filter(consultation=consultation, pk__in={verdict.response_id for verdict in verdicts})
        .order_by("pk")
    }
    reviews = {
        (review.response_id, review.question_id): review
        for review in ConsultationTextReview.objects.select_for_update().filter(
            response_id__in=list(responses)
        )
    }
    now, stale = timezone.now(), 0
    decided: dict[str, int] = {Decision.PUBLISHED: 0, Decision.WITHHELD: 0}
    for verdict in verdicts:
        response, question = responses.get(verdict.response_id), questions.get(verdict.question_id)
        if response is None or question is None:
            continue  # not this consultation's, or gone: nothing to decide
        text = response.answers.get(str(question.pk))
        if not isinstance(text, str) or fingerprint(text) != verdict.seen:
            stale += 1
            continue
        review = reviews.get((response.pk, question.pk))
        if review is None:
            ConsultationTextReview.objects.create(
                response=response,
                question=question,
                text=text,
                decision=verdict.decision,
                reviewed_by=actor,
                reviewed_at=now,
            )
        elif review.text != text or review.decision != verdict.decision:
            review.text, review.decision = text, verdict.decision
            review.reviewed_by, review.reviewed_at = actor, now
            review.save(update_fields=["text", "decision", "reviewed_by", "reviewed_at"])
        else:
            continue
        decided[verdict.decision] += 1
    total = sum(decided.values())
    if total:
        record(
            "consultation.text_review",
            actor=actor,
            target=consultation,
            after={key: decided[key] for key in (Decision.PUBLISHED, Decision.WITHHELD)},
        )
        results_cache.bump(consultation.pk)
    return Outcome(total, stale)
