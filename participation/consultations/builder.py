"""Staff's writes on a questionnaire: sections and questions added, changed, moved, removed.

Once someone answered, the questionnaire is locked: a changed option, type, condition or
order would make existing answers mean something else, or nothing. Staff duplicate the
consultation instead (services.duplicate_consultation).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from participation.consultations import results_cache
from participation.consultations.answer_form import option_values
from participation.consultations.models import (
    Consultation,
    ConsultationQuestion,
    ConsultationSection,
)
from tenants.audit import record

Kind = ConsultationQuestion.Kind
Direction = Literal["up", "down"]
CHOICE_KINDS = (Kind.SINGLE, Kind.MULTIPLE, Kind.RANKING)
# The answers a condition can test: one of a fixed list of values.
CONDITION_KINDS = (Kind.SINGLE, Kind.MULTIPLE, Kind.YES_NO, Kind.SCALE)
QUESTION_FIELDS = (
    "kind",
    "label",
    "help_text",
    "required",
    "choices",
    "allow_other",
    "min_choices",
    "max_choices",
    "scale_max",
    "scale_min_label",
    "scale_max_label",
    "number_min",
    "number_max",
    "show_if_question",
    "show_if_value",
)
LOCKED = gettext_lazy(
    "People have already answered this consultation: its questions can no longer change, "
    "since their answers would no longer match. Duplicate the consultation to ask again."
)


def _locked(consultation: Consultation) -> Consultation:
    """The consultation, locked (an answer arriving meanwhile waits), if no one answered."""
    locked = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if locked.responses.exists():
        raise ValidationError(str(LOCKED), code="locked")
    return locked


def _audit(action: str, actor: User, consultation: Consultation, **after: Any) -> None:
    record(f"consultation.{action}", actor=actor, target=consultation, after=after)
    results_cache.bump(consultation.pk)  # the results show the questionnaire


# --- sections ------------------------------------------------------------------------------


@transaction.atomic
def add_section(
    actor: User, consultation: Consultation, *, title: str, description: str = ""
) -> ConsultationSection:
    consultation = _locked(consultation)
    last = consultation.sections.order_by("-position").values_list("position", flat=True).first()
    section = ConsultationSection.objects.create(
        consultation=consultation,
        title=title.strip(),
        description=description.strip(),
        position=(last or 0) + 1,
    )
    _audit("section_add", actor, consultation, section=section.title)
    return section


@transaction.atomic
def update_section(
    actor: User, section: ConsultationSection, *, title: str, description: str = ""
) -> ConsultationSection:
    _locked(section.consultation)
    section = ConsultationSection.objects.select_for_update().get(pk=section.pk)
    values = {"title": title.strip(), "description": description.strip()}
    changed = [name for name, value in values.items() if getattr(section, name) != value]
    if not changed:
        return section
    for name in changed:
        setattr(section, name, values[name])
    section.save(update_fields=changed)
    _audit("section_change", actor, section.consultation, section=section.title)
    return section


@transaction.atomic
def remove_section(actor: User, section: ConsultationSection) -> None:
    consultation = _locked(section.consultation)
    if consultation.sections.count() <= 1:
        raise ValidationError(_("A questionnaire keeps at least one section."))
    title = section.title
    section.delete()
    _audit("section_remove", actor, consultation, section=title)


@transaction.atomic
def move_section(actor: User, section: ConsultationSection, direction: Direction) -> None:
    consultation = _locked(section.consultation)
    rows = list(consultation.sections.order_by("position", "pk"))
    index = next(i for i, row in enumerate(rows) if row.pk == section.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        first, second = sorted((index, other))
        if ConsultationQuestion.objects.filter(
            section=rows[second], show_if_question__section=rows[first]
        ).exists():
            raise ValidationError(
                _(
                    "A question of the later section depends on the earlier one: "
                    "it must stay after it."
                )
            )
    if _swap(rows, section.pk, direction, ConsultationSection):
        _audit("section_move", actor, consultation, section=section.title, direction=direction)


def _swap(rows: list[Any], pk: int, direction: Direction, model: Any) -> bool:
    """Renumber rows 1..n with `pk` moved one place; False when it cannot move."""
    index = next(i for i, row in enumerate(rows) if row.pk == pk)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(rows):
        return False
    rows[index], rows[other] = rows[other], rows[index]
    changed = []
    for position, row in enumerate(rows, start=1):
        if row.position != position:
            row.position = position
            changed.append(row)
    model.objects.bulk_update(changed, ["position"])
    return True


# --- questions -----------------------------------------------------------------------------


def clean_question(
    consultation: Consultation, values: dict[str, Any], question: ConsultationQuestion | None
) -> dict[str, Any]:
    """The question's settings, checked together; a ValidationError by field otherwise."""
    errors: dict[str, str] = {}
    kind = values["kind"]
    choices = [" ".join(str(c).split()) for c in values.get("choices") or []]
    choices = [c for c in choices if c]
    if kind in CHOICE_KINDS:
        if len(choices) < 2:
            errors["choices"] = _("Give at least two options, one per line.")
        elif len(set(choices)) != len(choices):
            errors["choices"] = _("Two options are the same: each option must be different.")
    else:
        choices = []
    values["choices"] = choices
    low, high = values.get("min_choices"), values.get("max_choices")
    if kind == Kind.MULTIPLE:
        if low and high and low > high:
            errors["max_choices"] = _("“At most” cannot be less than “at least”.")
        elif high and choices and high > len(choices) or low and choices and low > len(choices):
            errors["max_choices"] = _("There are fewer options than that.")
    else:
        values["min_choices"] = values["max_choices"] = None
    if kind != Kind.SINGLE:
        values["allow_other"] = False
    if kind == Kind.SCALE:
        if values.get("scale_max") not in (5, 10):
            errors["scale_max"] = _("Choose a scale from 1 to 5 or from 0 to 10.")
    else:
        values["scale_max"] = 5
        values["scale_min_label"] = values["scale_max_label"] = ""
    number_min: Decimal | None = values.get("number_min")
    number_max: Decimal | None = values.get("number_max")
    if kind == Kind.NUMBER:
        if number_min is not None and number_max is not None and number_min > number_max:
            errors["number_max"] = _("The highest number cannot be below the lowest.")
    else:
        values["number_min"] = values["number_max"] = None
    parent: ConsultationQuestion | None = values.get("show_if_question")
    if parent is None:
        values["show_if_value"] = ""
    else:
        earlier = earlier_questions(consultation, question)
        if parent.pk not in {q.pk for q in earlier} or parent.kind not in CONDITION_KINDS:
            errors["show_if_question"] = _(
                "A question can only depend on an earlier single choice, multiple choice, "
                "yes/no or scale question."
            )
        elif values.get("show_if_value") not in option_values(parent):
            errors["show_if_value"] = _("Choose one of the answers of that question.")
    if errors:
        raise ValidationError(errors)
    values["label"] = values["label"].strip()
    values["help_text"] = (values.get("help_text") or "").strip()
    return values


