"""Moderation pages for residents: report something, block someone, see whom they block."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from townsite.moderation import blocking, reporting
from townsite.moderation.errors import AlreadyReported, ModerationError
from townsite.moderation.forms import ReportForm
from townsite.moderation.registry import PERSON


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


@login_required
def report(request: HttpRequest, kind: str, target_id: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    registered, obj = reporting.reportable_target(user, kind, target_id)
    context: dict[str, Any] = {
        "kind": registered,
        "excerpt": registered.excerpt_of(obj),
        "is_person": registered.key == PERSON,
        "target": obj,
    }
    if reporting.open_report_of(user, registered.key, str(obj.pk)) is not None:
        return render(request, "townsite/moderation/report_done.html", {**context, "again": True})
    form = ReportForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            reporting.report(
                user,
                registered.key,
                str(obj.pk),
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except AlreadyReported:
            return render(
                request, "townsite/moderation/report_done.html", {**context, "again": True}
            )
        except ModerationError as error:
            form.add_error(None, error.message)
        else:
            return render(request, "townsite/moderation/report_done.html", context)
    return render(
        request,
        "townsite/moderation/report.html",
        {**context, "form": form},
        status=400 if form.is_bound else 200,
    )


@login_required
def block(request: HttpRequest, user_id: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    person = blocking.blockable_person(user, user_id)
    error = None
    if request.method == "POST":
        try:
            done = blocking.block(user, person.pk)
        except ModerationError as refusal:
            error = refusal.message
        else:
            if done is None:
                messages.info(request, _("You had already blocked this person."))
            else:
                messages.success(
                    request,
                    _("%(name)s is blocked: neither of you can write to the other.")
                    % {"name": person.display_name},
                )
            return redirect("townsite:my_blocks")
    return render(
        request,
        "townsite/moderation/block.html",
        {"person": person, "error": error, "is_self": person.pk == user.pk},
        status=400 if error else 200,
    )


@login_required
def my_blocks(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "townsite/moderation/my_blocks.html",
        {"blocks": blocking.blocked_by(request.user)},  # type: ignore[arg-type]
    )


@login_required
@require_POST
def unblock(request: HttpRequest, user_id: int) -> HttpResponse:
    if blocking.unblock(request.user, user_id):  # type: ignore[arg-type]
        messages.success(request, _("This person is no longer blocked."))
    else:
        messages.info(request, _("This person was not blocked."))
    return redirect("townsite:my_blocks")
