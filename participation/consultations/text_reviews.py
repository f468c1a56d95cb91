"""Which free-text answers may be shown beyond staff: those staff reviewed and published, as
long as the answer still reads as it did when reviewed. A free text is a short or long text's
answer, or what someone wrote in "other, please specify" (stored as {"other": text})."""

from __future__ import annotations

from typing import Any

from participation.consultations.models import (
    Consultation,
    ConsultationResponse,
    ConsultationTextReview,
)


def published_texts(consultation: Consultation) -> dict[tuple[int, int], str]:
    """{(response id, question id): text} of the texts published, in one query."""
    reviews = ConsultationTextReview.objects.filter(
        response__consultation=consultation,
        decision=ConsultationTextReview.Decision.PUBLISHED,
    ).values_list("response_id", "question_id", "text", "response__answers")
    return {
        (response_id, question_id): text
        for response_id, question_id, text, answers in reviews
        if isinstance(answers, dict) and written(answers.get(str(question_id))) == text
    }


def written(answer: Any) -> str | None:
    """The free text of an answer: the text itself, or the "other" of a single choice."""
    if isinstance(answer, dict):
        other = answer.get("other")
        return other if isinstance(other, str) else None
    return answer if isinstance(answer, str) else None


def is_current(review: ConsultationTextReview, response: ConsultationResponse) -> bool:
    """Whether the decision still covers the response's text."""
    return written(response.answers.get(str(review.question_id))) == review.text
