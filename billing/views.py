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
from billing import payment_errors, services
from billing.forms import ConfirmSetupForm, PeriodForm, SubscribeForm, TokenForm
from billing.models import BillingAccount, PaymentMethod, Period, Plan
from billing.payment_policy import allows_stripe
from tenants import schema
from tenants.dates import long_date


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
        # A 0 € invoice (Stripe makes one when a trial starts) is nothing paid: not listed.
        "invoices": account.invoices.exclude(amount_due_cents=0, subtotal_cents=0)[:24],
        "first_payment_at": account.trial_end_for_new_subscription(),
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
@allows_stripe  # the payment page loads Stripe.js
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
    period, method, token = data["period"], data["method"], data["token"]
    try:
        if method == PaymentMethod.INVOICE:
            plan = services.check_can_subscribe(account, period=period, method=method)
            client_secret = ""  # nothing to collect: the next page subscribes
        else:
            client_secret = services.start_payment_setup(
                account, period=period, method=method, token=token, acting_user=user
            )
            account = _account(request)  # with the plan the setup chose
            plan = services.check_can_subscribe(account, period=period, method=method)
    except services.BillingError as error:
        form.add_error(None, str(error))
        return _overview(request, account, form, status=400)
    return _payment_page(request, account, plan, period, method, token, client_secret)


def _payment_page(
    request: HttpRequest,
    account: BillingAccount,
    plan: Plan,
    period: str,
    method: str,
    token: str,
    client_secret: str,
) -> HttpResponse:
    """The last page before subscribing: what is paid, and when; then the payment details."""
    price_cents = plan.price_cents(period)
    price_incl_vat_cents = plan.price_incl_vat_cents(period)
    return render(
        request,
        "billing/payment.html",
        {
            "account": account,
            "client_secret": client_secret,
            "method": method,
            "token": token,
            "stripe_js_url": settings.STRIPE_JS_URL,
            "publishable_key": settings.STRIPE_PUBLISHABLE_KEY,
            "payment_errors": payment_errors.table_for_browser(),
            "price_cents": price_incl_vat_cents,
            "price_excl_vat_cents": price_cents,
            "vat_cents": price_incl_vat_cents - price_cents,
            "period": period,
            "first_payment_at": account.trial_end_for_new_subscription(),
        },
    )


@town_admin_required
@require_POST
def subscribe_by_invoice(request: HttpRequest) -> HttpResponse:
    """The last click of a subscription paid by invoice (the details were saved before)."""
    account = _account(request)
    form = PeriodForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please try again."))
        return redirect("billing:overview")
    try:
        account = services.subscribe_by_invoice(
            account,
            period=form.cleaned_data["period"],
            token=form.cleaned_data["token"],
            acting_user=request.user,
        )
    except services.BillingError as error:
        messages.error(request, str(error))
        return redirect("billing:overview")
    if account.awaits_first_payment:
        assert account.trial_ends_at is not None
        message = _(
            "Subscribed. The first invoice will be sent to %(email)s on %(date)s, at the end "
            "of your free trial, payable in 30 days."
        ) % {"email": account.billing_email, "date": long_date(account.trial_ends_at)}
    else:
        message = _("Subscribed. The first invoice is sent to %(email)s, payable in 30 days.") % {
            "email": account.billing_email
        }
    messages.success(request, message)
    return redirect("billing:overview")


@town_admin_required
@require_POST
def confirm(request: HttpRequest) -> HttpResponse:
    account = _account(request)
    form = ConfirmSetupForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("This payment attempt is unknown. Please start again."))
        return redirect("billing:overview")
    try:
        account = services.complete_payment_setup(
            account,
            setup_intent_id=form.cleaned_data["setup_intent"],
            token=form.cleaned_data["token"],
            acting_user=request.user,
        )
    except services.BillingError as error:
        messages.error(request, str(error))
    else:
        if account.awaits_first_payment:
            assert account.trial_ends_at is not None
            messages.success(
                request,
                _(
                    "Thank you: the subscription is taken. Nothing is charged before "
                    "%(date)s, the end of your free trial."
                )
                % {"date": long_date(account.trial_ends_at)},
            )
        else:
            messages.success(request, _("Thank you: your subscription is active."))
    return redirect("billing:overview")


def _subscription_change(request: HttpRequest, change: str) -> HttpResponse:
    account = _account(request)
    form = PeriodForm(request.POST) if change == "period" else TokenForm(request.POST)
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
