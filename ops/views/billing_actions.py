"""The console's billing actions: trial, plan, payment method, sponsorship, suspension.

Each goes through `ops.actions.run` (reason, confirmation) and calls one billing service, which
writes the audit entry; the service's refusal comes back on the form.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, path
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing import services
from billing.models import BillingAccount, PaymentMethod, Plan
from billing.services.core import OPS_DECIDED
from billing.services.ops import first_day_after_today
from ops.actions import ActionRefused, ReasonedAction, ReasonForm, Summary, run
from ops.site import ops_site
from tenants.dates import long_date
from tenants.models import Collectivite

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def account_of(tenant: Collectivite) -> BillingAccount:
    """The tenant's billing account, or the French refusal when it has none yet."""
    try:
        return BillingAccount.objects.select_related("plan").get(collectivite=tenant)
    except ObjectDoesNotExist:
        raise ActionRefused(_("This collectivité has no billing account yet.")) from None


def _through_service(call: Callable[[], Any]) -> None:
    try:
        call()
    except services.BillingError as error:
        raise ActionRefused(str(error)) from None


def _future_date(value: date | None) -> None:
    if value is None:
        return
    try:
        first_day_after_today(value)
    except services.BillingError as error:
        raise forms.ValidationError(str(error)) from None


def _trial_end(account: BillingAccount | None) -> str:
    if account is None or account.trial_ends_at is None:
        return "—"
    return long_date(account.trial_ends_at)


def _account_or_none(tenant: Collectivite) -> BillingAccount | None:
    return BillingAccount.objects.select_related("plan").filter(collectivite=tenant).first()


# -- the trial --------------------------------------------------------------------------------
class ExtendTrialForm(ReasonForm):
    days = forms.IntegerField(
        label=gettext_lazy("Days to add"),
        min_value=1,
        max_value=366,
        required=False,
        help_text=gettext_lazy("Or choose the trial's last day below."),
    )
    until = forms.DateField(
        label=gettext_lazy("Last day of the trial"), required=False, widget=DATE_INPUT
    )

    def clean_until(self) -> date | None:
        until = self.cleaned_data.get("until")
        _future_date(until)
        return until

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        has_days = cleaned.get("days") is not None
        has_until = cleaned.get("until") is not None
        if has_days == has_until and not self.errors.get("until"):
            raise forms.ValidationError(_("Give either a number of days or an end date."))
        return cleaned


def _extend_trial(request: HttpRequest, tenant: Collectivite, cleaned: dict[str, Any]) -> str:
    account = account_of(tenant)
    _through_service(
        lambda: services.extend_trial(
            account,
            days=cleaned.get("days"),
            until=cleaned.get("until"),
            acting_user=request.user,
            reason=cleaned["reason"],
        )
    )
    account.refresh_from_db()
    return _("The trial now ends on %(date)s.") % {"date": long_date(account.trial_ends_at)}


def _extend_trial_summary(tenant: Collectivite, cleaned: dict[str, Any]) -> Summary:
    account = _account_or_none(tenant)
    if cleaned.get("until"):
        wanted = _("until %(date)s included") % {"date": long_date(cleaned["until"])}
    else:
        wanted = _("%(days)s more days") % {"days": cleaned.get("days")}
    return [(_("Trial ends now"), _trial_end(account)), (_("Extension"), wanted)]


EXTEND_TRIAL = ReasonedAction(
    title=gettext_lazy("Extend the trial"),
    form_class=ExtendTrialForm,
    perform=_extend_trial,
    summarize=_extend_trial_summary,
    button=gettext_lazy("Extend the trial"),
)


# -- the plan ---------------------------------------------------------------------------------
class ChangePlanForm(ReasonForm):
    plan = forms.ModelChoiceField(
        label=gettext_lazy("New plan"), queryset=Plan.objects.filter(is_active=True)
    )


def _change_plan(request: HttpRequest, tenant: Collectivite, cleaned: dict[str, Any]) -> str:
    account = account_of(tenant)
    plan = cleaned["plan"]
    _through_service(
        lambda: services.change_plan(
            account,
            plan=plan,
            token=uuid.uuid4().hex,
            reason=cleaned["reason"],
            acting_user=request.user,
        )
    )
    return _("The plan is now %(plan)s.") % {"plan": plan.name}


def _change_plan_summary(tenant: Collectivite, cleaned: dict[str, Any]) -> Summary:
    account = _account_or_none(tenant)
    current = account.plan.name if account and account.plan else "—"
    summary = [(_("Current plan"), current), (_("New plan"), cleaned["plan"].name)]
    if account and services.has_live_subscription(account):
        summary.append((_("Stripe"), _("The subscription's price changes on Stripe, prorated.")))
    return summary


CHANGE_PLAN = ReasonedAction(
    title=gettext_lazy("Change the plan"),
    form_class=ChangePlanForm,
    perform=_change_plan,
    summarize=_change_plan_summary,
    button=gettext_lazy("Change the plan"),
)


# -- the payment method -----------------------------------------------------------------------
class PaymentMethodForm(ReasonForm):
    method = forms.ChoiceField(label=gettext_lazy("Payment method"), choices=PaymentMethod.choices)


def _payment_method(request: HttpRequest, tenant: Collectivite, cleaned: dict[str, Any]) -> str:
    account = account_of(tenant)
    _through_service(
        lambda: services.change_payment_method(
            account, method=cleaned["method"], reason=cleaned["reason"], acting_user=request.user
        )
    )
    return _("The payment method is now: %(method)s.") % {
        "method": PaymentMethod(cleaned["method"]).label
    }


