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
from django.urls import reverse
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


class ReasonedForm(forms.Form):
    """Every action's form ends with its reason, which the audit entry keeps."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
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


class ReasonForm(ReasonedForm):
    """The form of an action on one collectivité, which it gets as `tenant`."""

    def __init__(self, *args: Any, tenant: Collectivite, **kwargs: Any) -> None:
        self.tenant = tenant
        super().__init__(*args, **kwargs)


Summary = list[tuple[str, str]]


@dataclass(frozen=True)
class ReasonedAction[Subject]:
    """One console action on a `Subject`: a collectivité for most, a plan for the plans'."""

    title: Any
    form_class: type[ReasonedForm]
    # Calls the service with the checked values, returns the success message; raises
    # ActionRefused with the service's own words when it refuses.
    perform: Callable[[HttpRequest, Subject, dict[str, Any]], str]
    # What the confirmation page shows: (label, value) lines, before/after where it helps.
    summarize: Callable[[Subject, dict[str, Any]], Summary]
    button: Any = _("Confirm")
    # A short warning shown on the confirmation page (e.g. "residents will see this message").
    warning: Any = ""


def run(request: HttpRequest, pk: int, action: ReasonedAction[Collectivite]) -> HttpResponse:
    """An action on one collectivité; done, back to its page."""
    tenant = get_object_or_404(Collectivite, pk=pk)
    return run_on(
        request,
        tenant,
        action,
        form_kwargs={"tenant": tenant},
        back_url=reverse("ops:tenant", args=[tenant.pk]),
        context={"tenant": tenant},
    )


def run_on[Subject](
    request: HttpRequest,
    subject: Subject,
    action: ReasonedAction[Subject],
    *,
    back_url: str,
    form_kwargs: dict[str, Any] | None = None,
    context: dict[str, Any] | None = None,
) -> HttpResponse:
    """The same steps for any subject (a plan...): `form_kwargs` go to its form, `back_url` is
    where Cancel and success lead, `context` adds to the pages' (e.g. `crumbs`)."""
    form_kwargs = form_kwargs or {}
    page = _Page(request, subject, action, back_url, context or {})
    if request.method != "POST":
        return page.render("ops/action_form.html", action.form_class(**form_kwargs))
    form = action.form_class(request.POST, **form_kwargs)
    if not form.is_valid() or EDIT in request.POST:
        return page.render("ops/action_form.html", form)
    if request.POST.get(CONFIRMED) != "1":
        summary = action.summarize(subject, form.cleaned_data)
        return page.render(
            "ops/action_confirm.html", form, summary=summary, reason=form.cleaned_data["reason"]
        )
    try:
        message = action.perform(request, subject, form.cleaned_data)
    except ActionRefused as refusal:
        form.add_error(None, refusal.message)
        return page.render("ops/action_form.html", form)
    messages.success(request, message)
    return redirect(back_url)


@dataclass(frozen=True)
class _Page:
    request: HttpRequest
    subject: Any
    action: ReasonedAction[Any]
    back_url: str
    context: dict[str, Any]

    def render(self, template: str, form: ReasonedForm, **extra: Any) -> HttpResponse:
        label = getattr(self.subject, "name", str(self.subject))
        context = {
            **ops_site.each_context(self.request),
            "title": f"{self.action.title} — {label}",
            "subject_label": label,
            "back_url": self.back_url,
            "action": self.action,
            "form": form,
            **self.context,
            **extra,
        }
        status = 400 if form.is_bound and form.errors else 200
        return TemplateResponse(self.request, template, context, status=status)
