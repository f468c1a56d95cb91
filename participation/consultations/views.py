"""Residents' pages: the list, a consultation (its answer form), the confirmation, its files.
Thin: the form checks, one service of `answering` writes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts import ratelimit
from participation.consultations import answering, browser
from participation.consultations.access import (
    NotAllowed,
    ensure_may_answer,
    get_consultation_for,
    is_member,
    listed_for,
    module_required,
)
from participation.consultations.answer_form import AnswerForm, initial_from_answers, raw_values
from participation.consultations.models import Consultation
from tenants.network import client_ip

GET_POST = ("GET", "POST")
# Anonymous answers and drafts per address and consultation: a household or a town hall's
# public computer answers a few times; a script filling the form in a loop is stopped.
ANONYMOUS_LIMIT, ANONYMOUS_WINDOW = 20, 3600


@require_GET
@module_required
def consultation_list(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    groups: dict[str, list[Consultation]] = {"open": [], "upcoming": [], "closed": []}
    for consultation in listed_for(request.user).order_by("closes_at"):
        groups[consultation.phase(now)].append(consultation)
    groups["closed"].reverse()  # the latest closed first
    context: dict[str, Any] = {"groups": groups}
    if not is_member(request.user):  # published results are for everyone on the town's site
        context["published_results"] = Consultation.objects.filter(
            published_at__isnull=False, results_published_at__isnull=False
        ).order_by("-closes_at")
    return render(request, "participation/consultations/list.html", context)


class _Visit:
    """Who is answering: a member's account, or an anonymous browser (its cookie)."""

    def __init__(self, request: HttpRequest, consultation: Consultation) -> None:
        self.member = is_member(request.user)
        self.user = request.user if self.member else None
        self.identifier = "" if self.member else browser.browser_id(request)
        self.new_identifier = ""
        if not self.member and not self.identifier and request.method == "GET":
            self.new_identifier = self.identifier = browser.new_browser_id()
        self.key = browser.browser_key(self.identifier) if not self.member else ""

    def finish(self, response: HttpResponse) -> HttpResponse:
        if self.new_identifier:
            browser.remember(response, self.new_identifier)
        return response


@require_http_methods(GET_POST)
@module_required
def detail(request: HttpRequest, key: str) -> HttpResponse:
    try:
        consultation = get_consultation_for(request.user, key)
    except Http404:
        if is_member(request.user):
            raise
        # A guest following a resident's link logs in (whether the address exists or not).
        return redirect_to_login(request.get_full_path())
    visit = _Visit(request, consultation)
    refusal = ""
    try:
        ensure_may_answer(visit.user, consultation)
    except NotAllowed as refused:
        refusal = refused.message
    existing = answering.response_of(consultation, visit.user, visit.key)
    status = 200
    if request.method == "POST":
        form = AnswerForm(consultation, request.POST)
        status, outcome = _answer(request, consultation, visit, form, refusal)
        if outcome is not None:
            return outcome
    else:
        draft = answering.draft_of(consultation, visit.user, visit.key)
        if draft is not None:
            initial: dict[str, Any] = draft.data
        elif existing is not None:
            initial = initial_from_answers(consultation, existing.answers)
        else:
            initial = {}
        form = AnswerForm(consultation, initial=initial)
    context = {
        "consultation": consultation,
        "form": form,
        "refusal": refusal,
        "existing": existing,
        "anonymous": not visit.member,
        "phase": consultation.phase(),
        "attachments": consultation.attachments.all(),
    }
    page = render(request, "participation/consultations/detail.html", context, status=status)
    return visit.finish(page)


def _answer(
    request: HttpRequest,
    consultation: Consultation,
    visit: _Visit,
    form: AnswerForm,
    refusal: str,
) -> tuple[int, HttpResponse | None]:
    """(status, redirect) of a sent form; the form keeps what was typed on every refusal."""
    if refusal:
        messages.error(request, refusal)
        return 400, None
    if not visit.member:
        if not visit.identifier:
            messages.error(
                request,
                _(
                    "Your browser did not keep our cookie: allow cookies for this site "
                    "and send again."
                ),
            )
            return 400, None
        limit_key = f"consultations:{consultation.pk}:{client_ip(request)}"
        if not ratelimit.hit(
            limit_key, limit=ANONYMOUS_LIMIT, window_seconds=ANONYMOUS_WINDOW, fail_open=True
        ):
            messages.error(
                request,
                _("Too many answers were sent from your connection. Please try again in an hour."),
            )
            return 429, None
    saving_draft = request.POST.get("action") == "draft"
    if not saving_draft and form.is_valid():
        try:
            _response, created = answering.submit_answer(
                consultation, user=visit.user, browser_key=visit.key, answers=form.answers
            )
        except NotAllowed as refused:
            messages.error(request, refused.message)
            return 400, None
        messages.success(
            request,
            _("Thank you, your answer is saved.") if created else _("Your answer is changed."),
        )
        return 200, redirect("consultations:thanks", key=consultation.key)
    # Kept as a draft, so that a lost session or a closed tab loses nothing.
    try:
        answering.save_draft(
            consultation,
            user=visit.user,
            browser_key=visit.key,
            data=raw_values(form, request.POST),
        )
    except NotAllowed as refused:
        messages.error(request, refused.message)
        return 400, None
    if saving_draft:
        closes = formats.date_format(timezone.localtime(consultation.closes_at), "DATETIME_FORMAT")
        messages.success(
            request,
            _("Your answer in progress is saved. Come back to finish it before %(date)s.")
            % {"date": closes},
        )
        return 200, redirect("consultations:detail", key=consultation.key)
    return 400, None


@require_GET
@module_required
def thanks(request: HttpRequest, key: str) -> HttpResponse:
    consultation = get_consultation_for(request.user, key)
    visit = _Visit(request, consultation)
    existing = answering.response_of(consultation, visit.user, visit.key)
    if existing is None:
        raise Http404
    context = {
        "consultation": consultation,
        "response": existing,
        "rows": answering.readable_answers(consultation, existing.answers),
        "may_change": consultation.is_open,
        "may_email": visit.member,
    }
    return render(request, "participation/consultations/thanks.html", context)


@require_POST
@module_required
def email_copy(request: HttpRequest, key: str) -> HttpResponse:
    consultation = get_consultation_for(request.user, key)
    if not is_member(request.user):
        raise Http404
    existing = answering.response_of(consultation, request.user, "")
    if existing is None:
        raise Http404
    if answering.send_copy(existing, request.user):  # type: ignore[arg-type]
        messages.success(request, _("A copy of your answer is on its way to your email address."))
    else:
        messages.error(request, _("Your account has no email address we can write to."))
    return redirect("consultations:thanks", key=consultation.key)


@require_GET
@module_required
def attachment(request: HttpRequest, key: str, pk: int) -> FileResponse:
    """A consultation's file, only to who may see the consultation (never a public media URL)."""
    consultation = get_consultation_for(request.user, key)
    found = get_object_or_404(consultation.attachments, pk=pk)
    try:
        handle = found.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    extension = (found.file.name or "").rsplit(".", 1)[-1]
    filename = (
        found.name if found.name.lower().endswith(f".{extension}") else f"{found.name}.{extension}"
    )
    response = FileResponse(handle, content_type=found.content_type, filename=filename)
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
