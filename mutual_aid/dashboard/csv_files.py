"""The dashboard's figures as CSV files, one per figure, for a spreadsheet (the format is
townsite.csv_files')."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from django.http import HttpResponse
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from mutual_aid.dashboard import figures
from mutual_aid.models import MutualAidSettings
from townsite import csv_files

Rows = tuple[Sequence[str], Iterable[Sequence[object]]]


def _active(now: datetime) -> Rows:
    goal = MutualAidSettings.load().active_residents_goal
    return (
        [_("Date"), _("Active residents (last 30 days)"), _("Goal")],
        [[timezone.localdate(now).isoformat(), figures.active_residents(now), goal]],
    )


def _months(now: datetime) -> Rows:
    return (
        [_("Month"), _("Posts"), _("Help given")],
        [[row.month.strftime("%Y-%m"), row.posts, row.helped] for row in figures.per_month(now)],
    )


def _categories(now: datetime) -> Rows:
    return (
        [_("Category"), _("Posts (12 months)"), _("Help given (12 months)")],
        [[row.name, row.posts, row.helped] for row in figures.per_category(now)],
    )


def _first_answer(now: datetime) -> Rows:
    found = figures.first_answer(now)
    hours = "" if found.median is None else f"{found.median.total_seconds() / 3600:.1f}"
    return (
        [_("Median time to a first answer (hours)"), _("Posts answered (12 months)")],
        [[hours.replace(".", ","), found.answered_posts]],
    )


def _unanswered(now: datetime) -> Rows:
    posts = figures.unanswered_requests(now)
    return (
        [
            _("Title"),
            _("Category"),
            _("Neighbourhood"),
            _("Posted on"),
            _("Days waiting"),
            _("Link"),
        ],
        [
            [
                post.title,
                post.category.name,
                post.neighbourhood.name if post.neighbourhood else "",
                timezone.localdate(post.created_at).isoformat(),
                figures.days_between(post.created_at, now),
                reverse("mutual_aid:detail", args=[post.pk]),
            ]
            for post in posts
        ],
    )


FILES: dict[str, tuple[str, Callable[[datetime], Rows]]] = {
    "residents-actifs": ("residents-actifs", _active),
    "par-mois": ("entraide-par-mois", _months),
    "par-categorie": ("entraide-par-categorie", _categories),
    "premiere-reponse": ("delai-premiere-reponse", _first_answer),
    "demandes-sans-reponse": ("demandes-sans-reponse", _unanswered),
}


def csv_response(figure: str, now: datetime) -> HttpResponse:
    """The file of one figure (the caller checked `figure in FILES`)."""
    filename, build = FILES[figure]
    header, rows = build(now)
    stamp = formats.date_format(timezone.localdate(now), "Y-m-d")
    return csv_files.csv_response(f"{filename}-{stamp}.csv", header, rows)
