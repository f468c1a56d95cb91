"""The dashboard page (staff: moderators and admins; the goal is the admins') and its CSV files."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from accounts.permissions import town_staff_required
from mutual_aid.access import module_required
from mutual_aid.dashboard import csv_files, figures
from mutual_aid.dashboard.services import set_active_residents_goal
from mutual_aid.models import MutualAidSettings
from townsite.charts import Series, bar_chart

GOAL_MAX = 1_000_000


class GoalForm(forms.Form):
    goal = forms.IntegerField(
        label=gettext_lazy("Goal: active residents"),
        min_value=1,
        max_value=GOAL_MAX,
        help_text=gettext_lazy("How many residents you would like to see taking part each month."),
    )


@require_http_methods(["GET", "POST"])
@module_required
@town_staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    settings_row = MutualAidSettings.load()
    form = GoalForm(initial={"goal": settings_row.active_residents_goal})
    if request.method == "POST":
        if not getattr(request.user, "is_town_admin", False):
            raise PermissionDenied
        form = GoalForm(request.POST)
        if form.is_valid():
            set_active_residents_goal(form.cleaned_data["goal"], by=request.user)
            messages.success(request, _("The goal is saved."))
            return redirect("mutual_aid_dashboard:dashboard")
    return render(request, "mutual_aid/dashboard/dashboard.html", _context(settings_row, form))


def _context(settings_row: MutualAidSettings, form: GoalForm) -> dict[str, Any]:
    now = timezone.now()
    months = figures.per_month(now)
    categories = figures.per_category(now)
    posts, helped = Series("posts", _("Posts")), Series("helped", _("Help given"))
    first_answer = figures.first_answer(now)
    unanswered = figures.unanswered_requests(now)
    shown = list(unanswered[: figures.UNANSWERED_SHOWN])
    return {
        "now": now,
        "active": figures.active_residents(now),
        "goal": settings_row.active_residents_goal,
        "form": form,
        "months": months,
        "months_chart": bar_chart(
            _("Posts and help given per month"),
            [posts, helped],
            [(_month_label(row.month), [row.posts, row.helped]) for row in months],
        ),
        "categories": categories,
        "categories_chart": bar_chart(
            _("Posts and help given per category, last 12 months"),
            [posts, helped],
            [(row.name, [row.posts, row.helped]) for row in categories],
        ),
        "first_answer": first_answer,
        "first_answer_parts": figures.duration_parts(first_answer.median),
        "unanswered": [(post, figures.days_between(post.created_at, now)) for post in shown],
        "unanswered_total": len(shown)
        if len(shown) < figures.UNANSWERED_SHOWN
        else unanswered.count(),
        "unanswered_days": figures.UNANSWERED_DAYS,
        "csv_files": csv_files.FILES,
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
