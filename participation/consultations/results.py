"""A consultation's results: counts, percentages, charts and summaries per question.

Counted here from the answers' JSON, read in one query whatever their number (the caller
passes the rows; participation.consultations.results_cache reads and caches them). Paper
answers count like the others. Staff see every written answer; the published page shows only
those staff reviewed and published (participation.consultations.text_reviews).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple

from django.utils.translation import gettext as _

from participation.consultations.answer_form import NO, YES, Kind, option_values
from participation.consultations.models import ConsultationQuestion, ConsultationResponse
from townsite.charts import BarChart, Series, bar_chart

TEXTS_SHOWN = 50  # to staff, the latest; the review screen has them all
PUBLISHED_TEXTS_SHOWN = 100
TEXT_KINDS = (Kind.SHORT_TEXT, Kind.LONG_TEXT)
PAPER = ConsultationResponse.Channel.PAPER
EMPTY: tuple[Any, ...] = (None, "", [])


class Answer(NamedTuple):
    """One response, as the results read it."""

    pk: int
    answers: dict[str, Any]
    channel: str
    neighbourhood_id: int | None


@dataclass
class Row:
    label: str
    count: int  # people (choices, scale) or points (ranking)
    percent: float  # of the people who answered the question
    average_rank: str = ""  # ranking only
    firsts: int = 0  # ranking only: people who put it first


@dataclass
class QuestionResult:
    question_id: int
    label: str
    kind: str
    answered: int
    rows: list[Row] = field(default_factory=list)
    chart: BarChart | None = None
    summary: list[tuple[str, str]] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    text_total: int = 0  # texts there are to show (more than `texts` past the cap)
    other_count: int = 0  # "other, please specify" answers (their texts go to staff only)


@dataclass
class Results:
    total: int
    paper: int
    questions: list[QuestionResult]


def compute(
    questions: Sequence[ConsultationQuestion],
    answers: Sequence[Answer],
    *,
    published: Mapping[tuple[int, int], str] | None = None,
) -> Results:
    """Every question's result over these answers. `published` (the published page): only
    these texts are shown, {(response id, question id): text}; None (staff): all of them."""
    results = []
    for question in questions:
        key = str(question.pk)
        given = [(a.pk, a.answers[key]) for a in answers if a.answers.get(key) not in EMPTY]
        results.append(_result(question, given, published))
    paper = sum(1 for a in answers if a.channel == PAPER)
    return Results(total=len(answers), paper=paper, questions=results)


def _percent(count: int, total: int) -> float:
    return round(100 * count / total, 1) if total else 0.0


def _chart(question: ConsultationQuestion, rows: Iterable[Row], series_label: str) -> BarChart:
    series = Series("answers", series_label)
    return bar_chart(question.label, [series], [(row.label, [row.count]) for row in rows])


def _result(
    question: ConsultationQuestion,
    given: list[tuple[int, Any]],
    published: Mapping[tuple[int, int], str] | None,
) -> QuestionResult:
    values = [value for _pk, value in given]
    result = QuestionResult(question.pk, question.label, question.kind, answered=len(values))
    kind = question.kind
    if kind in (Kind.SINGLE, Kind.YES_NO, Kind.SCALE, Kind.MULTIPLE):
        _choices(question, values, result)
    elif kind == Kind.RANKING:
        _ranking(question, values, result)
    elif kind == Kind.NUMBER:
        _numbers(values, result)
    elif kind == Kind.DATE:
        if values:
            result.summary = [(_("Earliest"), min(values)), (_("Latest"), max(values))]
    elif kind in TEXT_KINDS:
        if published is None:
            texts = [str(value) for value in values]
            result.texts, result.text_total = texts[-TEXTS_SHOWN:], len(texts)
        else:
            texts = [text for pk, _v in given if (text := published.get((pk, question.pk)))]
            result.texts, result.text_total = texts[-PUBLISHED_TEXTS_SHOWN:], len(texts)
    return result


def _choices(question: ConsultationQuestion, values: list[Any], result: QuestionResult) -> None:
    total = len(values)
    if question.kind == Kind.MULTIPLE:
        counts = Counter(option for chosen in values for option in chosen)
    else:
        counts = Counter(v if isinstance(v, str) else "__other__" for v in values)
    names = {YES: _("Yes"), NO: _("No")} if question.kind == Kind.YES_NO else {}
    for option in option_values(question):
        count = counts.get(option, 0)
        result.rows.append(Row(names.get(option, option), count, _percent(count, total)))
    if question.kind == Kind.SINGLE and question.allow_other:
        result.other_count = counts.get("__other__", 0)
        result.rows.append(Row(_("Other"), result.other_count, _percent(result.other_count, total)))
        result.texts = [v["other"] for v in values if isinstance(v, dict)][-TEXTS_SHOWN:]
    result.chart = _chart(question, result.rows, _("People"))
    if question.kind == Kind.SCALE:
        marks = [int(v) for v in values if isinstance(v, str) and v.isdigit()]
        if marks:
            result.summary = [
                (_("Average"), _n(Decimal(sum(marks)) / len(marks))),
                (_("Median"), _n(Decimal(str(statistics.median(marks))))),
            ]


def _ranking(question: ConsultationQuestion, values: list[Any], result: QuestionResult) -> None:
    """Points per option (a Borda count): with n options, a first place is worth n points, a
    second n - 1, down to 1 for the last; also its average rank and how often it came first."""
    n = len(question.choices)
    ranked_lists = [ranked for ranked in values if isinstance(ranked, list)]
    total = len(ranked_lists)
    firsts = Counter(ranked[0] for ranked in ranked_lists if ranked)
    for option in question.choices:
        ranks = [ranked.index(option) + 1 for ranked in ranked_lists if option in ranked]
        points = sum(n + 1 - rank for rank in ranks)
        average = _n(Decimal(sum(ranks)) / len(ranks)) if ranks else "—"
        count = firsts.get(option, 0)
        result.rows.append(
            Row(option, points, _percent(count, total), average_rank=average, firsts=count)
        )
    result.chart = _chart(question, result.rows, _("Points"))


def _numbers(values: list[Any], result: QuestionResult) -> None:
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
            (_("Median"), _n(Decimal(statistics.median(numbers)))),
            (_("Average"), _n(mean)),
            (_("Highest"), _n(max(numbers))),
        ]


def _n(value: Decimal) -> str:
    """A figure in French: two decimals at most, a comma, no trailing zeros."""
    rounded = value.quantize(Decimal("0.01")).normalize()
    return format(rounded, "f").replace(".", ",")
