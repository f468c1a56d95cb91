"""Staff's questionnaire pages: the builder, a section's and a question's forms, moves, preview.
Every action is a plain form (works with a keyboard and without JavaScript)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from participation.consultations import builder, services
from participation.consultations.answer_form import AnswerForm
from participation.consultations.forms import QuestionForm, SectionForm
from participation.consultations.models import ConsultationQuestion, ConsultationSection
from participation.consultations.staff_views import (
    GET_POST,
    _admin,
    add_errors,
    get_for_staff,
    staff,
)


def _to_builder(pk: int, anchor: str = "") -> HttpResponse:
    response = redirect("consultations_staff:builder", pk=pk)
    if anchor:
        response["Location"] += f"#{anchor}"
    return response


def _refused(request: HttpRequest, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@staff
@require_GET
def builder_page(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_for_staff(pk)
    sections = list(consultation.sections.prefetch_related("questions__show_if_question"))
    context = {
        "consultation": consultation,
        "sections": sections,
        "locked": services.has_answers(consultation),
        "section_form": SectionForm(),
        "kinds": ConsultationQuestion.Kind.choices,
    }
    return render(request, "participation/consultations/staff/builder.html", context)


@staff
@require_POST
def section_add(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_for_staff(pk)
    form = SectionForm(request.POST)
    if form.is_valid():
        try:
            section = builder.add_section(_admin(request), consultation, **form.cleaned_data)
        except ValidationError as error:
            _refused(request, error)
        else:
            return _to_builder(pk, f"section-{section.pk}")
    else:
        messages.error(request, _("Give the section a title."))
    return _to_builder(pk)


def _section(pk: int, section_pk: int) -> ConsultationSection:
    return get_object_or_404(ConsultationSection, consultation_id=pk, pk=section_pk)


def _question(pk: int, question_pk: int) -> ConsultationQuestion:
    return get_object_or_404(
        ConsultationQuestion.objects.select_related("consultation", "section"),
        consultation_id=pk,
        pk=question_pk,
    )


@staff
@require_http_methods(GET_POST)
def section_edit(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    section = _section(pk, section_pk)
    form = SectionForm(request.POST or None, instance=section)
    status = 200
    if request.method == "POST":
        # A ModelForm's is_valid() writes to the instance: the service re-reads from the base.
        if form.is_valid():
            try:
                builder.update_section(_admin(request), section, **form.cleaned_data)
            except ValidationError as error:
                add_errors(form, error)
            else:
                return _to_builder(pk, f"section-{section.pk}")
        status = 400
    context = {"consultation": section.consultation, "section": section, "form": form}
    return render(
        request, "participation/consultations/staff/section_form.html", context, status=status
    )


@staff
@require_POST
def section_remove(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    try:
        builder.remove_section(_admin(request), _section(pk, section_pk))
    except ValidationError as error:
        _refused(request, error)
    return _to_builder(pk)


@staff
@require_POST
def section_move(request: HttpRequest, pk: int, section_pk: int, direction: str) -> HttpResponse:
    section = _section(pk, section_pk)
    try:
        builder.move_section(_admin(request), section, "up" if direction == "haut" else "down")
    except ValidationError as error:
        _refused(request, error)
    return _to_builder(pk, f"section-{section.pk}")


@staff
@require_http_methods(GET_POST)
def question_add(request: HttpRequest, pk: int, section_pk: int) -> HttpResponse:
    section = _section(pk, section_pk)
    initial: dict[str, Any] = {"kind": request.GET.get("type", "single"), "scale_max": 5}
    form = QuestionForm(section.consultation, None, request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                question = builder.add_question(_admin(request), section, **form.values())
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Question added."))
                return _to_builder(pk, f"question-{question.pk}")
        status = 400
    context = {"consultation": section.consultation, "section": section, "form": form}
    return render(
        request, "participation/consultations/staff/question_form.html", context, status=status
    )


@staff
@require_http_methods(GET_POST)
def question_edit(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    question = _question(pk, question_pk)
    form = QuestionForm(question.consultation, question, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                builder.update_question(_admin(request), question, **form.values())
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Question saved."))
                return _to_builder(pk, f"question-{question.pk}")
        status = 400
    context = {
        "consultation": question.consultation,
        "section": question.section,
        "question": question,
        "form": form,
        "locked": services.has_answers(question.consultation),
    }
    return render(
        request, "participation/consultations/staff/question_form.html", context, status=status
    )


@staff
@require_POST
def question_remove(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    try:
        builder.remove_question(_admin(request), _question(pk, question_pk))
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("Question removed."))
    return _to_builder(pk)


@staff
@require_POST
def question_move(request: HttpRequest, pk: int, question_pk: int, direction: str) -> HttpResponse:
    question = _question(pk, question_pk)
    try:
        builder.move_question(_admin(request), question, "up" if direction == "haut" else "down")
    except ValidationError as error:
        _refused(request, error)
    return _to_builder(pk, f"question-{question.pk}")


@staff
@require_GET
def preview(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_for_staff(pk)
    context = {
        "consultation": consultation,
        "form": AnswerForm(consultation),
        "attachments": consultation.attachments.all(),
        "preview": True,
    }
    return render(request, "participation/consultations/staff/preview.html", context)
