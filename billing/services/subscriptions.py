"""Subscribing (card, SEPA debit, or invoice) and changing a subscription, for a town's admin.

Our prices are excluding VAT; every subscription carries the French VAT as a Stripe tax rate,
so Stripe charges, and its invoices show, HT + TVA = TTC, the amount the billing page announces.
A town that subscribes during its free trial keeps it: the subscription starts on Stripe as a
trial ending when ours ends, so the first payment (or first invoice) comes then, not today.
"""

from __future__ import annotations

import logging
from typing import Any

import stripe
from django.db import transaction
from django.utils.translation import gettext as _

from billing import gateway
from billing.models import VAT_RATE, BillingAccount, PaymentMethod, Period, Plan, TaxRate
from billing.payment_errors import message_for, message_for_stripe_error
from billing.services.core import BillingError, Status, lock, save_changes, snapshot
from billing.services.stripe_state import apply_subscription, refresh_invoices

logger = logging.getLogger(__name__)
BUYER_FIELDS = ("billing_email", "siret", "chorus_service_code", "purchase_order_number")


def _unavailable() -> str:
    return _("Payment is unavailable for now. Please try again later.")


@transaction.atomic
def save_buyer_details(
    account: BillingAccount, *, acting_user: Any = None, **details: str
) -> BillingAccount:
    account = lock(account)
    old = snapshot(account)
    for field in BUYER_FIELDS:
        if field in details:
            setattr(account, field, details[field].strip())
    save_changes(account, old, action="billing.buyer_details", actor=acting_user)
    return account


def vat_tax_rate_id() -> str:
    """Stripe's id of the French VAT rate (created there once, then kept in TaxRate)."""
    percentage = (VAT_RATE * 100).quantize(VAT_RATE)
    with transaction.atomic():
        TaxRate.objects.get_or_create(percentage=percentage)
        rate = TaxRate.objects.select_for_update().get(percentage=percentage)
        if not rate.stripe_tax_rate_id:
            rate.stripe_tax_rate_id = gateway.create_tax_rate(
                percentage=format(percentage.normalize(), "f"), country="FR"
            )
            rate.save(update_fields=["stripe_tax_rate_id"])
    return rate.stripe_tax_rate_id


def ensure_stripe_plan(plan: Plan, period: str) -> str:
    field = "stripe_yearly_plan_id" if period == Period.YEARLY else "stripe_monthly_plan_id"
    with transaction.atomic():
        plan = Plan.objects.select_for_update().get(pk=plan.pk)
        if not getattr(plan, field):
            changed = [field]
            if not plan.stripe_product_id:
                plan.stripe_product_id = gateway.create_product(code=plan.code, name=plan.name)
                changed.append("stripe_product_id")
            stripe_plan_id = gateway.create_plan(
                product_id=plan.stripe_product_id,
                code=plan.code,
                period=period,
                amount_cents=plan.price_cents(period),
            )
            setattr(plan, field, stripe_plan_id)
            plan.save(update_fields=changed)
    return str(getattr(plan, field))


def _ensure_customer(account: BillingAccount, acting_user: Any) -> str:
    """The account's Stripe customer, created and kept at once (its own transaction), so that
    a later failure cannot lose it."""
    with transaction.atomic():
        account = lock(account)
        if not account.stripe_customer_id:
            old = snapshot(account)
            town = account.collectivite
            account.stripe_customer_id = gateway.create_customer(
                account_id=account.pk,
                name=town.name,
                email=account.billing_email,
                metadata={"collectivite": town.slug, "siren": town.siren},
            )
            save_changes(account, old, action="billing.customer_created", actor=acting_user)
    return account.stripe_customer_id


def _check_can_subscribe(account: BillingAccount, period: str) -> None:
    if period not in Period.values:
        raise BillingError(_("Choose a monthly or a yearly payment."))
    if account.stripe_subscription_id and account.status != Status.CANCELED:
        raise BillingError(_("This collectivité already has a subscription."))
    if account.status == Status.SPONSORED:
        raise BillingError(_("Placette offers this collectivité its subscription."))
    if account.plan is None:
        account.plan = Plan.objects.for_population(account.collectivite.population)
        if account.plan is None:
            raise BillingError(_("No plan fits this collectivité: please contact us."))


