"""Billing: trials, subscriptions, invoices and Stripe events. The only code that writes them.

Our database decides the status; Stripe only moves money. Every change of status goes through
`_set_status`, which also updates what the town's site may do (`billing.access`).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import gateway, notices
from billing.access import access_for
from billing.models import (
    BillingAccount,
    Invoice,
    PaymentMethod,
    Period,
    Plan,
    StripeEvent,
)
from tenants.models import Collectivite

logger = logging.getLogger(__name__)
Status = BillingAccount.Status

READ_ONLY_AFTER_OVERDUE = timedelta(days=30)
TRIAL_REMINDER_DAYS = (14, 3, 0)
OPS_DECIDED = (Status.SUSPENDED, Status.SPONSORED)


class BillingError(Exception):
    """Something the town admin can act on; the message is for them (French)."""


def _set_status(account: BillingAccount, status: str) -> None:
    account.status = status
    account.save()
    collectivite = account.collectivite
    access = access_for(status)
    if collectivite.site_access != access:
        collectivite.site_access = access
        collectivite.save(update_fields=["site_access"])  # also refreshes the host cache


# --- Trials and ops decisions -------------------------------------------------------------


def start_trial(collectivite: Collectivite, *, days: int | None = None) -> BillingAccount:
    """The free trial every new collectivité starts with (no card asked). Idempotent."""
    days = settings.BILLING_TRIAL_DAYS if days is None else days
    account, created = BillingAccount.objects.get_or_create(
        collectivite=collectivite,
        defaults={
            "status": Status.TRIALING,
            "trial_ends_at": timezone.now() + timedelta(days=days),
            "plan": Plan.objects.for_population(collectivite.population),
        },
    )
    if created:
        _set_status(account, Status.TRIALING)
    return account


@transaction.atomic
def extend_trial(account: BillingAccount, *, days: int) -> BillingAccount:
    """Ops give more time: from today if the trial already ended, else from its end."""
    account = BillingAccount.objects.select_for_update().get(pk=account.pk)
    if days < 1:
        raise BillingError(_("Give a number of days of at least 1."))
    if account.stripe_subscription_id and account.status != Status.CANCELED:
        raise BillingError(_("This collectivité already has a subscription."))
    if account.status in OPS_DECIDED:
        raise BillingError(_("This account is suspended or offered: change that first."))
    start = max(timezone.now(), account.trial_ends_at or timezone.now())
    account.trial_ends_at = start + timedelta(days=days)
    _set_status(account, Status.TRIALING)
    return account


def sponsor(account: BillingAccount, *, reason: str) -> None:
    """Free by our decision (a partner, a crisis). Nothing is billed while it lasts."""
    account.sponsored_reason = reason
    _set_status(account, Status.SPONSORED)


def suspend(account: BillingAccount) -> None:
    _set_status(account, Status.SUSPENDED)


def reinstate(account: BillingAccount) -> None:
    """Back to what the payments say, after a suspension or a sponsorship."""
    account.status = Status.TRIALING  # so that apply/refresh below may decide again
    if account.stripe_subscription_id:
        apply_subscription(account, gateway.retrieve_subscription(account.stripe_subscription_id))
    elif account.trial_ends_at and account.trial_ends_at > timezone.now():
        _set_status(account, Status.TRIALING)
    else:
        _set_status(account, Status.READ_ONLY)


# --- Subscribing --------------------------------------------------------------------------


def save_buyer_details(account: BillingAccount, **details: str) -> None:
    for field in ("billing_email", "siret", "chorus_service_code", "purchase_order_number"):
        if field in details:
            setattr(account, field, details[field].strip())
    account.save()


def _ensure_customer(account: BillingAccount) -> str:
    if not account.stripe_customer_id:
        town = account.collectivite
        account.stripe_customer_id = gateway.create_customer(
            account_id=account.pk,
            name=town.name,
            email=account.billing_email,
            metadata={"collectivite": town.slug, "siren": town.siren},
        )
        account.save(update_fields=["stripe_customer_id"])
    return account.stripe_customer_id


def _ensure_stripe_plan(plan: Plan, period: str) -> str:
    field = "stripe_yearly_plan_id" if period == Period.YEARLY else "stripe_monthly_plan_id"
    if not getattr(plan, field):
        if not plan.stripe_product_id:
            plan.stripe_product_id = gateway.create_product(code=plan.code, name=plan.name)
        setattr(
            plan,
            field,
            gateway.create_plan(
                product_id=plan.stripe_product_id,
                code=plan.code,
                period=period,
                amount_cents=plan.price_cents(period),
            ),
        )
        plan.save()
    return str(getattr(plan, field))


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


def start_payment_setup(account: BillingAccount, *, period: str, method: str, token: str) -> str:
    """Card or SEPA debit: returns the client secret Stripe.js needs to collect the details."""
    _check_can_subscribe(account, period)
    if method not in (PaymentMethod.CARD, PaymentMethod.SEPA_DEBIT):
        raise BillingError(_("Choose a bank card, a SEPA direct debit or an invoice."))
    try:
        intent = gateway.create_setup_intent(
            customer_id=_ensure_customer(account), method=method, token=token
        )
    except stripe.StripeError as error:
        logger.warning("Stripe refused a setup intent: %s", error)
        raise BillingError(_("Payment is unavailable for now. Please try again later.")) from None
    account.period, account.payment_method = period, method
    account.save()
    return str(intent.client_secret)


def complete_payment_setup(account: BillingAccount, *, setup_intent_id: str, token: str) -> None:
    """Stripe.js has collected the card or mandate: make it the default and subscribe."""
    try:
        intent = gateway.retrieve_setup_intent(setup_intent_id)
    except stripe.StripeError:
        raise BillingError(_("This payment attempt is unknown. Please start again.")) from None
    if not account.stripe_customer_id or intent.get("customer") != account.stripe_customer_id:
        raise BillingError(_("This payment attempt is unknown. Please start again."))
    if intent.get("status") != "succeeded" or not intent.get("payment_method"):
        raise BillingError(_("Your payment details were not confirmed. Please try again."))
    gateway.update_customer(
        account.stripe_customer_id,
        {"invoice_settings": {"default_payment_method": intent["payment_method"]}},
        intent["id"],
    )
    _subscribe(account, send_invoice=False, token=token)


def subscribe_by_invoice(account: BillingAccount, *, period: str, token: str) -> None:
    """Public buyers' way: Stripe sends an invoice, paid by administrative mandate in 30 days."""
    _check_can_subscribe(account, period)
    if not account.billing_email or not account.siret:
        raise BillingError(_("To pay by invoice, give the billing email and the SIRET."))
    customer = _ensure_customer(account)
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
    account.period, account.payment_method = period, PaymentMethod.INVOICE
    account.save()
    _subscribe(account, send_invoice=True, token=token)


