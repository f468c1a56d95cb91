"""Plans and prices in the console: the list, an edit, and moving running subscriptions onto a
plan's current price. Each change is a reasoned action (`ops.actions.run_on`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.models import Plan
from billing.services import BillingError
from billing.services import plans as plan_services
from ops.actions import ActionRefused, ReasonedAction, ReasonedForm, Summary, run_on
from ops.site import ops_site


def euros(cents: int) -> str:
    return f"{Decimal(cents) / 100:.2f} €"


def price_field(label: Any) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=0,
        max_digits=9,
        decimal_places=2,
        error_messages={
            "min_value": gettext_lazy("A price cannot be negative."),
            "invalid": gettext_lazy("Type a price in euros, such as 49.90."),
            "required": gettext_lazy("Type a price in euros, such as 49.90."),
        },
    )


def population_field(label: Any, *, required: bool) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=0,
        error_messages={
            "min_value": gettext_lazy("A population cannot be negative."),
            "invalid": gettext_lazy("Type a whole number of inhabitants."),
            "required": gettext_lazy("Type a whole number of inhabitants."),
        },
    )


def plan_values(data: dict[str, Any]) -> dict[str, Any]:
    """The plan's fields from the form's checked values (prices in cents)."""
    return {
        "name": data["name"].strip(),
        "min_population": data["min_population"],
        "max_population": data["max_population"],
        "monthly_price_cents": int(data["monthly_price"] * 100),
        "yearly_price_cents": int(data["yearly_price"] * 100),
        "is_active": data["is_active"],
    }


class PlanForm(ReasonedForm):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=100)
    min_population = population_field(gettext_lazy("From (inhabitants)"), required=True)
    max_population = population_field(
        gettext_lazy("Up to, excluded (inhabitants; empty: no limit)"), required=False
    )
    monthly_price = price_field(gettext_lazy("Monthly price excl. VAT (€)"))
    yearly_price = price_field(gettext_lazy("Yearly price excl. VAT (€)"))
    is_active = forms.BooleanField(label=gettext_lazy("Offered to new subscribers"), required=False)

    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        self.plan = plan
        kwargs.setdefault(
            "initial",
            {
                "name": plan.name,
                "min_population": plan.min_population,
                "max_population": plan.max_population,
                "monthly_price": Decimal(plan.monthly_price_cents) / 100,
                "yearly_price": Decimal(plan.yearly_price_cents) / 100,
                "is_active": plan.is_active,
            },
        )
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        try:  # the same checks as the service's, so the form shows them before confirming
            plan_services.check_plan(self.plan, plan_values(cleaned))
        except BillingError as error:
            raise forms.ValidationError(str(error)) from None
        return cleaned


class MoveForm(ReasonedForm):
    def __init__(self, *args: Any, plan: Plan, **kwargs: Any) -> None:
        self.plan = plan
        super().__init__(*args, **kwargs)


def _summarize_edit(plan: Plan, data: dict[str, Any]) -> Summary:
    form_values = plan_values(data)
    lines: Summary = []
    labels = {
        "name": _("Name"),
        "min_population": _("From (inhabitants)"),
        "max_population": _("Up to, excluded (inhabitants)"),
        "monthly_price_cents": _("Monthly price excl. VAT"),
        "yearly_price_cents": _("Yearly price excl. VAT"),
        "is_active": _("Offered to new subscribers"),
    }
    for name, label in labels.items():
        before, after = getattr(plan, name), form_values[name]
        if before == after:
            continue
        if name.endswith("_cents"):
            before, after = euros(before), euros(after)
        lines.append((label, f"{before if before is not None else '—'} → {after or '—'}"))
    if not lines:
        lines.append((_("Changes"), _("None")))
    return lines


def _perform_edit(request: HttpRequest, plan: Plan, data: dict[str, Any]) -> str:
    try:
        plan_services.update_plan(
            plan, values=plan_values(data), acting_user=request.user, reason=data["reason"]
        )
    except BillingError as error:
        raise ActionRefused(str(error)) from None
    return _("The plan is saved. A new price applies to new subscriptions only.")


EDIT_PLAN = ReasonedAction[Plan](
    title=gettext_lazy("Change the plan"),
    form_class=PlanForm,
    perform=_perform_edit,
    summarize=_summarize_edit,
    warning=gettext_lazy(
        "A new price applies to new subscriptions. Running ones keep theirs until you move them."
    ),
)


def _summarize_move(plan: Plan, data: dict[str, Any]) -> Summary:
    return [
        (_("Subscriptions to check"), str(plan_services.subscriptions_of(plan).count())),
        (_("Monthly price excl. VAT"), euros(plan.monthly_price_cents)),
        (_("Yearly price excl. VAT"), euros(plan.yearly_price_cents)),
    ]


def _perform_move(request: HttpRequest, plan: Plan, data: dict[str, Any]) -> str:
    report = plan_services.move_subscriptions(plan, acting_user=request.user, reason=data["reason"])
    if report.failed:
        raise ActionRefused(
            _(
                "%(moved)s subscriptions moved, %(current)s already at the current price; "
                "Stripe failed for: %(failed)s. Nothing is lost: do it again to retry them."
            )
            % {
                "moved": len(report.moved),
                "current": len(report.already_current),
                "failed": ", ".join(report.failed),
            }
        )
    return _("%(moved)s subscriptions moved, %(current)s already at the current price.") % {
        "moved": len(report.moved),
        "current": len(report.already_current),
    }


MOVE_SUBSCRIPTIONS = ReasonedAction[Plan](
    title=gettext_lazy("Move running subscriptions to the current price"),
    form_class=MoveForm,
    perform=_perform_move,
    summarize=_summarize_move,
    button=gettext_lazy("Move them"),
    warning=gettext_lazy(
        "Each town pays the current price from its next payment, without proration."
    ),
)


def _crumbs() -> list[tuple[str, Any]]:
    return [(reverse("ops:plans"), _("Plans and prices"))]


def plan_list(request: HttpRequest) -> HttpResponse:
    plans = Plan.objects.annotate(
        subscribers=Count("billingaccount", filter=~Q(billingaccount__stripe_subscription_id=""))
    ).order_by("min_population")
    for plan in plans:
        plan.monthly_shown = euros(plan.monthly_price_cents)  # type: ignore[attr-defined]
        plan.yearly_shown = euros(plan.yearly_price_cents)  # type: ignore[attr-defined]
    context = {
        **ops_site.each_context(request),
        "title": _("Plans and prices"),
        "plans": plans,
    }
    return TemplateResponse(request, "ops/plans.html", context)


def _run(request: HttpRequest, pk: int, action: ReasonedAction[Plan]) -> HttpResponse:
    plan = get_object_or_404(Plan, pk=pk)
    return run_on(
        request,
        plan,
        action,
        form_kwargs={"plan": plan},
        back_url=reverse("ops:plans"),
        context={"crumbs": _crumbs()},
    )


def edit_plan(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(request, pk, EDIT_PLAN)


def move_plan_subscriptions(request: HttpRequest, pk: int) -> HttpResponse:
    return _run(request, pk, MOVE_SUBSCRIPTIONS)


urlpatterns: list[URLPattern] = [
    path("plans/", ops_site.admin_view(plan_list), name="plans"),
    path("plans/<int:pk>/modifier/", ops_site.admin_view(edit_plan), name="plan_edit"),
    path(
        "plans/<int:pk>/abonnements/",
        ops_site.admin_view(move_plan_subscriptions),
        name="plan_move_subscriptions",
    ),
]