def _payment_method_summary(tenant: Collectivite, cleaned: dict[str, Any]) -> Summary:
    account = _account_or_none(tenant)
    current = account.get_payment_method_display() if account and account.payment_method else "—"
    return [
        (_("Current payment method"), current),
        (_("New payment method"), str(PaymentMethod(cleaned["method"]).label)),
    ]


PAYMENT_METHOD = ReasonedAction(
    title=gettext_lazy("Change the payment method"),
    form_class=PaymentMethodForm,
    perform=_payment_method,
    summarize=_payment_method_summary,
)


# -- sponsorship ------------------------------------------------------------------------------
class SponsorForm(ReasonForm):
    until = forms.DateField(
        label=gettext_lazy("Offered until (last day included)"),
        required=False,
        widget=DATE_INPUT,
        help_text=gettext_lazy("Leave empty to offer it until you end it yourself."),
    )

    def clean_until(self) -> date | None:
        until = self.cleaned_data.get("until")
        _future_date(until)
        return until


def _sponsor(request: HttpRequest, tenant: Collectivite, cleaned: dict[str, Any]) -> str:
    account = account_of(tenant)
    _through_service(
        lambda: services.sponsor(
            account, reason=cleaned["reason"], until=cleaned.get("until"), acting_user=request.user
        )
    )
    return _("Placette now offers this collectivité its subscription.")


def _sponsor_summary(tenant: Collectivite, cleaned: dict[str, Any]) -> Summary:
    until = cleaned.get("until")
    return [
        (_("Offered until"), long_date(until) if until else _("until you end it")),
        (_("Stripe"), _("Payments of a live subscription are paused meanwhile.")),
    ]


SPONSOR = ReasonedAction(
    title=gettext_lazy("Offer the subscription"),
    form_class=SponsorForm,
    perform=_sponsor,
    summarize=_sponsor_summary,
    button=gettext_lazy("Offer the subscription"),
)


# -- suspension and reactivation --------------------------------------------------------------
class SuspendForm(ReasonForm):
    message = forms.CharField(
        label=gettext_lazy("Message residents see"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=gettext_lazy("Shown on the site instead of its pages, to everyone but admins."),
        error_messages={"required": gettext_lazy("Write the message residents will see.")},
    )


def _suspend(request: HttpRequest, tenant: Collectivite, cleaned: dict[str, Any]) -> str:
    account = account_of(tenant)
    _through_service(
        lambda: services.suspend(
            account,
            reason=cleaned["reason"],
            message=cleaned["message"],
            acting_user=request.user,
        )
    )
    return _("The site is suspended: the public sees your message.")


def _suspend_summary(tenant: Collectivite, cleaned: dict[str, Any]) -> Summary:
    return [(_("Message residents see"), cleaned["message"])]


SUSPEND = ReasonedAction(
    title=gettext_lazy("Suspend the site"),
    form_class=SuspendForm,
    perform=_suspend,
    summarize=_suspend_summary,
    button=gettext_lazy("Suspend the site"),
    warning=gettext_lazy("Residents and visitors will see only this message until you reactivate."),
)


class ReactivateForm(ReasonForm):
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        account = _account_or_none(self.tenant)
        if account is None or account.status not in OPS_DECIDED:
            raise forms.ValidationError(_("This collectivité is neither suspended nor offered."))
        return cleaned


def _reactivate(request: HttpRequest, tenant: Collectivite, cleaned: dict[str, Any]) -> str:
    account = account_of(tenant)
    if account.status not in OPS_DECIDED:
        raise ActionRefused(_("This collectivité is neither suspended nor offered."))
    _through_service(
        lambda: services.reinstate(account, reason=cleaned["reason"], acting_user=request.user)
    )
    return _("The collectivité is back to what its payments give.")


def _reactivate_summary(tenant: Collectivite, cleaned: dict[str, Any]) -> Summary:
    account = _account_or_none(tenant)
    current = account.get_status_display() if account else "—"
    return [
        (_("Billing status now"), str(current)),
        (_("Afterwards"), _("What its trial or its subscription gives; Stripe payments resume.")),
    ]


REACTIVATE = ReasonedAction(
    title=gettext_lazy("Reactivate"),
    form_class=ReactivateForm,
    perform=_reactivate,
    summarize=_reactivate_summary,
    button=gettext_lazy("Reactivate"),
)


def _view(action: ReasonedAction) -> Callable[..., HttpResponse]:
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        return run(request, pk, action)

    return ops_site.admin_view(view)


urlpatterns: list[URLPattern] = [
    path("collectivites/<int:pk>/essai/", _view(EXTEND_TRIAL), name="billing_extend_trial"),
    path("collectivites/<int:pk>/formule/", _view(CHANGE_PLAN), name="billing_change_plan"),
    path(
        "collectivites/<int:pk>/paiement/",
        _view(PAYMENT_METHOD),
        name="billing_payment_method",
    ),
    path("collectivites/<int:pk>/offrir/", _view(SPONSOR), name="billing_sponsor"),
    path("collectivites/<int:pk>/suspendre/", _view(SUSPEND), name="billing_suspend"),
    path("collectivites/<int:pk>/reactiver/", _view(REACTIVATE), name="billing_reactivate"),
]