def _subscribe(account: BillingAccount, *, send_invoice: bool, token: str) -> None:
    assert account.plan is not None
    try:
        subscription = gateway.create_subscription(
            customer_id=account.stripe_customer_id,
            stripe_plan_id=_ensure_stripe_plan(account.plan, account.period),
            send_invoice=send_invoice,
            metadata={"collectivite": account.collectivite.slug},
            token=token,
        )
    except stripe.CardError as error:
        raise BillingError(_("The payment was refused: %(reason)s") % {"reason": error}) from None
    except stripe.StripeError as error:
        logger.warning("Stripe refused a subscription: %s", error)
        raise BillingError(_("Payment is unavailable for now. Please try again later.")) from None
    account.stripe_subscription_id = subscription["id"]
    account.cancel_at_period_end = False
    account.save()
    apply_subscription(account, subscription)
    for invoice in gateway.list_invoices(account.stripe_customer_id):
        sync_invoice(account, invoice)


def set_cancel_at_period_end(account: BillingAccount, *, cancel: bool, token: str) -> None:
    if not account.stripe_subscription_id or account.status == Status.CANCELED:
        raise BillingError(_("There is no subscription to change."))
    subscription = gateway.update_subscription(
        account.stripe_subscription_id, {"cancel_at_period_end": cancel}, token
    )
    apply_subscription(account, subscription)


