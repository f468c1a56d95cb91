"""The answer form, built from a consultation's questionnaire; conditions judged on the server.

Every field is optional to Django: whether an answer is required depends on whether the
question shows, which depends on earlier answers, so `clean()` decides, in questionnaire order.
Answers to questions that do not show are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from participation.consultations.models import (
    Consultation,
    ConsultationQuestion,
    ConsultationSection,
)

Kind = ConsultationQuestion.Kind
OTHER = "__other__"
YES, NO = "yes", "no"
SHORT_MAX, LONG_MAX = 200, 5000

REQUIRED = gettext_lazy("This question needs an answer.")


@dataclass
class Item:
    """A question and the names of its form fields, as the template lays them out."""

    question: ConsultationQuestion
    names: list[str] = field(default_factory=list)
    fields: list[forms.BoundField] = field(default_factory=list)
    condition_label: str = ""  # the earlier question it depends on
    condition_value: str = ""  # the answer that shows it, in words


@dataclass
class Part:
    section: ConsultationSection
    items: list[Item] = field(default_factory=list)


def option_values(question: ConsultationQuestion) -> list[str]:
    """The values a condition may test (and a single/multiple choice may take)."""
    if question.kind == Kind.YES_NO:
        return [YES, NO]
    if question.kind == Kind.SCALE:
        start = 0 if question.scale_max == 10 else 1
        return [str(n) for n in range(start, question.scale_max + 1)]
    return [str(choice) for choice in question.choices]


def shown_value(question: ConsultationQuestion, value: str) -> str:
    """An answer as the person saw it ("Oui" rather than "yes")."""
    if question.kind == Kind.YES_NO:
        return str(_("Yes")) if value == YES else str(_("No"))
    return value


def ranking_name(question: ConsultationQuestion, index: int) -> str:
    return f"{question.field_name}_r{index}"


class AnswerForm(forms.Form):
    def __init__(self, consultation: Consultation, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.consultation = consultation
        sections = list(consultation.sections.all())
        questions = list(consultation.questions.all())
        self.questions = questions
        self.parts = [Part(section) for section in sections]
        by_section = {part.section.pk: part for part in self.parts}
        for question in questions:
            item = Item(question)
            for name, form_field in self._fields_for(question):
                self.fields[name] = form_field
                item.names.append(name)
            by_section[question.section_id].items.append(item)
        by_pk = {question.pk: question for question in questions}
        for part in self.parts:
            for item in part.items:
                item.fields = [self[name] for name in item.names]
                parent = by_pk.get(item.question.show_if_question_id or 0)
                if parent is not None:
                    item.condition_label = parent.label
                    item.condition_value = shown_value(parent, item.question.show_if_value)

    def _fields_for(self, question: ConsultationQuestion) -> list[tuple[str, forms.Field]]:
        name, label, help_text = question.field_name, question.label, question.help_text
        common: dict[str, Any] = {"label": label, "help_text": help_text, "required": False}
        kind = question.kind
        if kind == Kind.SINGLE:
            choices = [(c, c) for c in question.choices]
            if question.allow_other:
                choices.append((OTHER, _("Other")))
            fields: list[tuple[str, forms.Field]] = [
                (name, forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common))
            ]
            if question.allow_other:
                fields.append(
                    (
                        f"{name}_other",
                        forms.CharField(
                            label=_("Other, please specify"), max_length=SHORT_MAX, required=False
                        ),
                    )
                )
            return fields
        if kind == Kind.MULTIPLE:
            choices = [(c, c) for c in question.choices]
            boxes = forms.CheckboxSelectMultiple
            return [(name, forms.MultipleChoiceField(choices=choices, widget=boxes, **common))]
        if kind == Kind.RANKING:
            ranks = [("", "—")] + [(str(n), str(n)) for n in range(1, len(question.choices) + 1)]
            return [
                (
                    ranking_name(question, index),
                    forms.ChoiceField(choices=ranks, label=choice, required=False),
                )
                for index, choice in enumerate(question.choices)
            ]
        if kind in (Kind.SCALE, Kind.YES_NO):
            if kind == Kind.YES_NO:
                choices = [(YES, _("Yes")), (NO, _("No"))]
            else:
                choices = [(v, v) for v in option_values(question)]
            return [(name, forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common))]
        if kind == Kind.NUMBER:
            return [(name, forms.DecimalField(max_digits=14, decimal_places=2, **common))]
        if kind == Kind.DATE:
            widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
            return [(name, forms.DateField(widget=widget, **common))]
        if kind == Kind.SHORT_TEXT:
            return [(name, forms.CharField(max_length=SHORT_MAX, **common))]
        return [
            (
                name,
                forms.CharField(
                    max_length=LONG_MAX, widget=forms.Textarea(attrs={"rows": 5}), **common
                ),
            )
        ]

    # --- validation, in questionnaire order --------------------------------------------------

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        self.answers: dict[str, Any] = {}
        shown: dict[int, bool] = {}
        for question in self.questions:
            visible = self._is_visible(question, shown)
            shown[question.pk] = visible
            if not visible:
                continue
            value = self._answer_of(question, cleaned)
            if value is None:
                continue
            if value in ("", [], None):
                if question.required:
                    self.add_error(self._first_name(question), REQUIRED)
                continue
            self.answers[str(question.pk)] = value
        return cleaned

    def _first_name(self, question: ConsultationQuestion) -> str:
        if question.kind == Kind.RANKING:
            return ranking_name(question, 0)
        return question.field_name

    def _is_visible(self, question: ConsultationQuestion, shown: dict[int, bool]) -> bool:
        parent_id = question.show_if_question_id
        if parent_id is None:
            return True
        if not shown.get(parent_id, False):
            return False
        answer = self.answers.get(str(parent_id))
        if isinstance(answer, list):
            return question.show_if_value in answer
        return answer == question.show_if_value

    def _answer_of(self, question: ConsultationQuestion, cleaned: dict[str, Any]) -> Any:
        """The answer as stored, "" or [] when empty, None when an error was already added."""
        name = question.field_name
        kind = question.kind
        if kind == Kind.RANKING:
            return self._ranking(question, cleaned)
        if name in self.errors:
            return None
        value = cleaned.get(name)
        if kind == Kind.SINGLE:
            if value == OTHER:
                other = " ".join(str(cleaned.get(f"{name}_other") or "").split())
                if not other:
                    self.add_error(f"{name}_other", _("Please say which other answer you mean."))
                    return None
                return {"other": other}
            return value or ""
        if kind == Kind.MULTIPLE:
            chosen = list(value or [])
            if chosen:
                low, high = question.min_choices, question.max_choices
                if low and len(chosen) < low:
                    self.add_error(name, _("Choose at least %(count)s answers.") % {"count": low})
                    return None
                if high and len(chosen) > high:
                    self.add_error(name, _("Choose at most %(count)s answers.") % {"count": high})
                    return None
            return chosen
        if kind == Kind.NUMBER:
            if value is None:
                return ""
            return self._number(question, value)
        if kind == Kind.DATE:
            return value.isoformat() if value else ""
        if kind in (Kind.SHORT_TEXT, Kind.LONG_TEXT):
            return (value or "").strip()
        return value or ""

    def _number(self, question: ConsultationQuestion, value: Decimal) -> str | None:
        low, high = question.number_min, question.number_max
        if low is not None and value < low or high is not None and value > high:
            if low is not None and high is not None:
                message = _("Give a number between %(low)s and %(high)s.")
            elif low is not None:
                message = _("Give a number of at least %(low)s.")
            else:
                message = _("Give a number of at most %(high)s.")
            self.add_error(question.field_name, message % {"low": _n(low), "high": _n(high)})
            return None
        return _n(value)

    def _ranking(self, question: ConsultationQuestion, cleaned: dict[str, Any]) -> Any:
        names = [ranking_name(question, i) for i in range(len(question.choices))]
        if any(name in self.errors for name in names):
            return None
        ranks = {
            choice: cleaned.get(name) or ""
            for choice, name in zip(question.choices, names, strict=True)
        }
        given = [rank for rank in ranks.values() if rank]
        if not given:
            return []
        if len(given) != len(names):
            self.add_error(
                names[0],
                _("Give each option its own rank, from 1 to %(count)s.") % {"count": len(names)},
            )
            return None
        if len(set(given)) != len(given):
            self.add_error(
                names[0], _("Two options have the same rank: give each option a different rank.")
            )
            return None
        return [choice for choice, _rank in sorted(ranks.items(), key=lambda kv: int(kv[1]))]


def _n(value: Decimal | None) -> str:
    """A number as people write it: no trailing ".00"."""
    if value is None:
        return ""
    text = format(value.normalize(), "f")
    return text


def initial_from_answers(consultation: Consultation, answers: dict[str, Any]) -> dict[str, Any]:
    """The form's initial values from a stored answer (to change it)."""
    initial: dict[str, Any] = {}
    for question in consultation.questions.all():
        value = answers.get(str(question.pk))
        if value in (None, "", []):
            continue
        name = question.field_name
        if question.kind == Kind.RANKING:
            for index, choice in enumerate(question.choices):
                if choice in value:
                    initial[ranking_name(question, index)] = str(value.index(choice) + 1)
        elif question.kind == Kind.SINGLE and isinstance(value, dict):
            initial[name] = OTHER
            initial[f"{name}_other"] = value.get("other", "")
        else:
            initial[name] = value
    return initial


def raw_values(form: AnswerForm, data: Any) -> dict[str, Any]:
    """What was typed, field by field (a draft): lists for multiple choices, else text."""
    kept: dict[str, Any] = {}
    for name, form_field in form.fields.items():
        if isinstance(form_field, forms.MultipleChoiceField):
            values = [str(v)[:SHORT_MAX] for v in data.getlist(name)]
            if values:
                kept[name] = values
        else:
            value = str(data.get(name, ""))[:LONG_MAX]
            if value:
                kept[name] = value
    return kept
