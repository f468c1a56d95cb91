"""Support access on the town's side: its admins grant our staff a few hours on the site, take
it back, and see every grant and every page our staff saw; the entry and exit of a support
session (the session itself is `ops.support_session`)."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from accounts.models import User
from ops import support_access, support_session
from ops.models import SupportGrant, SupportUse
from tenants import schema
from townsite.setup.guards import town_admin_with_password

SHOWN = 50


class GrantForm(forms.Form):
    hours = forms.TypedChoiceField(
        label=gettext_lazy("For how long"),
        coerce=int,
        choices=list(support_access.DURATIONS.items()),
        initial=24,
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose how long our team may see your site.")},
    )
    reason = forms.CharField(
        label=gettext_lazy("Why (optional)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _page(request: HttpRequest, form: GrantForm, status: int = 200) -> HttpResponse:
    town = schema.request_tenant(request)
    grants = SupportGrant.objects.filter(collectivite=town)
    context = {
        "form": form,
        "live": grants.live().first(),
        "grants": list(grants[:SHOWN]),
        "uses": list(SupportUse.objects.filter(grant__collectivite=town)[:SHOWN]),
    }
    return render(request, "townsite/setup/support.html", context, status=status)


@town_admin_with_password
def support(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request, GrantForm())
    form = GrantForm(request.POST)
    if not form.is_valid():
        return _page(request, form, status=400)
    try:
        support_access.grant_access(
            schema.request_tenant(request),
            hours=form.cleaned_data["hours"],
            granted_by=cast(User, request.user),
            reason=form.cleaned_data["reason"],
        )
    except support_access.SupportRefused as refusal:
        form.add_error(None, refusal.message)
        return _page(request, form, status=400)
    messages.success(request, _("Our team may now see your site, until the time shown."))
    return redirect("townsite:support")


@town_admin_with_password
@require_POST
def revoke_support(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        support_access.revoke_access(
            schema.request_tenant(request), pk, revoked_by=cast(User, request.user)
        )
    except support_access.SupportRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("Our team can no longer see your site."))
    return redirect("townsite:support")


@require_GET
def support_entry(request: HttpRequest) -> HttpResponse:
    """Where the console's button leads: a valid token opens a read-only support session."""
    try:
        visit = support_access.visit_from_token(
            request.GET.get("token", ""), schema.request_tenant(request)
        )
    except support_access.SupportRefused as refusal:
        return render(
            request, "townsite/setup/support_refused.html", {"message": refusal.message}, status=403
        )
    support_session.start(request, visit)
    return HttpResponseRedirect("/")


@require_GET
def support_exit(request: HttpRequest) -> HttpResponse:
    """The session was flushed on the way in (`SupportSessionMiddleware`)."""
    return render(request, "townsite/setup/support_exit.html")
