"""The console's lifecycle actions: deactivate with a deletion date, take it back, and wipe.

Each goes through `ops.actions.run` (reason, confirmation) and calls one service of
ops.lifecycle, which writes the audit entry; its refusal comes back on the form. The wipe is
the second step of a deletion: it is refused before the date and to the staff member who
deactivated, and it asks the collectivité's name to be typed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ops import lifecycle
from ops.actions import ActionRefused, ReasonedAction, ReasonForm, Summary, run
from ops.site import ops_site
from tenants.dates import long_date
from tenants.lifecycle import earliest_deletion_date
from tenants.models import Collectivite

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _through_service(call: Callable[[], Any]) -> None:
    try:
        call()
    except lifecycle.LifecycleError as error:
        raise ActionRefused(str(error)) from None


# -- deactivate -------------------------------------------------------------------------------
class DeactivateForm(ReasonForm):
    deletion_date = forms.DateField(
        label=gettext_lazy("Delete the data from"),
        widget=DATE_INPUT,
        help_text=gettext_lazy("At least 30 days from today. Until then, it can be taken back."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("deletion_date", earliest_deletion_date())

    def clean_deletion_date(self) -> date:
        value: date = self.cleaned_data["deletion_date"]
        earliest = earliest_deletion_date()
        if value < earliest:
            raise forms.ValidationError(
                _("The deletion date must be at least 30 days from today: %(date)s or later.")
                % {"date": long_date(earliest)}
            )
        return value


def _deactivate(request: HttpRequest, tenant: Collectivite, cleaned: dict[str, Any]) -> str:
    _through_service(
        lambda: lifecycle.deactivate(
            tenant,
            deletion_date=cleaned["deletion_date"],
            actor=request.user,
            reason=cleaned["reason"],
        )
    )
    return _(
        "The site is closed. Its data can be wiped from %(date)s, by another staff member."
    ) % {"date": long_date(cleaned["deletion_date"])}


def _deactivate_summary(tenant: Collectivite, cleaned: dict[str, Any]) -> Summary:
    return [
        (_("Site"), _("Closed: its addresses show that it no longer exists")),
        (_("Subscription"), _("Ends with the period already paid")),
        (_("Data wiped from"), long_date(cleaned["deletion_date"])),
    ]


DEACTIVATE = ReasonedAction(
    title=gettext_lazy("Deactivate the collectivité"),
    form_class=DeactivateForm,
    perform=_deactivate,
    summarize=_deactivate_summary,
    button=gettext_lazy("Deactivate"),
    warning=gettext_lazy(
        "Residents and admins can no longer reach the site. Nothing is deleted now."
    ),
)


# -- take the deactivation back ---------------------------------------------------------------
def _cancel(request: HttpRequest, tenant: Collectivite, cleaned: dict[str, Any]) -> str:
    _through_service(
        lambda: lifecycle.cancel_deactivation(tenant, actor=request.user, reason=cleaned["reason"])
    )
    return _("The site is open again; no deletion is planned.")


def _cancel_summary(tenant: Collectivite, cleaned: dict[str, Any]) -> Summary:
    return [
        (_("Site"), _("Open again")),
        (
            _("Planned deletion"),
            _("Taken back (it was %(date)s)") % {"date": long_date(tenant.deletion_scheduled_for)},
        ),
    ]


CANCEL = ReasonedAction(
    title=gettext_lazy("Take the deactivation back"),
    form_class=ReasonForm,
    perform=_cancel,
    summarize=_cancel_summary,
    button=gettext_lazy("Reopen the site"),
)


# -- wipe -------------------------------------------------------------------------------------
class WipeForm(ReasonForm):
    typed_name = forms.CharField(
        label=gettext_lazy("Type the collectivité's name to confirm"), max_length=200
    )

    def clean_typed_name(self) -> str:
        typed = " ".join(self.cleaned_data["typed_name"].split())
        if typed.casefold() != self.tenant.name.casefold():
            raise forms.ValidationError(_("This is not the collectivité's name: nothing is wiped."))
        return typed


def _wipe(request: HttpRequest, tenant: Collectivite, cleaned: dict[str, Any]) -> str:
    _through_service(lambda: lifecycle.wipe(tenant, actor=request.user, reason=cleaned["reason"]))
    return _("The collectivité's data is wiped. Its record and its audit log are kept.")


def _wipe_summary(tenant: Collectivite, cleaned: dict[str, Any]) -> Summary:
    return [
        (_("Deleted for good"), _("Every table of its schema, its files and its exports")),
        (_("Kept"), _("The collectivité's record, its addresses and its audit log")),
        (_("Deletion date"), long_date(tenant.deletion_scheduled_for)),
    ]


WIPE = ReasonedAction(
    title=gettext_lazy("Wipe the collectivité's data"),
    form_class=WipeForm,
    perform=_wipe,
    summarize=_wipe_summary,
    button=gettext_lazy("Wipe the data for good"),
    warning=gettext_lazy("This cannot be undone."),
)


def deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return run(request, pk, DEACTIVATE)


def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    return run(request, pk, CANCEL)


def wipe(request: HttpRequest, pk: int) -> HttpResponse:
    return run(request, pk, WIPE)


urlpatterns: list[URLPattern] = [
    path(
        "collectivites/<int:pk>/desactiver/",
        ops_site.admin_view(deactivate),
        name="tenant_deactivate",
    ),
    path(
        "collectivites/<int:pk>/reouvrir/",
        ops_site.admin_view(cancel),
        name="tenant_cancel_deactivation",
    ),
    path("collectivites/<int:pk>/effacer/", ops_site.admin_view(wipe), name="tenant_wipe"),
]
