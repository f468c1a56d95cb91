"""Shared by the consultation tests: a questionnaire with every kind of question, the module
switch, and the form a resident sends."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from participation.consultations.factories import (
    ConsultationFactory,
    QuestionFactory,
    SectionFactory,
)
from participation.consultations.models import Consultation, ConsultationQuestion
from townsite.models import TownProfile
from townsite.setup.queries import DEFAULT_CHARTER, LOOK_CACHE_KEY

Kind = ConsultationQuestion.Kind


def every_kind(**fields: Any) -> tuple[Consultation, dict[str, ConsultationQuestion]]:
    """An open consultation (in the active schema) asking one question of each kind, and a
    question shown only to those who answer "yes" to the yes/no question."""
    consultation = ConsultationFactory.create(**fields)
    first = SectionFactory.create(consultation=consultation, title="Vos usages", position=1)
    second = SectionFactory.create(consultation=consultation, title="Vos idées", position=2)
    q: dict[str, ConsultationQuestion] = {}
    q["single"] = QuestionFactory.create(
        section=first,
        kind=Kind.SINGLE,
        label="Comment venez-vous sur la place ?",
        choices=["À pied", "À vélo", "En voiture"],
        allow_other=True,
        required=True,
    )
    q["multiple"] = QuestionFactory.create(
        section=first,
        kind=Kind.MULTIPLE,
        label="Que faites-vous sur la place ?",
        choices=["Marché", "Café", "Jeux", "Repos"],
        min_choices=1,
        max_choices=2,
    )
    q["ranking"] = QuestionFactory.create(
        section=first,
        kind=Kind.RANKING,
        label="Classez ces projets",
        choices=["Arbres", "Bancs", "Fontaine"],
    )
    q["scale"] = QuestionFactory.create(
        section=first,
        kind=Kind.SCALE,
        label="Êtes-vous satisfait de la place ?",
        scale_max=10,
        scale_min_label="Pas du tout",
        scale_max_label="Tout à fait",
    )
    q["yes_no"] = QuestionFactory.create(
        section=second, kind=Kind.YES_NO, label="Avez-vous des enfants ?"
    )
    q["conditional"] = QuestionFactory.create(
        section=second,
        kind=Kind.SHORT_TEXT,
        label="Quel âge ont-ils ?",
        required=True,
        show_if_question=q["yes_no"],
        show_if_value="yes",
    )
    q["number"] = QuestionFactory.create(
        section=second,
        kind=Kind.NUMBER,
        label="Combien de fois par semaine ?",
        number_min=Decimal(0),
        number_max=Decimal(14),
    )
    q["date"] = QuestionFactory.create(
        section=second, kind=Kind.DATE, label="Votre dernière visite ?"
    )
    q["short_text"] = QuestionFactory.create(section=second, kind=Kind.SHORT_TEXT, label="Un mot ?")
    q["long_text"] = QuestionFactory.create(
        section=second, kind=Kind.LONG_TEXT, label="Vos remarques"
    )
    return consultation, q


def answer_form(q: dict[str, ConsultationQuestion], **overrides: Any) -> dict[str, Any]:
    """A complete, valid answer; `overrides` by field name (None removes a field)."""
    data: dict[str, Any] = {
        "action": "send",
        q["single"].field_name: "À vélo",
        q["multiple"].field_name: ["Marché", "Café"],
        f"{q['ranking'].field_name}_r0": "2",
        f"{q['ranking'].field_name}_r1": "3",
        f"{q['ranking'].field_name}_r2": "1",
        q["scale"].field_name: "8",
        q["yes_no"].field_name: "yes",
        q["conditional"].field_name: "6 et 9 ans",
        q["number"].field_name: "3",
        q["date"].field_name: "2026-11-20",
        q["short_text"].field_name: "Ombre",
        q["long_text"].field_name: "Plus d'arbres, merci.",
    }
    for name, value in overrides.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def closed_fields() -> dict[str, Any]:
    now = timezone.now()
    return {
        "opens_at": now - datetime.timedelta(days=10),
        "closes_at": now - datetime.timedelta(days=1),
    }


def upcoming_fields() -> dict[str, Any]:
    now = timezone.now()
    return {
        "opens_at": now + datetime.timedelta(days=2),
        "closes_at": now + datetime.timedelta(days=9),
    }


def switch_module(enabled: bool) -> None:
    """The set-up wizard's consultations switch, in the active schema."""
    profile = TownProfile.objects.filter(pk=1).first() or TownProfile(pk=1, charter=DEFAULT_CHARTER)
    profile.consultations_enabled = enabled
    profile.save()
    cache.delete(LOOK_CACHE_KEY)
