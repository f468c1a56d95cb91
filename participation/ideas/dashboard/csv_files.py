"""The dashboard's figures as CSV files, one per figure, for a spreadsheet (the format is
townsite.csv_files')."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from django.http import HttpResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from participation.ideas.dashboard import figures
from participation.ideas.models import IdeaSettings
from townsite import csv_files

Rows = tuple[Sequence[str], Iterable[Sequence[object]]]


def _days(value: float | None) -> str:
    # A French spreadsheet reads "3,5" as a number, "3.5" as text.
    return "" if value is None else f"{value:.1f}".replace(".", ",")


def _wait(now: datetime) -> Rows:
    header = [
        _("Month"),
        _("Ideas answered for the first time"),
        _("Median wait (days)"),
        _("90th percentile of the wait (days)"),
    ]
    rows: list[list[object]] = [
        [
            row.month.strftime("%Y-%m"),
            row.wait.answered,
            _days(figures.days(row.wait.median)),
            _days(figures.days(row.wait.p90)),
        ]
        for row in figures.wait_per_month(now)
    ]
    year = figures.wait_for_answer(now)
    rows.append(
        [
            _("Last 12 months"),
            year.answered,
            _days(figures.days(year.median)),
            _days(figures.days(year.p90)),
        ]
    )
    return header, rows


def _waiting(now: datetime) -> Rows:
    threshold = IdeaSettings.load().support_threshold
    ideas = figures.waiting_rows(list(figures.waiting_ideas(threshold)), now)
    return (
        [
            _("Title"),
            _("Category"),
            _("Neighbourhood"),
            _("Supports"),
            _("Past the threshold"),
            _("Proposed on"),
            _("Days waiting"),
            _("Link"),
        ],
        [
            [
                row.idea.title,
                row.idea.category.name,
                row.idea.neighbourhood.name if row.idea.neighbourhood else "",
                row.idea.support_count,
                _("Yes") if row.promised else _("No"),
                timezone.localdate(row.idea.created_at).isoformat(),
                row.days,
                reverse("ideas:detail", args=[row.idea.pk]),
            ]
            for row in ideas
        ],
    )


def _statuses(now: datetime) -> Rows:
    return (
        [_("Status"), _("Ideas")],
        [[label, total] for _code, label, total in figures.per_status()],
    )


def _categories(now: datetime) -> Rows:
    return (
        [_("Category"), _("Ideas"), _("Answered"), _("Waiting for an answer")],
        [[row.name, row.ideas, row.answered, row.waiting] for row in figures.per_category()],
    )


FILES: dict[str, tuple[str, Callable[[datetime], Rows]]] = {
    "delai-de-reponse": ("idees-delai-de-reponse", _wait),
    "idees-en-attente": ("idees-en-attente", _waiting),
    "par-statut": ("idees-par-statut", _statuses),
    "par-categorie": ("idees-par-categorie", _categories),
}


def csv_response(figure: str, now: datetime) -> HttpResponse:
    """The file of one figure (the caller checked `figure in FILES`)."""
    filename, build = FILES[figure]
    header, rows = build(now)
    stamp = formats.date_format(timezone.localdate(now), "Y-m-d")
    return csv_files.csv_response(f"{filename}-{stamp}.csv", header, rows)