def change_period(account: BillingAccount, *, period: str, token: str) -> None:
    """Switch between monthly and yearly payment; Stripe prorates the difference."""
    if not account.stripe_subscription_id or account.status == Status.CANCELED:
        raise BillingError(_("There is no subscription to change."))
    if period not in Period.values or period == account.period:
        raise BillingError(_("Choose the other payment period."))
    assert account.plan is not None
    subscription = gateway.retrieve_subscription(account.stripe_subscription_id)
    item_id = subscription["items"]["data"][0]["id"]
    subscription = gateway.update_subscription(
        account.stripe_subscription_id,
        {
            "items": [{"id": item_id, "plan": _ensure_stripe_plan(account.plan, period)}],
            "proration_behavior": "create_prorations",
        },
        token,
    )
    account.period = period
    account.save()
    apply_subscription(account, subscription)


# --- What Stripe says ---------------------------------------------------------------------


def _timestamp(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=UTC) if value else None


def apply_subscription(account: BillingAccount, subscription: dict[str, Any]) -> None:
    """Bring the account in line with Stripe's current subscription object."""
    items = subscription.get("items") or {}
    first_item = (items.get("data") or [{}])[0]
    period_end = subscription.get("current_period_end") or first_item.get("current_period_end")
    account.current_period_end = _timestamp(period_end)
    account.cancel_at_period_end = bool(subscription.get("cancel_at_period_end"))
    stripe_status = subscription.get("status")
    if account.status in OPS_DECIDED:
        account.save()
        return
    if stripe_status in ("active", "trialing"):
        status = Status.PAST_DUE if account.overdue_since else Status.ACTIVE
        if account.overdue_since and timezone.now() - account.overdue_since >= (
            READ_ONLY_AFTER_OVERDUE
        ):
            status = Status.READ_ONLY
    elif stripe_status == "past_due":
        status = Status.PAST_DUE
    elif stripe_status == "unpaid":
        status = Status.READ_ONLY
    elif stripe_status in ("canceled", "incomplete_expired"):
        status = Status.CANCELED
    else:  # incomplete: the first payment is still pending
        status = Status(account.status)
    _set_status(account, status)


def sync_invoice(account: BillingAccount, invoice: dict[str, Any]) -> Invoice:
    record, _created = Invoice.objects.update_or_create(
        stripe_invoice_id=invoice["id"],
        defaults={
            "account": account,
            "number": invoice.get("number") or "",
            "status": invoice.get("status") or "draft",
            "amount_due_cents": invoice.get("amount_due") or 0,
            "amount_paid_cents": invoice.get("amount_paid") or 0,
            "currency": invoice.get("currency") or "eur",
            "hosted_invoice_url": invoice.get("hosted_invoice_url") or "",
            "invoice_pdf": invoice.get("invoice_pdf") or "",
            "due_date": _timestamp(invoice.get("due_date")),
            "created_at": _timestamp(invoice.get("created")) or timezone.now(),
        },
    )
    return record


def _payment_failed(account: BillingAccount, invoice: Invoice) -> None:
    if account.overdue_since is None:
        account.overdue_since = timezone.now()
        account.save(update_fields=["overdue_since"])
    if account.status == Status.ACTIVE:
        _set_status(account, Status.PAST_DUE)
    notices.payment_failed(account, invoice)


def _settle_if_paid(account: BillingAccount) -> None:
    """Once no invoice is left overdue, a past-due or read-only account is active again."""
    overdue = account.invoices.filter(status="open", amount_due_cents__gt=0).filter(
        Q(due_date__isnull=True) | Q(due_date__lte=timezone.now())
    )
    if overdue.exists():
        return
    if account.overdue_since is not None:
        account.overdue_since = None
        account.save(update_fields=["overdue_since"])
    if account.stripe_subscription_id and account.status in (Status.PAST_DUE, Status.READ_ONLY):
        apply_subscription(account, gateway.retrieve_subscription(account.stripe_subscription_id))


class InvalidWebhook(Exception):
    pass


