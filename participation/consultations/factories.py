"""Test and demo data for consultations, in the active town schema."""

from __future__ import annotations

import datetime

import factory
from django.utils import timezone

from participation.consultations.models import (
    Consultation,
    ConsultationQuestion,
    ConsultationResponse,
    ConsultationSection,
)


class ConsultationFactory(factory.django.DjangoModelFactory[Consultation]):
    """An open, published consultation (pass published_at=None for a draft)."""

    class Meta:
        model = Consultation

    title = factory.Sequence(lambda n: f"Réaménagement de la place n° {n}")
    context_html = "<p>La commune veut votre avis.</p>"
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))
    audience = Consultation.Audience.RESIDENTS
    published_at = factory.LazyFunction(timezone.now)


class SectionFactory(factory.django.DjangoModelFactory[ConsultationSection]):
    class Meta:
        model = ConsultationSection

    consultation = factory.SubFactory(ConsultationFactory)
    title = "Vos usages"
    position = factory.Sequence(lambda n: n)


class QuestionFactory(factory.django.DjangoModelFactory[ConsultationQuestion]):
    class Meta:
        model = ConsultationQuestion

    section = factory.SubFactory(SectionFactory)
    consultation = factory.LazyAttribute(lambda question: question.section.consultation)
    kind = ConsultationQuestion.Kind.SHORT_TEXT
    label = factory.Sequence(lambda n: f"Question n° {n}")
    position = factory.Sequence(lambda n: n)


class ResponseFactory(factory.django.DjangoModelFactory[ConsultationResponse]):
    class Meta:
        model = ConsultationResponse

    consultation = factory.SubFactory(ConsultationFactory)
    answers = factory.LazyFunction(dict)