def earlier_questions(
    consultation: Consultation, question: ConsultationQuestion | None
) -> list[ConsultationQuestion]:
    """The questions that come before this one (all of them for a new question)."""
    rows = list(consultation.questions.select_related("section"))
    if question is None:
        return rows
    index = next((i for i, row in enumerate(rows) if row.pk == question.pk), len(rows))
    return rows[:index]


@transaction.atomic
def add_question(actor: User, section: ConsultationSection, **values: Any) -> ConsultationQuestion:
    consultation = _locked(section.consultation)
    values = clean_question(consultation, dict(values), None)
    last = section.questions.order_by("-position").values_list("position", flat=True).first()
    question = ConsultationQuestion.objects.create(
        consultation=consultation,
        section=section,
        position=(last or 0) + 1,
        **{name: values.get(name) for name in QUESTION_FIELDS if name in values},
    )
    _audit("question_add", actor, consultation, question=question.label, kind=question.kind)
    return question


@transaction.atomic
def update_question(
    actor: User, question: ConsultationQuestion, **values: Any
) -> ConsultationQuestion:
    consultation = _locked(question.consultation)
    question = ConsultationQuestion.objects.select_for_update().get(pk=question.pk)
    values = clean_question(consultation, dict(values), question)
    changed = [
        name
        for name in QUESTION_FIELDS
        if name in values and getattr(question, name) != values[name]
    ]
    if not changed:
        return question
    for name in changed:
        setattr(question, name, values[name])
    question.save(update_fields=changed)
    _audit("question_change", actor, consultation, question=question.label, fields=changed)
    return question


@transaction.atomic
def remove_question(actor: User, question: ConsultationQuestion) -> None:
    consultation = _locked(question.consultation)
    if question.dependants.exists():
        raise ValidationError(
            _("Other questions depend on this one: change their condition first.")
        )
    label = question.label
    question.delete()
    _audit("question_remove", actor, consultation, question=label)


@transaction.atomic
def move_question(actor: User, question: ConsultationQuestion, direction: Direction) -> None:
    """One place up or down within its section; a condition must still follow its question."""
    consultation = _locked(question.consultation)
    rows = list(question.section.questions.order_by("position", "pk"))
    index = next(i for i, row in enumerate(rows) if row.pk == question.pk)
    other = index - 1 if direction == "up" else index + 1
    if 0 <= other < len(rows):
        first, second = sorted((rows[index], rows[other]), key=lambda r: rows.index(r))
        if second.show_if_question_id == first.pk:
            raise ValidationError(
                _("This question depends on the one before it: it must stay after it.")
            )
    if _swap(rows, question.pk, direction, ConsultationQuestion):
        _audit("question_move", actor, consultation, question=question.label, direction=direction)
