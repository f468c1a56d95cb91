"""A free-text answer is shown beyond staff only once published by a review, and only while it
still reads as it did when reviewed."""

from __future__ import annotations

import pytest
from django_tenants.utils import schema_context

from participation.consultations.factories import ResponseFactory
from participation.consultations.models import ConsultationTextReview
from participation.consultations.text_reviews import published_texts
from tests.consultation_support import every_kind

pytestmark = pytest.mark.django_db


def test_only_published_texts_that_were_not_changed_since(town_a) -> None:
    with schema_context(town_a.schema_name):
        consultation, q = every_kind()
        text = q["long_text"]
        kept, withheld, changed, unreviewed = (
            ResponseFactory.create(consultation=consultation, answers={str(text.pk): words})
            for words in ("Plus d'arbres", "Appelez Jean au 06", "Des bancs", "Une fontaine")
        )
        for response, decision in (
            (kept, ConsultationTextReview.Decision.PUBLISHED),
            (withheld, ConsultationTextReview.Decision.WITHHELD),
            (changed, ConsultationTextReview.Decision.PUBLISHED),
        ):
            ConsultationTextReview.objects.create(
                response=response,
                question=text,
                text=response.answers[str(text.pk)],
                decision=decision,
            )
        changed.answers = {str(text.pk): "Des bancs, et mon numéro : 06"}
        changed.save(update_fields=["answers"])

        assert published_texts(consultation) == {(kept.pk, text.pk): "Plus d'arbres"}
        assert unreviewed.pk not in {
            response for response, _question in published_texts(consultation)
        }
