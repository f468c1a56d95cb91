"""A consultation's results as the pages and the API read them: by neighbourhood or member
commune, with the published page's confidentiality rule, cached under one version per
consultation (tenants.versioned_cache).

Whatever changes what the results show bumps that version after its commit: an answer
(answering), a paper answer, a text review (reviews), a publication (publication), the
questionnaire (builder). The lifetime bounds what no bump sees (a neighbourhood renamed).
The counting reads every answer: cached, the page costs a cache read whatever their number.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from django.utils import translation

from participation.consultations.models import (
    Consultation,
    ConsultationQuestion,
    ConsultationTextReview,
)
from participation.consultations.results import TEXT_KINDS, Answer, Results, compute
from participation.consultations.text_reviews import published_texts
from tenants import versioned_cache
from townsite.models import Neighbourhood

SECONDS = 600
# The published page shows a neighbourhood's results only past this many answers there, so
# that nobody's answers can be told from a small group's (statistical confidentiality).
MIN_GROUP = 5


def version_key(consultation_id: int) -> str:
    return f"consultations:results:v:{consultation_id}"


def bump(consultation_id: int) -> None:
    """The results of this consultation change once the current transaction commits."""
    versioned_cache.bump(version_key(consultation_id))


@dataclass(frozen=True)
class Group:
    """A neighbourhood (or member commune) one can filter on."""

    pk: int
    name: str
    count: int
    shown: bool  # enough answers to show its results (always, to staff)


@dataclass(frozen=True)
class Page:
    """What a results page shows: the results (None when the group is too small to show),
    the groups one can filter on, the chosen one, and how many groups are left out."""

    results: Results | None
    groups: list[Group]  # all of them: the page lists only those shown
    chosen: Group | None
    hidden_groups: int
    unknown_group: bool  # the filter named no neighbourhood there is
    to_review: int = 0  # staff: written answers waiting for a decision (or changed since)

    @property
    def shown_groups(self) -> list[Group]:
        return [group for group in self.groups if group.shown]


def _answers(consultation: Consultation) -> list[Answer]:
    rows = consultation.responses.order_by("pk").values_list(
        "pk", "answers", "channel", "neighbourhood_id"
    )
    return [Answer(*row) for row in rows]


def _groups(answers: list[Answer], public: bool) -> list[Group]:
    counts = Counter(answer.neighbourhood_id for answer in answers if answer.neighbourhood_id)
    if not counts:
        return []
    names = Neighbourhood.objects.filter(pk__in=list(counts)).values_list("pk", "name", "position")
    return [
        Group(pk, name, counts[pk], shown=not public or counts[pk] >= MIN_GROUP)
        for pk, name, _position in sorted(names, key=lambda row: (row[2], row[1]))
    ]


def _compute(consultation: Consultation, public: bool, group_id: int | None) -> Page:
    answers = _answers(consultation)
    groups = _groups(answers, public)
    hidden = sum(1 for group in groups if not group.shown)
    chosen = next((group for group in groups if group.pk == group_id), None)
    if group_id is not None and (chosen is None or not chosen.shown):
        return Page(None, groups, chosen, hidden, unknown_group=chosen is None)
    questions = list(consultation.questions.all())
    to_review = 0 if public else _to_review(consultation, questions, answers)
    if chosen is not None:
        answers = [answer for answer in answers if answer.neighbourhood_id == chosen.pk]
    published = published_texts(consultation) if public else None
    results = compute(questions, answers, published=published)
    return Page(results, groups, chosen, hidden, unknown_group=False, to_review=to_review)


def _to_review(
    consultation: Consultation, questions: list[ConsultationQuestion], answers: list[Answer]
) -> int:
    """Written answers with no decision covering their text (one query)."""
    decided = set(
        ConsultationTextReview.objects.filter(response__consultation=consultation).values_list(
            "response_id", "question_id", "text"
        )
    )
    keys = [(q.pk, str(q.pk)) for q in questions if q.kind in TEXT_KINDS]
    return sum(
        1
        for answer in answers
        for pk, key in keys
        if isinstance(text := answer.answers.get(key), str)
        and text.strip()
        and (answer.pk, pk, text) not in decided
    )


def _key(consultation: Consultation, public: bool, group_id: int | None, part: str) -> str:
    audience = "public" if public else "staff"
    language = translation.get_language() or ""
    group = group_id or "all"
    return f"consultations:results:{consultation.pk}:{audience}:{group}:{part}:{language}"


def _read(consultation: Consultation, key: str, compute_entry: Callable[[], Any]) -> Any:
    entries = {key: compute_entry}
    return versioned_cache.read(version_key(consultation.pk), entries, seconds=SECONDS)[key]


def _groups_of(consultation: Consultation, public: bool) -> list[Group]:
    """The groups alone (a small entry): what a filtered page checks its filter against."""
    key = _key(consultation, public, None, "groups")
    return _read(consultation, key, lambda: _groups(_answers(consultation), public))


def page(consultation: Consultation, *, public: bool, group_id: int | None = None) -> Page:
    """The results to show (everyone's, or one group's), computed at most once per version."""
    if group_id is None:
        key = _key(consultation, public, None, "data")
        return _read(consultation, key, lambda: _compute(consultation, public, None))
    groups = _groups_of(consultation, public)
    chosen = next((group for group in groups if group.pk == group_id), None)
    if chosen is None:  # nobody from there answered: everyone's results, said so
        return replace(page(consultation, public=public), unknown_group=True)
    if not chosen.shown:  # too few to show: nothing to compute, nor to store
        hidden = sum(1 for group in groups if not group.shown)
        return Page(None, groups, chosen, hidden, unknown_group=False)
    key = _key(consultation, public, group_id, "data")
    return _read(consultation, key, lambda: _compute(consultation, public, group_id))


def rendered(
    consultation: Consultation, *, public: bool, group_id: int | None, render: Callable[[Page], str]
) -> str:
    """`render(page(...))`, cached as such: the results' HTML, the costly part of the page."""
    if group_id is not None:
        chosen = next((g for g in _groups_of(consultation, public) if g.pk == group_id), None)
        if chosen is None or not chosen.shown:  # not stored under any id one may ask
            return render(page(consultation, public=public, group_id=group_id))
    key = _key(consultation, public, group_id, "html")
    return _read(
        consultation, key, lambda: render(page(consultation, public=public, group_id=group_id))
    )


def group_from(value: str | None) -> int | None:
    """The filter's value from a query string: a neighbourhood's id, or None (everyone)."""
    return int(value) if value and value.isdecimal() and len(value) < 10 else None
