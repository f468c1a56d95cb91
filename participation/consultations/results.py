"""A consultation's results for staff, live: counts and percentages per question.

Three queries whatever the number of answers (the consultation, its questions, the answers'
JSON); the counting is done here. Free-text answers are shown to staff only (their publication
after moderation, filters by commune and charts are the next step).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from participation.consultations.answer_form import NO, YES, Kind, option_values
from participation.consultations.models import Consultation, ConsultationQuestion

TEXTS_SHOWN = 50


@dataclass
class Row:
    label: str
    count: int
    percent: float  # of the people who answered the question


@dataclass
class QuestionResult:
    question: ConsultationQuestion
    answered: int
    rows: list[Row] = field(default_factory=list)
    summary: list[tuple[str, str]] = field(default_factory=list)  # numbers, dates
    texts: list[str] = field(default_factory=list)


def _percent(count: int, total: int) -> float:
    return round(100 * count / total, 1) if total else 0.0


def results_for(consultation: Consultation) -> tuple[int, list[QuestionResult]]:
    """(number of answers, each question's result), in questionnaire order."""
    questions = list(consultation.questions.all())
    all_answers = list(consultation.responses.values_list("answers", flat=True))
    results = []
    for question in questions:
        key = str(question.pk)
        values = [a[key] for a in all_answers if a.get(key) not in (None, "", [])]
        results.append(_result(question, values))
    return len(all_answers), results


def _result(question: ConsultationQuestion, values: list[Any]) -> QuestionResult:
    result = QuestionResult(question, answered=len(values))
    total = len(values)
    kind = question.kind
    if kind in (Kind.SINGLE, Kind.YES_NO, Kind.SCALE):
        counts = Counter(v if isinstance(v, str) else "__other__" for v in values)
        names = {YES: _("Yes"), NO: _("No")} if kind == Kind.YES_NO else {}
        for option in option_values(question):
            count = counts.get(option, 0)
            result.rows.append(Row(names.get(option, option), count, _percent(count, total)))
        if kind == Kind.SINGLE and question.allow_other:
            count = counts.get("__other__", 0)
            result.rows.append(Row(_("Other"), count, _percent(count, total)))
            result.texts = [v["other"] for v in values if isinstance(v, dict)][:TEXTS_SHOWN]
    elif kind == Kind.MULTIPLE:
        counts = Counter(option for chosen in values for option in chosen)
        for option in question.choices:
            count = counts.get(option, 0)
            result.rows.append(Row(option, count, _percent(count, total)))
    elif kind == Kind.RANKING:
        # The share of people who put each option first, and its average rank.
        firsts = Counter(ranked[0] for ranked in values if ranked)
        for option in question.choices:
            ranks = [ranked.index(option) + 1 for ranked in values if option in ranked]
            count = firsts.get(option, 0)
            result.rows.append(Row(option, count, _percent(count, total)))
            if ranks:
                average = f"{sum(ranks) / len(ranks):.1f}".replace(".", ",")
                result.summary.append(
                    (_("Average rank of “%(option)s”") % {"option": option}, average)
                )
    elif kind == Kind.NUMBER:
        numbers = []
        for value in values:
            try:
                numbers.append(Decimal(str(value)))
            except InvalidOperation:
                continue
        if numbers:
            mean = sum(numbers, Decimal(0)) / len(numbers)
            result.summary = [
                (_("Lowest"), _n(min(numbers))),
                (_("Highest"), _n(max(numbers))),
                (_("Average"), _n(mean.quantize(Decimal("0.01")))),
            ]
    elif kind == Kind.DATE:
        if values:
            result.summary = [(_("Earliest"), min(values)), (_("Latest"), max(values))]
    else:
        result.texts = [str(v) for v in values][-TEXTS_SHOWN:]
    return result


def _n(value: Decimal) -> str:
    return format(value.normalize(), "f").replace(".", ",")