def _fresh(account: BillingAccount) -> BillingAccount:
    return BillingAccount.objects.select_related("collectivite", "plan").get(pk=account.pk)


def check_can_subscribe(account: BillingAccount, *, period: str, method: str) -> Plan:
    """The plan a subscription taken now would have; BillingError if it cannot be taken.

    It changes nothing: the page that sums up the subscription before the last click uses it.
    """
    account = _fresh(account)
    _check_can_subscribe(account, period)
    if method not in PaymentMethod.values:
        raise BillingError(_("Choose a bank card, a SEPA direct debit or an invoice."))
    if method == PaymentMethod.INVOICE and not (account.billing_email and account.siret):
        raise BillingError(_("To pay by invoice, give the billing email and the SIRET."))
    assert account.plan is not None
    return account.plan


def start_payment_setup(
    account: BillingAccount, *, period: str, method: str, token: str, acting_user: Any = None
) -> str:
    """Card or SEPA debit: returns the client secret Stripe.js needs to collect the details."""
    _check_can_subscribe(_fresh(account), period)
    if method not in (PaymentMethod.CARD, PaymentMethod.SEPA_DEBIT):
        raise BillingError(_("Choose a bank card, a SEPA direct debit or an invoice."))
    try:
        intent = gateway.create_setup_intent(
            customer_id=_ensure_customer(account, acting_user), method=method, token=token
        )
    except stripe.StripeError as error:
        logger.warning("Stripe refused a setup intent: %s", error)
        raise BillingError(_unavailable()) from None
    with transaction.atomic():
        account = lock(account)
        old = snapshot(account)
        _check_can_subscribe(account, period)
        account.period, account.payment_method = period, method
        save_changes(account, old, action="billing.payment_setup", actor=acting_user)
    return str(intent.client_secret)


def complete_payment_setup(
    account: BillingAccount, *, setup_intent_id: str, token: str, acting_user: Any = None
) -> BillingAccount:
    """Stripe.js has collected the card or mandate: make it the default and subscribe."""
    account = _fresh(account)
    try:
        intent = gateway.retrieve_setup_intent(setup_intent_id)
    except stripe.StripeError:
        raise BillingError(_("This payment attempt is unknown. Please start again.")) from None
    if not account.stripe_customer_id or intent.get("customer") != account.stripe_customer_id:
        raise BillingError(_("This payment attempt is unknown. Please start again."))
    if intent.get("status") != "succeeded" or not intent.get("payment_method"):
        error = intent.get("last_setup_error") or {}
        if error:
            raise BillingError(message_for(error.get("code"), error.get("type")))
        raise BillingError(_("Your payment details were not confirmed. Please try again."))
    try:
        gateway.update_customer(
            account.stripe_customer_id,
            {"invoice_settings": {"default_payment_method": intent["payment_method"]}},
            intent["id"],
        )
    except stripe.StripeError as error:
        logger.warning("Stripe refused a default payment method: %s", error)
        raise BillingError(_unavailable()) from None
    with transaction.atomic():
        account = lock(account)
        old = snapshot(account)
        _subscribe(account, send_invoice=False, token=token)
        save_changes(account, old, action="billing.subscribe", actor=acting_user)
    return account


