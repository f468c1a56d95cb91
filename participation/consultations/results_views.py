"""The results' pages: staff's live results and their actions (publish, withdraw, the
conclusion), and the published results page. Thin: one service writes, the results are read
cached (participation.consultations.results_cache)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from participation.consultations import publication, results_cache
from participation.consultations.access import module_required
from participation.consultations.models import Consultation
from participation.consultations.staff_views import (
    GET_POST,
    _admin,
    add_errors,
    get_for_staff,
    staff,
)
from tenants import schema

FILTER = "quartier"


def _is_epci(request: HttpRequest) -> bool:
    return bool(getattr(schema.request_tenant(request), "is_intercommunalite", False))


def _results_html(
    request: HttpRequest, consultation: Consultation, *, public: bool, group_id: int | None
) -> SafeString:
    epci = _is_epci(request)

    def render_page(page: results_cache.Page) -> str:
        context = {
            "consultation": consultation,
            "page": page,
            "public": public,
            "epci": epci,
            "min_group": results_cache.MIN_GROUP,
            "filter_name": FILTER,
        }
        return render_to_string("participation/consultations/_results.html", context)

    html = results_cache.rendered(
        consultation, public=public, group_id=group_id, render=render_page
    )
    return mark_safe(html)  # noqa: S308  (our own template's output, escaped when rendered)


@staff
@require_GET
def staff_results(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_for_staff(pk)
    group_id = results_cache.group_from(request.GET.get(FILTER))
    context = {
        "consultation": consultation,
        "results_html": _results_html(request, consultation, public=False, group_id=group_id),
        "phase": consultation.phase(),
    }
    return render(request, "participation/consultations/staff/results.html", context)


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@staff
@require_POST
def publish_results(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_for_staff(pk)
    try:
        publication.publish_results(_admin(request), consultation)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The results are published: everyone can read them now."))
    return redirect("consultations_staff:results", pk=consultation.pk)


@staff
@require_http_methods(GET_POST)
def unpublish_results(request: HttpRequest, pk: int) -> HttpResponse:
    """Two steps: this page asks, its form confirms."""
    consultation = get_for_staff(pk)
    if consultation.results_published_at is None:
        messages.info(request, _("The results are not published."))
        return redirect("consultations_staff:results", pk=consultation.pk)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        publication.unpublish_results(_admin(request), consultation)
        messages.success(request, _("The results are withdrawn: only the town's team sees them."))
        return redirect("consultations_staff:results", pk=consultation.pk)
    return render(
        request, "participation/consultations/staff/unpublish.html", {"consultation": consultation}
    )


class ConclusionForm(forms.Form):
    conclusion_html = forms.CharField(
        label=gettext_lazy("What the town will do"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=gettext_lazy(
            "What the town learnt and what it will do now. You may use these HTML tags: "
            "<p>, <br>, <strong>, <em>, <ul>, <ol>, <li>, <a href>, <h2>, <h3>; any other is "
            "removed."
        ),
    )


@staff
@require_http_methods(GET_POST)
def conclusion(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_for_staff(pk)
    initial = {"conclusion_html": consultation.conclusion_html}
    form = ConclusionForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        publish = request.POST.get("action") == "publish"
        if form.is_valid():
            typed = form.cleaned_data["conclusion_html"]
            was_published = consultation.conclusion_published_at is not None
            try:
                saved = publication.save_conclusion(
                    _admin(request), consultation, typed, publish=publish
                )
            except ValidationError as error:
                add_errors(form, error)
            else:
                if saved.conclusion_html != typed.strip():
                    messages.warning(
                        request,
                        _("Some formatting is not allowed and was removed: check the text below."),
                    )
                if publish and not was_published:
                    messages.success(
                        request, _("The conclusion is published: every participant is told.")
                    )
                else:
                    messages.success(request, _("The conclusion is saved."))
                return redirect("consultations_staff:conclusion", pk=consultation.pk)
        status = 400
    context = {"consultation": consultation, "form": form, "phase": consultation.phase()}
    return render(
        request, "participation/consultations/staff/conclusion.html", context, status=status
    )


@require_GET
@module_required
def public_results(request: HttpRequest, key: str) -> HttpResponse:
    consultation = publication.get_results_for(request.user, key)
    group_id = results_cache.group_from(request.GET.get(FILTER))
    context: dict[str, Any] = {
        "consultation": consultation,
        "results_html": _results_html(request, consultation, public=True, group_id=group_id),
        "preview": consultation.results_published_at is None,
    }
    return render(request, "participation/consultations/results.html", context)