def record_stripe_event(payload: bytes, signature: str) -> StripeEvent | None:
    """Check the signature, store the event once, then process it in Celery.

    Returns None for a delivery of an event already received (Stripe retries, races).
    """
    try:
        event = gateway.verify_event(payload, signature)
    except (ValueError, stripe.SignatureVerificationError) as error:
        raise InvalidWebhook(str(error)) from None
    try:
        with transaction.atomic():
            record = StripeEvent.objects.create(
                event_id=event["id"], type=event["type"], payload=event.to_dict()
            )
    except IntegrityError:
        return None
    from billing.tasks import process_stripe_event

    transaction.on_commit(lambda: process_stripe_event.delay(record.event_id))
    return record


def process_stripe_event(event_id: str) -> None:
    """Apply one stored event, at most once, from the objects as Stripe has them now."""
    with transaction.atomic():
        record = StripeEvent.objects.select_for_update().get(event_id=event_id)
        if record.processed_at is not None:
            return
        _handle_event(record.type, record.payload["data"]["object"])
        record.processed_at = timezone.now()
        record.save(update_fields=["processed_at"])


def _account_for_customer(customer_id: str | None) -> BillingAccount | None:
    if not customer_id:
        return None
    # The customer of the object fetched from Stripe, never anything the event claims.
    return (
        BillingAccount.objects.select_for_update(of=("self",))
        .select_related("collectivite", "plan")
        .filter(stripe_customer_id=customer_id)
        .first()
    )


def _handle_event(event_type: str, data: dict[str, Any]) -> None:
    if event_type.startswith("invoice."):
        invoice = gateway.retrieve_invoice(data["id"])
        account = _account_for_customer(invoice.get("customer"))
        if account is None:
            return
        record = sync_invoice(account, invoice)
        if event_type == "invoice.payment_failed":
            _payment_failed(account, record)
        elif record.status in ("paid", "void", "uncollectible"):
            _settle_if_paid(account)
    elif event_type.startswith("customer.subscription."):
        subscription = gateway.retrieve_subscription(data["id"])
        account = _account_for_customer(subscription.get("customer"))
        if account is None:
            return
        if account.stripe_subscription_id not in ("", subscription["id"]):
            return  # an older subscription of this customer: not the one we bill
        account.stripe_subscription_id = subscription["id"]
        apply_subscription(account, subscription)
    # Any other event type is acknowledged and ignored.


# --- The daily run ------------------------------------------------------------------------


def run_daily(now: datetime | None = None) -> dict[str, int]:
    """Reminders, ended trials and overdue invoices. Safe to run any number of times a day."""
    now = now or timezone.now()
    counts = {"reminders": 0, "trials_ended": 0, "read_only": 0, "overdue": 0}
    trials = BillingAccount.objects.filter(status=Status.TRIALING, trial_ends_at__isnull=False)
    for account in trials.select_related("collectivite"):
        assert account.trial_ends_at is not None
        days_left = (account.trial_ends_at.date() - now.date()).days
        if account.trial_ends_at <= now:
            _set_status(account, Status.READ_ONLY)
            counts["trials_ended"] += 1
            counts["reminders"] += notices.trial_reminder(account, days_left=0)
        elif days_left in TRIAL_REMINDER_DAYS:
            counts["reminders"] += notices.trial_reminder(account, days_left=days_left)

    for invoice in Invoice.objects.filter(
        status="open", due_date__lt=now, account__overdue_since__isnull=True
    ).select_related("account"):
        account = invoice.account
        account.overdue_since = invoice.due_date
        account.save(update_fields=["overdue_since"])
        if account.status == Status.ACTIVE:
            _set_status(account, Status.PAST_DUE)
        counts["overdue"] += 1

    overdue = BillingAccount.objects.filter(
        status__in=(Status.ACTIVE, Status.PAST_DUE),
        overdue_since__lte=now - READ_ONLY_AFTER_OVERDUE,
    ).select_related("collectivite")
    for account in overdue:
        _set_status(account, Status.READ_ONLY)
        notices.read_only_for_overdue(account)
        counts["read_only"] += 1
    return counts