def subscribe_by_invoice(
    account: BillingAccount, *, period: str, token: str, acting_user: Any = None
) -> BillingAccount:
    """Public buyers' way: Stripe sends an invoice, paid by administrative mandate in 30 days."""
    account = _fresh(account)
    _check_can_subscribe(account, period)
    if not account.billing_email or not account.siret:
        raise BillingError(_("To pay by invoice, give the billing email and the SIRET."))
    customer = _ensure_customer(account, acting_user)
    try:
        gateway.update_customer(
            customer,
            {
                "email": account.billing_email,
                "metadata": {
                    "siret": account.siret,
                    "chorus_service_code": account.chorus_service_code,
                    "purchase_order_number": account.purchase_order_number,
                },
            },
            account.siret,
            account.chorus_service_code,
            account.purchase_order_number,
        )
    except stripe.StripeError as error:
        logger.warning("Stripe refused the buyer's details: %s", error)
        raise BillingError(_unavailable()) from None
    with transaction.atomic():
        account = lock(account)
        old = snapshot(account)
        _check_can_subscribe(account, period)
        account.period, account.payment_method = period, PaymentMethod.INVOICE
        _subscribe(account, send_invoice=True, token=token)
        save_changes(account, old, action="billing.subscribe", actor=acting_user)
    return account


def _subscribe(account: BillingAccount, *, send_invoice: bool, token: str) -> None:
    """Create the subscription on Stripe for the locked account and take its state."""
    _check_can_subscribe(account, account.period)
    assert account.plan is not None
    try:
        subscription = gateway.create_subscription(
            customer_id=account.stripe_customer_id,
            stripe_plan_id=ensure_stripe_plan(account.plan, account.period),
            tax_rate_id=vat_tax_rate_id(),
            send_invoice=send_invoice,
            metadata={"collectivite": account.collectivite.slug},
            token=token,
            trial_end=account.trial_end_for_new_subscription(),
        )
        account.stripe_subscription_id = subscription["id"]
        apply_subscription(account, subscription)
        refresh_invoices(account)
    except stripe.CardError as error:
        raise BillingError(message_for_stripe_error(error)) from None
    except stripe.StripeError as error:
        logger.warning("Stripe refused a subscription: %s", error)
        raise BillingError(_unavailable()) from None


def _live_subscription(account: BillingAccount) -> str:
    if not account.stripe_subscription_id or account.status == Status.CANCELED:
        raise BillingError(_("There is no subscription to change."))
    return account.stripe_subscription_id


@transaction.atomic
def set_cancel_at_period_end(
    account: BillingAccount, *, cancel: bool, token: str, acting_user: Any = None
) -> BillingAccount:
    """End the subscription at the end of the paid period (or take that back)."""
    account = lock(account)
    subscription_id = _live_subscription(account)
    if account.cancel_at_period_end == cancel:
        return account
    old = snapshot(account)
    try:
        subscription = gateway.update_subscription(
            subscription_id, {"cancel_at_period_end": cancel}, token
        )
    except stripe.StripeError as error:
        logger.warning("Stripe refused a cancellation change: %s", error)
        raise BillingError(_unavailable()) from None
    apply_subscription(account, subscription)
    action = "billing.cancel" if cancel else "billing.resume"
    save_changes(account, old, action=action, actor=acting_user)
    return account


@transaction.atomic
def change_period(
    account: BillingAccount, *, period: str, token: str, acting_user: Any = None
) -> BillingAccount:
    """Switch between monthly and yearly payment; Stripe prorates the difference."""
    account = lock(account)
    subscription_id = _live_subscription(account)
    if period not in Period.values or period == account.period:
        raise BillingError(_("Choose the other payment period."))
    assert account.plan is not None
    old = snapshot(account)
    try:
        subscription = gateway.retrieve_subscription(subscription_id)
        item_id = subscription["items"]["data"][0]["id"]
        subscription = gateway.update_subscription(
            subscription_id,
            {
                "items": [{"id": item_id, "plan": ensure_stripe_plan(account.plan, period)}],
                "default_tax_rates": [vat_tax_rate_id()],
                "proration_behavior": "create_prorations",
            },
            token,
        )
        account.period = period
        apply_subscription(account, subscription)
        refresh_invoices(account)
    except stripe.StripeError as error:
        logger.warning("Stripe refused a period change: %s", error)
        raise BillingError(_unavailable()) from None
    save_changes(account, old, action="billing.period_change", actor=acting_user)
    return account
