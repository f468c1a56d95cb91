"""The town admin's billing page: plan, trial, subscription, invoices. Thin views over services."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.permissions import town_admin_required
from billing import services
from billing.forms import ChangePeriodForm, ConfirmSetupForm, SubscribeForm, TokenForm
from billing.models import BillingAccount, PaymentMethod, Period, Plan
from tenants import schema


def _account(request: HttpRequest) -> BillingAccount:
    # The account of the town whose site this is: no identifier to tamper with.
    return get_object_or_404(
        BillingAccount.objects.select_related("plan", "collectivite"),
        collectivite_id=schema.request_tenant(request).pk,
    )


def _token() -> str:
    return uuid.uuid4().hex


def _overview(
    request: HttpRequest,
    account: BillingAccount,
    form: SubscribeForm | None = None,
    status: int = 200,
) -> HttpResponse:
    form = form or SubscribeForm(
        initial={
            "period": account.period or Period.YEARLY,
            "method": account.payment_method or PaymentMethod.CARD,
            "billing_email": account.billing_email or getattr(request.user, "email", ""),
            "siret": account.siret,
            "chorus_service_code": account.chorus_service_code,
            "purchase_order_number": account.purchase_order_number,
            "token": _token(),
        }
    )
    context: dict[str, Any] = {
        "account": account,
        "plans": Plan.objects.filter(is_active=True),
        "form": form,
        "invoices": account.invoices.all()[:24],
        "token": _token(),
        "other_period": Period.MONTHLY if account.period == Period.YEARLY else Period.YEARLY,
        "can_subscribe": account.status not in (BillingAccount.Status.SPONSORED,)
        and (not account.stripe_subscription_id or account.status == "canceled"),
    }
    return render(request, "billing/overview.html", context, status=status)


@town_admin_required
def overview(request: HttpRequest) -> HttpResponse:
    return _overview(request, _account(request))


@town_admin_required
@require_POST
def subscribe(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    form = SubscribeForm(request.POST)
    if not form.is_valid():
        return _overview(request, account, form, status=400)
    data = form.cleaned_data
    user = request.user
    account = services.save_buyer_details(
        account,
        acting_user=user,
        **{
            k: data[k]
            for k in ("billing_email", "siret", "chorus_service_code", "purchase_order_number")
        },
    )
    try:
        if data["method"] == PaymentMethod.INVOICE:
            services.subscribe_by_invoice(
                account, period=data["period"], token=data["token"], acting_user=user
            )
            messages.success(
                request,
                _("Subscribed. The first invoice is sent to %(email)s, payable in 30 days.")
                % {"email": account.billing_email},
            )
            return redirect("billing:overview")
        client_secret = services.start_payment_setup(
            account,
            period=data["period"],
            method=data["method"],
            token=data["token"],
            acting_user=user,
        )
    except services.BillingError as error:
        form.add_error(None, str(error))
        return _overview(request, account, form, status=400)
    account = _account(request)  # with the plan the setup chose
    price_cents = account.plan.price_cents(data["period"]) if account.plan else 0
    price_incl_vat_cents = account.plan.price_incl_vat_cents(data["period"]) if account.plan else 0
    return render(
        request,
        "billing/payment.html",
        {
            "account": account,
            "client_secret": client_secret,
            "method": data["method"],
            "token": data["token"],
            "stripe_js_url": settings.STRIPE_JS_URL,
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "price_cents": price_incl_vat_cents,
            "price_excl_vat_cents": price_cents,
            "vat_cents": price_incl_vat_cents - price_cents,
            "period": data["period"],
        },
    )


@town_admin_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    form = ConfirmSetupForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This payment attempt is unknown. Please start again."))
        return redirect("billing:overview")
    try:
        services.complete_payment_setup(
            account,
            setup_intent_id=form.cleaned_data["setup_intent"],
            token=form.cleaned_data["token"],
            acting_user=request.user,
        )
    except services.BillingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Thank you: your subscription is active."))
    return redirect("billing:overview")


def _subscription_change(request: HttpRequest, change: str) -> HttpResponse:
    account = _account(request)
    form = ChangePeriodForm(request.POST) if change == "period" else TokenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please try again."))
        return redirect("billing:overview")
    token = form.cleaned_data["token"]
    user = request.user
    try:
        if change == "period":
            services.change_period(
                account, period=form.cleaned_data["period"], token=token, acting_user=user
            )
            messages.success(request, _("Your payment period is changed."))
        else:
            cancel = change == "cancel"
            services.set_cancel_at_period_end(account, cancel=cancel, token=token, acting_user=user)
            messages.success(
                request,
                _("Your subscription will end at the end of the paid period.")
                if cancel
                else _("Your subscription goes on."),
            )
    except services.BillingError as error:
        messages.error(request, str(error))
    return redirect("billing:overview")


@town_admin_required
@require_POST
def cancel(request: HttpRequest) -> HttpResponse:
    return _subscription_change(request, "cancel")


@town_admin_required
@require_POST
def resume(request: HttpRequest) -> HttpResponse:
    return _subscription_change(request, "resume")


@town_admin_required
@require_POST
def change_period(request: HttpRequest) -> HttpResponse:
    return _subscription_change(request, "period")
