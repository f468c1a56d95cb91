"""The town's idea box pages: answer an idea (status and official answer), merge a
duplicate, the categories and the support threshold. Thin: a form parses, a service writes."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from accounts.permissions import town_staff_required
from participation.ideas import answers, staff_services
from participation.ideas.access import NotAllowed, get_idea_for, module_required
from participation.ideas.forms import AnswerForm, CategoryForm, MergeForm, ThresholdForm
from participation.ideas.models import Idea, IdeaCategory, IdeaSettings
from participation.ideas.views import detail_context
from townsite.setup.guards import town_admin_with_password


def _staff(request: HttpRequest) -> User:
    return cast(User, request.user)


@require_http_methods(["GET"])
@module_required
@town_staff_required
def waiting(request: HttpRequest) -> HttpResponse:
    """Ideas waiting for an answer, those past the threshold first."""
    threshold = IdeaSettings.load().support_threshold
    ideas = (
        Idea.objects.visible()
        .filter(status__in=[Idea.Status.SUBMITTED, Idea.Status.UNDER_STUDY])
        .select_related("category")
        .order_by("-support_count", F("created_at").asc(), "pk")[:200]
    )
    context = {"ideas": list(ideas), "threshold": threshold}
    return render(request, "participation/ideas/staff/waiting.html", context)


@require_POST
@module_required
@town_staff_required
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    staff = _staff(request)
    idea = get_idea_for(staff, pk)
    form = AnswerForm(request.POST, choices=answers.next_statuses(idea))
    if form.is_valid():
        try:
            answers.answer_idea(
                staff, idea, status=form.cleaned_data["status"], text=form.cleaned_data["text"]
            )
        except NotAllowed as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("Your answer is published and sent."))
            return redirect("ideas:detail", pk=idea.pk)
    context = detail_context(request, idea, answer_form=form)
    return render(request, "participation/ideas/detail.html", context, status=400)


@require_POST
@module_required
@town_staff_required
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    staff = _staff(request)
    duplicate = get_idea_for(staff, pk)
    form = MergeForm(request.POST, prefix="merge")
    if form.is_valid():
        into = Idea.objects.filter(pk=form.cleaned_data["into"]).first()
        try:
            if into is None:
                raise NotAllowed(_("There is no idea with this number."))
            answers.merge_idea(staff, duplicate, into, text=form.cleaned_data["text"])
        except NotAllowed as refusal:
            form.add_error("into", refusal.message)
        else:
            messages.success(request, _("The ideas are merged; both authors are told."))
            return redirect("ideas:detail", pk=into.pk)
    context = detail_context(request, duplicate, merge_form=form)
    return render(request, "participation/ideas/detail.html", context, status=400)


@require_http_methods(["GET", "POST"])
@module_required
@town_admin_with_password
def categories(request: HttpRequest) -> HttpResponse:
    staff = _staff(request)
    status = 200
    form = CategoryForm(prefix="new")
    threshold_form = ThresholdForm(
        prefix="threshold", initial={"support_threshold": IdeaSettings.load().support_threshold}
    )
    if request.method == "POST" and "threshold-support_threshold" in request.POST:
        threshold_form = ThresholdForm(request.POST, prefix="threshold")
        if threshold_form.is_valid():
            staff_services.set_threshold(staff, threshold_form.cleaned_data["support_threshold"])
            messages.success(request, _("Saved."))
            return redirect("ideas_staff:categories")
        status = 400
    elif request.method == "POST":
        form = CategoryForm(request.POST, prefix="new")
        if form.is_valid():
            staff_services.add_category(
                staff, name=form.cleaned_data["name"], position=form.cleaned_data["position"]
            )
            messages.success(request, _("The category is added."))
            return redirect("ideas_staff:categories")
        status = 400
    context = {
        "form": form,
        "threshold_form": threshold_form,
        "categories": list(IdeaCategory.objects.all()),
    }
    return render(request, "participation/ideas/staff/categories.html", context, status=status)


@require_http_methods(["GET", "POST"])
@module_required
@town_admin_with_password
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(IdeaCategory, pk=pk)
    status = 200
    if request.method == "POST":
        form = CategoryForm(request.POST, category=category)
        if form.is_valid():
            staff_services.change_category(_staff(request), category, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("ideas_staff:categories")
        status = 400
    else:
        form = CategoryForm(
            category=category,
            initial={
                "name": category.name,
                "position": category.position,
                "enabled": category.enabled,
            },
        )
    context = {"form": form, "category": category}
    return render(request, "participation/ideas/staff/category_edit.html", context, status=status)
