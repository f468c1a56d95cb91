"""Staff's screen to review the written answers, a page at a time: each one published with the
results or withheld, one by one or the whole page at once (towns get hundreds)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods

from participation.consultations import reviews
from participation.consultations.staff_views import GET_POST, _admin, get_for_staff, staff

STATUS_LABELS = {
    "to_review": gettext_lazy("To review"),
    "published": gettext_lazy("Published"),
    "withheld": gettext_lazy("Withheld"),
    "all": gettext_lazy("All"),
}


def _verdicts(request: HttpRequest) -> list[reviews.Verdict]:
    """The decisions sent: `t-<response>-<question>` = published/withheld (or the whole page
    with `all`), each with the fingerprint of the text shown, `h-<response>-<question>`."""
    everything = request.POST.get("all", "")
    verdicts = []
    for name in request.POST.getlist("item"):
        parts = name.split("-")
        if len(parts) != 3 or not (parts[1].isdecimal() and parts[2].isdecimal()):
            continue
        decision = everything or request.POST.get(name, "")
        if not decision:
            continue  # left for later
        verdicts.append(
            reviews.Verdict(
                response_id=int(parts[1]),
                question_id=int(parts[2]),
                decision=decision,
                seen=request.POST.get(f"h{name[1:]}", ""),
            )
        )
    return verdicts


@staff
@require_http_methods(GET_POST)
def texts(request: HttpRequest, pk: int) -> HttpResponse:
    consultation = get_for_staff(pk)
    status = request.GET.get("statut", "to_review")
    if status not in reviews.STATUSES:
        status = "to_review"
    if request.method == "POST":
        try:
            outcome = reviews.review_texts(_admin(request), consultation, _verdicts(request))
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(
                request,
                ngettext("%(count)s decision saved.", "%(count)s decisions saved.", outcome.decided)
                % {"count": outcome.decided},
            )
            if outcome.stale:
                messages.warning(
                    request,
                    ngettext(
                        "%(count)s answer changed while you were reading it: it is left to "
                        "review again.",
                        "%(count)s answers changed while you were reading them: they are left "
                        "to review again.",
                        outcome.stale,
                    )
                    % {"count": outcome.stale},
                )
        query = urlencode({"statut": status, "page": request.GET.get("page", "1")})
        return redirect(f"{request.path}?{query}")
    every = reviews.texts_of(consultation)
    counts = {key: len(reviews.with_status(every, key)) for key in reviews.STATUSES}
    paginator = Paginator(reviews.with_status(every, status), reviews.PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "consultation": consultation,
        "page": page,
        "status": status,
        "tabs": [(key, str(STATUS_LABELS[key]), counts[key]) for key in reviews.STATUSES],
    }
    return render(request, "participation/consultations/staff/texts.html", context)
