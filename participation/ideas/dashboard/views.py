"""The idea box's dashboard page (the town's staff: moderators and admins) and its CSV files."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.permissions import town_staff_required
from participation.ideas.access import module_required
from participation.ideas.dashboard import csv_files, figures
from participation.ideas.models import IdeaSettings
from townsite.charts import Series, bar_chart


def _whole_days(value: float | None) -> int:
    return round(value) if value is not None else 0


@require_GET
@module_required
@town_staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    return render(request, "participation/ideas/dashboard/dashboard.html", _context())


def _context() -> dict[str, Any]:
    now = timezone.now()
    threshold = IdeaSettings.load().support_threshold
    year = figures.wait_for_answer(now)
    months = [
        (row.month, row.wait, figures.days(row.wait.median), figures.days(row.wait.p90))
        for row in figures.wait_per_month(now)
    ]
    waiting = figures.waiting_rows(
        list(figures.waiting_ideas(threshold)[: figures.WAITING_SHOWN]), now
    )
    counts = figures.waiting_counts(threshold)
    statuses = figures.per_status()
    categories = figures.per_category()
    ideas = Series("ideas", _("Ideas"))
    return {
        "now": now,
        "threshold": threshold,
        "year": year,
        "year_median": figures.days(year.median),
        "year_p90": figures.days(year.p90),
        "months": months,
        "months_chart": bar_chart(
            _("Days before the first answer, per month"),
            [Series("median", _("Median")), Series("p90", _("90th percentile"))],
            [
                (_month_label(month), [_whole_days(median), _whole_days(p90)])
                for month, _wait, median, p90 in months
            ],
        ),
        "waiting": waiting,
        "waiting_total": counts["total"],
        "promised_total": counts["promised"],
        "statuses": statuses,
        "statuses_chart": bar_chart(
            _("Ideas per status"), [ideas], [(label, [total]) for _code, label, total in statuses]
        ),
        "categories": categories,
        "categories_chart": bar_chart(
            _("Ideas per category"),
            [ideas, Series("waiting", _("Waiting for an answer"))],
            [(row.name, [row.ideas, row.waiting]) for row in categories],
        ),
    }


def _month_label(month: Any) -> str:
    return date_format(month, "F Y")


@require_GET
@module_required
@town_staff_required
def figure_csv(request: HttpRequest, figure: str) -> HttpResponse:
    if figure not in csv_files.FILES:
        raise Http404
    return csv_files.csv_response(figure, timezone.now())
