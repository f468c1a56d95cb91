"""Staff's pages: the consultations, one's description and files, publish, duplicate.
Thin: a form parses, one service writes. The questionnaire's pages are in builder_views."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.models import User
from participation.consultations import services
from participation.consultations.access import module_required
from participation.consultations.forms import AttachmentForm, ConsultationForm
from participation.consultations.models import Consultation, ConsultationAttachment
from townsite.setup.guards import town_admin_with_password

GET_POST = ("GET", "POST")


def staff(view: Any) -> Any:
    """The town's admins, with the module on."""
    return module_required(town_admin_with_password(view))


def _admin(request: HttpRequest) -> User:
    return cast(User, request.user)


def add_errors(form: forms.BaseForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def get_for_staff(pk: int) -> Consultation:
    return get_object_or_404(Consultation, pk=pk)


@staff
@require_http_methods(["GET"])
def staff_list(request: HttpRequest) -> HttpResponse:
    rows = Consultation.objects.annotate(
        answer_count=Count("responses"),
        paper_count=Count("responses", filter=Q(responses__channel="paper")),
    ).order_by("-created_at")
    return render(request, "participation/consultations/staff/list.html", {"rows": rows})


def _form_values(form: ConsultationForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    data["communes"] = list(data.get("communes") or [])
    return data


@staff
@require_http_methods(GET_POST)
def staff_new(request: HttpRequest) -> HttpResponse:
    form = ConsultationForm(request.POST or None, initial={"audience": "residents"})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                consultation = services.create_consultation(_admin(request), **_form_values(form))
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Consultation created. Now write its questions."))
                return redirect("consultations_staff:builder", pk=consultation.pk)
        status = 400
    context = {"form": form, "consultation": None}
    return render(request, "participation/consultations/staff/edit.html", context, status=status)


@staff
@require_http_methods(GET_POST)
def staff_edit(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_for_staff(pk)
    initial = {
        "title": consultation.title,
        "context_html": consultation.context_html,
        "opens_at": consultation.opens_at,
        "closes_at": consultation.closes_at,
        "audience": consultation.audience,
        "communes": list(consultation.communes.all()),
    }
    form = ConsultationForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.update_consultation(_admin(request), consultation, **_form_values(form))
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Saved."))
                return redirect("consultations_staff:edit", pk=consultation.pk)
        status = 400
    return _edit_page(request, consultation, form, AttachmentForm(), status)


def _edit_page(
    request: HttpRequest,
    consultation: Consultation,
    form: ConsultationForm,
    attachment_form: AttachmentForm,
    status: int,
) -> HttpResponse:
    context = {
        "form": form,
        "consultation": consultation,
        "attachment_form": attachment_form,
        "attachments": consultation.attachments.all(),
        "answered": services.has_answers(consultation),
    }
    return render(request, "participation/consultations/staff/edit.html", context, status=status)


@staff
@require_POST
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_for_staff(pk)
    attachment_form = AttachmentForm(request.POST, request.FILES)
    if attachment_form.is_valid():
        try:
            services.add_attachment(
                _admin(request),
                consultation,
                attachment_form.cleaned_data["file"],
                attachment_form.cleaned_data["name"],
            )
        except ValidationError as error:
            attachment_form.add_error("file", error)
        else:
            messages.success(request, _("File added."))
            return redirect("consultations_staff:edit", pk=consultation.pk)
    form = ConsultationForm(
        initial={
            "title": consultation.title,
            "context_html": consultation.context_html,
            "opens_at": consultation.opens_at,
            "closes_at": consultation.closes_at,
            "audience": consultation.audience,
            "communes": list(consultation.communes.all()),
        }
    )
    return _edit_page(request, consultation, form, attachment_form, 400)


@staff
@require_POST
def attachment_remove(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    consultation = get_for_staff(pk)
    found = get_object_or_404(ConsultationAttachment, consultation=consultation, pk=attachment_pk)
    services.remove_attachment(_admin(request), found)
    messages.success(request, _("File removed."))
    return redirect("consultations_staff:edit", pk=consultation.pk)


@staff
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_for_staff(pk)
    try:
        services.publish_consultation(_admin(request), consultation)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Published: residents are told."))
    return redirect("consultations_staff:builder", pk=consultation.pk)


@staff
@require_POST
def duplicate(request: HttpRequest, pk: int) -> HttpResponse:
    copy = services.duplicate_consultation(_admin(request), get_for_staff(pk))
    messages.success(request, _("Copy made: it is a draft you can change."))
    return redirect("consultations_staff:builder", pk=copy.pk)
