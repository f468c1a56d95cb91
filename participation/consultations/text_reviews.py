"""Which free-text answers may be shown beyond staff: those staff reviewed and published, as
long as the answer still reads as it did when reviewed."""

from __future__ import annotations

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
        if isinstance(answers, dict) and answers.get(str(question_id)) == text
    }


def is_current(review: ConsultationTextReview, response: ConsultationResponse) -> bool:
    """Whether the decision still covers the response's text."""
    return response.answers.get(str(review.question_id)) == review.text
