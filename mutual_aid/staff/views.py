"""The town's mutual aid pages, for its admins: settings, categories, help lines. Thin: a form
parses, one service of `mutual_aid.staff.services` writes."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from mutual_aid.models import Category, HelpLine, MutualAidSettings
from mutual_aid.staff import services
from mutual_aid.staff.forms import (
    CategoryForm,
    HelpLineForm,
    NewCategoryForm,
    NewHelpLineForm,
    SettingsForm,
)
from townsite.setup.guards import town_admin_with_password

GET_POST = ("GET", "POST")


def _admin(request: HttpRequest) -> User:
    return cast(User, request.user)


def _add_errors(form: forms.Form, error: ValidationError) -> None:
    for field, messages_ in error.message_dict.items():
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


@town_admin_with_password
@require_http_methods(GET_POST)
def aid_settings(request: HttpRequest) -> HttpResponse:
    current = MutualAidSettings.load()
    status = 200
    if request.method == "POST":
        form = SettingsForm(request.POST)
        if form.is_valid():
            services.save_settings(
                _admin(request),
                sensitive_verified_only=form.cleaned_data["sensitive_verified_only"],
            )
            messages.success(request, _("Saved."))
            return redirect("mutual_aid_staff:settings")
        status = 400
    else:
        form = SettingsForm(initial={"sensitive_verified_only": current.sensitive_verified_only})
    return render(request, "mutual_aid/staff/settings.html", {"form": form}, status=status)


@town_admin_with_password
@require_http_methods(GET_POST)
def categories(request: HttpRequest) -> HttpResponse:
    status = 200
    form = NewCategoryForm(request.POST or None, initial={"icon": "autre"})
    if request.method == "POST":
        if form.is_valid():
            try:
                category = services.add_category(_admin(request), **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Category “%(name)s” added.") % {"name": category.name})
                return redirect("mutual_aid_staff:categories")
        status = 400
    rows = Category.objects.annotate(post_count=Count("posts")).order_by("position", "name")
    context = {"rows": rows, "form": form}
    return render(request, "mutual_aid/staff/categories.html", context, status=status)


@town_admin_with_password
@require_http_methods(GET_POST)
def category_edit(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(Category.objects.annotate(post_count=Count("posts")), pk=pk)
    status = 200
    if request.method == "POST":
        form = CategoryForm(request.POST)
        if form.is_valid():
            try:
                services.update_category(category, _admin(request), **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            except services.StaffError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Saved."))
                return redirect("mutual_aid_staff:categories")
        status = 400
    else:
        form = CategoryForm(initial={f: getattr(category, f) for f in services.CATEGORY_FIELDS})
    context: dict[str, Any] = {"category": category, "form": form}
    return render(request, "mutual_aid/staff/category_edit.html", context, status=status)


@town_admin_with_password
@require_POST
def category_remove(request: HttpRequest, pk: int) -> HttpResponse:
    category = get_object_or_404(Category, pk=pk)
    try:
        services.remove_category(category, _admin(request))
    except services.StaffError as error:
        messages.error(request, str(error))
        return redirect("mutual_aid_staff:category_edit", category.pk)
    messages.success(request, _("Category “%(name)s” removed.") % {"name": category.name})
    return redirect("mutual_aid_staff:categories")


@town_admin_with_password
@require_http_methods(GET_POST)
def help_lines(request: HttpRequest) -> HttpResponse:
    status = 200
    form = NewHelpLineForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                line = services.add_help_line(_admin(request), **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Help line “%(name)s” added.") % {"name": line.name})
                return redirect("mutual_aid_staff:help_lines")
        status = 400
    context = {"rows": HelpLine.objects.order_by("position", "name"), "form": form}
    return render(request, "mutual_aid/staff/help_lines.html", context, status=status)


@town_admin_with_password
@require_http_methods(GET_POST)
def help_line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line = get_object_or_404(HelpLine, pk=pk)
    status = 200
    if request.method == "POST":
        form = HelpLineForm(request.POST)
        if form.is_valid():
            try:
                services.update_help_line(line, _admin(request), **form.cleaned_data)
            except ValidationError as error:
                _add_errors(form, error)
            except services.StaffError as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Saved."))
                return redirect("mutual_aid_staff:help_lines")
        status = 400
    else:
        form = HelpLineForm(initial={f: getattr(line, f) for f in services.HELP_LINE_FIELDS})
    context = {"line": line, "form": form}
    return render(request, "mutual_aid/staff/help_line_edit.html", context, status=status)
