"""A consultation's answer in JSON, keyed by question id, to and from the page's answer form.

The API judges an answer with the page's own form (participation.consultations.answer_form):
the JSON is turned into the fields the page posts, the form decides (required, bounds,
choices, ranking, conditions), and its errors come back under the question's id.

One value per question: a single choice is the option's text, or {"other": "…"}; a multiple
choice a list of options; a ranking {"option": rank, …} (each option its own rank, 1 first);
a scale an integer; yes/no "yes" or "no"; a number a number; a date "YYYY-MM-DD"; a text, text.
"""

from __future__ import annotations

from typing import Any

from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from participation.consultations.answer_form import (
    NO,
    OTHER,
    YES,
    AnswerForm,
    Kind,
    ranking_name,
)
from participation.consultations.models import Consultation, ConsultationQuestion

SCALAR = (str, int, float)


class AnswerShapeError(Exception):
    """Some values could not even be read: {question id: [message]}."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool):
        return YES if value else NO
    if isinstance(value, SCALAR):
        return str(value)
    return None


def _fields_of(question: ConsultationQuestion, value: Any) -> dict[str, list[str]] | None:
    """The page's fields for this answer, None when its shape does not fit the question."""
    name = question.field_name
    if question.kind == Kind.SINGLE and isinstance(value, dict):
        if set(value) != {"other"} or _scalar(value["other"]) is None:
            return None
        return {name: [OTHER], f"{name}_other": [str(value["other"])]}
    if question.kind == Kind.MULTIPLE:
        chosen = value if isinstance(value, list) else [value]
        texts = [_scalar(item) for item in chosen]
        if any(text is None for text in texts):
            return None
        return {name: [str(text) for text in texts]}
    if question.kind == Kind.RANKING:
        if not isinstance(value, dict) or not set(value) <= set(question.choices):
            return None
        ranks: dict[str, list[str]] = {}
        for index, choice in enumerate(question.choices):
            rank = _scalar(value.get(choice, ""))
            if rank is None:
                return None
            ranks[ranking_name(question, index)] = [rank]
        return ranks
    text = _scalar(value)
    return None if text is None else {name: [text]}


def form_for(consultation: Consultation, answers: dict[str, Any]) -> AnswerForm:
    """The page's answer form, filled in with these answers (raises AnswerShapeError)."""
    questions = {str(q.pk): q for q in consultation.questions.all()}
    data: MultiValueDict[str, str] = MultiValueDict()
    errors: dict[str, list[str]] = {}
    for key, value in answers.items():
        question = questions.get(key)
        if question is None:
            errors[key] = [_("This consultation has no question with this id.")]
            continue
        if value is None:
            continue
        fields = _fields_of(question, value)
        if fields is None:
            errors[key] = [_("This answer does not fit the question: see its kind.")]
            continue
        for name, values in fields.items():
            data.setlist(name, values)
    if errors:
        raise AnswerShapeError(errors)
    return AnswerForm(consultation, data)


def form_errors(form: AnswerForm) -> dict[str, list[str]]:
    """The form's errors under the id of the question each field belongs to."""
    owner = {
        name: str(item.question.pk)
        for part in form.parts
        for item in part.items
        for name in item.names
    }
    errors: dict[str, list[str]] = {}
    for name, messages in form.errors.items():
        under = errors.setdefault(owner.get(name, "non_field_errors"), [])
        under.extend(str(message) for message in messages)
    return errors


def as_json(consultation: Consultation, stored: dict[str, Any]) -> dict[str, Any]:
    """A stored answer in the shape the API takes (a ranking back to each option's rank)."""
    shown: dict[str, Any] = {}
    for question in consultation.questions.all():
        value = stored.get(str(question.pk))
        if value in (None, "", []):
            continue
        if question.kind == Kind.RANKING:
            value = {choice: rank for rank, choice in enumerate(value, start=1)}
        shown[str(question.pk)] = value
    return shown
