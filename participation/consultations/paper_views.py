"""Staff's pages for paper answers: the list, type one in (then the next), correct, remove.

The form is the residents' answer form (same checks: required questions, bounds, ranking),
with the commune written on the paper form. A refused form is shown again as typed.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from participation.consultations import paper
from participation.consultations.access import NotAllowed
from participation.consultations.answer_form import AnswerForm, initial_from_answers
from participation.consultations.models import Consultation, ConsultationResponse
from participation.consultations.staff_views import GET_POST, _admin, get_for_staff, staff
from townsite.models import Neighbourhood

PAPER = ConsultationResponse.Channel.PAPER
TEMPLATES = "participation/consultations/staff/"


class PaperAnswerForm(AnswerForm):
    """The answer form, and what the town hall knows of the paper form."""

    def __init__(self, consultation: Consultation, *args: Any, **kwargs: Any) -> None:
        super().__init__(consultation, *args, **kwargs)
        # A consultation for some member communes only: one of them, and it must be said.
        chosen = consultation.communes.exists()
        self.fields["commune"] = forms.ModelChoiceField(
            queryset=consultation.communes.all() if chosen else Neighbourhood.objects.all(),
            label=gettext_lazy("Commune or neighbourhood written on the form"),
            empty_label=gettext_lazy("Not written on the form"),
            required=chosen,
        )
        if paper.window(consultation) == "grace":
            self.fields["handed_in_before_closing"] = forms.BooleanField(
                label=gettext_lazy("This form was handed in before the closing"),
                required=False,
            )


def _paper_answer(consultation: Consultation, answer_pk: int) -> ConsultationResponse:
    return get_object_or_404(consultation.responses, pk=answer_pk, channel=PAPER)


@staff
@require_http_methods(["GET"])
def paper_list(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_for_staff(pk)
    rows = list(
        consultation.responses.filter(channel=PAPER)
        .select_related("neighbourhood", "entered_by")
        .order_by("submitted_at", "pk")
    )
    context = {
        "consultation": consultation,
        "rows": rows,
        "window": paper.window(consultation),
        "grace_ends": paper.grace_ends(consultation),
    }
    return render(request, TEMPLATES + "paper_list.html", context)


@staff
@require_http_methods(GET_POST)
def paper_new(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_for_staff(pk)
    form = PaperAnswerForm(consultation, request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                paper.add_paper_answer(
                    _admin(request),
                    consultation,
                    answers=form.answers,
                    neighbourhood=form.cleaned_data.get("commune"),
                    handed_in_before_closing=bool(
                        form.cleaned_data.get("handed_in_before_closing")
                    ),
                )
            except NotAllowed as refused:
                messages.error(request, refused.message)
            else:
                if request.POST.get("action") == "another":
                    messages.success(request, _("Paper answer saved. You can type in the next."))
                    return redirect("consultations_staff:paper_new", pk=consultation.pk)
                messages.success(request, _("Paper answer saved."))
                return redirect("consultations_staff:paper_list", pk=consultation.pk)
        status = 400
    context = {"consultation": consultation, "form": form, "answer": None}
    return render(request, TEMPLATES + "paper_form.html", context, status=status)


@staff
@require_http_methods(GET_POST)
def paper_edit(request: HttpRequest, pk: int, answer_pk: int) -> HttpResponse:
    consultation = get_for_staff(pk)
    answer = _paper_answer(consultation, answer_pk)
    initial = initial_from_answers(consultation, answer.answers)
    initial["commune"] = answer.neighbourhood_id
    form = PaperAnswerForm(consultation, request.POST or None, initial=initial)
    form.fields.pop("handed_in_before_closing", None)  # it was, since it was typed in
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                paper.change_paper_answer(
                    _admin(request),
                    answer,
                    answers=form.answers,
                    neighbourhood=form.cleaned_data.get("commune"),
                )
            except NotAllowed as refused:
                messages.error(request, refused.message)
            else:
                messages.success(request, _("Paper answer corrected."))
                return redirect("consultations_staff:paper_list", pk=consultation.pk)
        status = 400
    context = {"consultation": consultation, "form": form, "answer": answer}
    return render(request, TEMPLATES + "paper_form.html", context, status=status)


@staff
@require_http_methods(GET_POST)
def paper_remove(request: HttpRequest, pk: int, answer_pk: int) -> HttpResponse:
    """Asks first (GET), removes on the confirmation (POST)."""
    consultation = get_for_staff(pk)
    answer = _paper_answer(consultation, answer_pk)
    if request.method == "POST":
        try:
            paper.remove_paper_answer(_admin(request), answer)
        except NotAllowed as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, _("Paper answer removed."))
        return redirect("consultations_staff:paper_list", pk=consultation.pk)
    context = {"consultation": consultation, "answer": answer}
    return render(request, TEMPLATES + "paper_remove.html", context)
