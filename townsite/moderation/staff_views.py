"""Moderation pages for the town's staff: the queue, one target's file, the log, suspensions,
verified residents. Thin: a form reads, one service writes, the page renders or redirects."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from accounts.permissions import town_staff_required
from townsite.moderation import queries, services, verification
from townsite.moderation.errors import ModerationError
from townsite.moderation.forms import Decision, DecisionForm, LiftForm

DONE = {
    Decision.HIDE: _("The content is hidden. The people who reported it are told."),
    Decision.RESTORE: _("The content is shown again."),
    Decision.DISMISS: _("The reports are dismissed. The people who made them are told."),
    Decision.WARN: _("The warning is sent."),
    Decision.SUSPEND: _("The person is suspended and their content hidden."),
}
NOTHING_TO_DO = {
    Decision.HIDE: _("It was hidden already."),
    Decision.RESTORE: _("It was not hidden."),
    Decision.DISMISS: _("There was no report left to dismiss."),
    Decision.SUSPEND: _("This person was suspended already."),
}


def _moderator(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@town_staff_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    page, items = queries.queue_page(_moderator(request), request.GET.get("page"))
    return render(request, "townsite/moderation/queue.html", {"page": page, "items": items})


def _decisions(file: queries.TargetFile) -> list[str]:
    found: list[str] = []
    if file.kind.hideable and file.obj is not None:
        found.append(Decision.RESTORE if file.is_hidden else Decision.HIDE)
    if file.open_reports:
        found.append(Decision.DISMISS)
    if file.author is not None:
        found.append(Decision.WARN)
        if file.author.role == User.Role.RESIDENT and not file.author_suspended:
            found.append(Decision.SUSPEND)
    return found


def _decide(moderator: User, file: queries.TargetFile, decision: str, reason: str) -> Any:
    key, target_id = file.kind.key, file.target_id
    if decision == Decision.HIDE:
        return services.hide_content(moderator, key, target_id, reason=reason)
    if decision == Decision.RESTORE:
        return services.restore_content(moderator, key, target_id, reason=reason)
    if decision == Decision.DISMISS:
        return services.dismiss_reports(moderator, key, target_id, reason=reason)
    if decision == Decision.WARN:
        return services.warn_author(moderator, key, target_id, message=reason)
    return services.suspend_resident(moderator, key, target_id, reason=reason)


@town_staff_required
def target(request: HttpRequest, kind: str, target_id: str) -> HttpResponse:
    moderator = _moderator(request)
    file = queries.target_file(moderator, kind, target_id)
    decisions = _decisions(file)
    form = DecisionForm(request.POST if request.method == "POST" else None, decisions=decisions)
    if request.method == "POST" and form.is_valid():
        decision = form.cleaned_data["decision"]
        try:
            done = _decide(moderator, file, decision, form.cleaned_data["reason"])
        except ModerationError as error:
            form.add_error(None, error.message)
        else:
            if done is None:
                messages.info(request, NOTHING_TO_DO[decision])
            else:
                messages.success(request, DONE[decision])
            if decision in (Decision.DISMISS, Decision.HIDE, Decision.WARN, Decision.SUSPEND):
                return redirect("townsite:moderation_queue")
            return redirect(
                "townsite:moderation_target", kind=file.kind.key, target_id=file.target_id
            )
    return render(
        request,
        "townsite/moderation/target.html",
        {"file": file, "form": form, "has_decisions": bool(decisions)},
        status=400 if form.is_bound else 200,
    )


@town_staff_required
@require_GET
def log(request: HttpRequest) -> HttpResponse:
    page = queries.log_page(_moderator(request), request.GET.get("page"))
    return render(request, "townsite/moderation/log.html", {"page": page})


@town_staff_required
@require_GET
def suspensions(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "townsite/moderation/suspensions.html",
        {"profiles": queries.suspended_residents(_moderator(request)), "form": LiftForm()},
    )


@town_staff_required
def lift(request: HttpRequest, user_id: int) -> HttpResponse:
    moderator = _moderator(request)
    profile = queries.suspended_residents(moderator).filter(user_id=user_id).first()
    form = LiftForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            done = services.lift_suspension(moderator, user_id, reason=form.cleaned_data["reason"])
        except ModerationError as error:
            form.add_error(None, error.message)
        else:
            if done is None:
                messages.info(request, _("This person was not suspended."))
            else:
                messages.success(request, _("The suspension is lifted. The person is told."))
            return redirect("townsite:moderation_suspensions")
    if profile is None:
        messages.info(request, _("This person is not suspended."))
        return redirect("townsite:moderation_suspensions")
    return render(
        request,
        "townsite/moderation/lift.html",
        {"profile": profile, "form": form},
        status=400 if form.is_bound else 200,
    )


@town_staff_required
@require_POST
def verify(request: HttpRequest, user_id: int) -> HttpResponse:
    verified = request.POST.get("verified") == "1"
    profile = verification.set_verified(_moderator(request), user_id, verified=verified)
    name = profile.user.display_name
    if verified:
        messages.success(request, _("%(name)s is now a verified resident.") % {"name": name})
    else:
        messages.success(request, _("%(name)s is no longer verified.") % {"name": name})
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("townsite:residents")
    return redirect(back)
