"""The console's reasoned actions: one change per request, with a reason, a confirmation step
and the audit entry the service writes.

A view describes its action (`ReasonedAction`) and hands the request to `run`: the form is
shown, checked (nothing typed is lost on an error), summed up on a confirmation page, and only
the confirmed POST calls the service. A refusal of the service (`ActionRefused`) comes back on
the form, in French, and nothing is changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from ops.site import ops_site
from tenants.models import Collectivite

CONFIRMED = "confirmed"
EDIT = "edit"


class ActionRefused(Exception):
    """What the service refused, said in French to the staff member; nothing was changed."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ReasonForm(forms.Form):
    """Every action's form ends with its reason, which the audit entry keeps."""

    def __init__(self, *args: Any, tenant: Collectivite, **kwargs: Any) -> None:
        self.tenant = tenant
        super().__init__(*args, **kwargs)
        # Last, whatever fields the action's own form declares.
        self.fields["reason"] = forms.CharField(
            label=_("Reason"),
            max_length=1000,
            widget=forms.Textarea(attrs={"rows": 3}),
            help_text=_("Why you do this: it is kept in the collectivité's audit log."),
            error_messages={
                "required": _("Give the reason for this action: it is kept in the audit log.")
            },
        )

    def clean_reason(self) -> str:
        reason = " ".join(self.cleaned_data["reason"].split())
        if not reason:
            raise forms.ValidationError(
                _("Give the reason for this action: it is kept in the audit log.")
            )
        return reason


Summary = list[tuple[str, str]]


@dataclass(frozen=True)
class ReasonedAction:
    title: Any
    form_class: type[ReasonForm]
    # Calls the service with the checked values, returns the success message; raises
    # ActionRefused with the service's own words when it refuses.
    perform: Callable[[HttpRequest, Collectivite, dict[str, Any]], str]
    # What the confirmation page shows: (label, value) lines, before/after where it helps.
    summarize: Callable[[Collectivite, dict[str, Any]], Summary]
    button: Any = _("Confirm")
    # A short warning shown on the confirmation page (e.g. "residents will see this message").
    warning: Any = ""


def run(request: HttpRequest, pk: int, action: ReasonedAction) -> HttpResponse:
    tenant = get_object_or_404(Collectivite, pk=pk)
    if request.method != "POST":
        return _form_page(request, tenant, action, action.form_class(tenant=tenant))
    form = action.form_class(request.POST, tenant=tenant)
    if not form.is_valid() or EDIT in request.POST:
        return _form_page(request, tenant, action, form)
    if request.POST.get(CONFIRMED) != "1":
        summary = action.summarize(tenant, form.cleaned_data)
        return _page(
            request,
            "ops/action_confirm.html",
            tenant,
            action,
            form,
            summary=summary,
            reason=form.cleaned_data["reason"],
        )
    try:
        message = action.perform(request, tenant, form.cleaned_data)
    except ActionRefused as refusal:
        form.add_error(None, refusal.message)
        return _form_page(request, tenant, action, form)
    messages.success(request, message)
    return redirect("ops:tenant", tenant.pk)


def _form_page(
    request: HttpRequest, tenant: Collectivite, action: ReasonedAction, form: ReasonForm
) -> HttpResponse:
    return _page(request, "ops/action_form.html", tenant, action, form)


def _page(
    request: HttpRequest,
    template: str,
    tenant: Collectivite,
    action: ReasonedAction,
    form: ReasonForm,
    **extra: Any,
) -> HttpResponse:
    context = {
        **ops_site.each_context(request),
        "title": f"{action.title} — {tenant.name}",
        "tenant": tenant,
        "action": action,
        "form": form,
        **extra,
    }
    status = 400 if form.is_bound and form.errors else 200
    return TemplateResponse(request, template, context, status=status)
