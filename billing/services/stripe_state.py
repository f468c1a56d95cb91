"""What Stripe says, applied to a locked account: its subscription and its invoices.

Stripe does not deliver events in order, and an event may be days old: every decision here is
taken from the current state of the objects fetched back from Stripe (invoice status, whether a
payment was attempted, what remains due; the subscription's status), never from an event's type.
Functions here change a locked account in memory; their caller saves it (`core.save_changes`).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from billing import gateway, notices
from billing.models import BillingAccount, Invoice
from billing.services.core import OPS_DECIDED, READ_ONLY_AFTER_OVERDUE, Status, timestamp

SETTLED = ("paid", "void", "uncollectible")


def status_for_subscription(account: BillingAccount, subscription: dict[str, Any]) -> str:
    """The status the payments give, whatever ops decided (see `apply_subscription`)."""
    stripe_status = subscription.get("status")
    if stripe_status == "trialing":
        return Status.TRIALING  # subscribed during our trial, which Stripe ends when ours ends
    if stripe_status == "active":
        if account.overdue_since is None:
            return Status.ACTIVE
        if timezone.now() - account.overdue_since >= READ_ONLY_AFTER_OVERDUE:
            return Status.READ_ONLY
        return Status.PAST_DUE
    if stripe_status == "past_due":
        return Status.PAST_DUE
    if stripe_status == "unpaid":
        return Status.READ_ONLY
    if stripe_status in ("canceled", "incomplete_expired"):
        return Status.CANCELED
    return account.status  # incomplete: the first payment is still pending


def apply_subscription(account: BillingAccount, subscription: dict[str, Any]) -> None:
    """Bring the locked account in line with Stripe's current subscription object."""
    items = subscription.get("items") or {}
    first_item = (items.get("data") or [{}])[0]
    period_end = subscription.get("current_period_end") or first_item.get("current_period_end")
    account.current_period_end = timestamp(period_end)
    account.cancel_at_period_end = bool(subscription.get("cancel_at_period_end"))
    if account.status not in OPS_DECIDED:  # a suspension or a gift outlasts what Stripe says
        account.status = status_for_subscription(account, subscription)


def sync_invoice(account: BillingAccount, invoice: dict[str, Any]) -> Invoice:
    total = invoice.get("total", invoice.get("amount_due")) or 0
    excluding_tax = invoice.get("total_excluding_tax")
    if excluding_tax is None:
        excluding_tax = invoice.get("subtotal", total) or 0
    record, _created = Invoice.objects.update_or_create(
        stripe_invoice_id=invoice["id"],
        defaults={
            "account": account,
            "number": invoice.get("number") or "",
            "status": invoice.get("status") or "draft",
            "amount_due_cents": invoice.get("amount_due") or 0,
            "amount_paid_cents": invoice.get("amount_paid") or 0,
            "subtotal_cents": excluding_tax,
            "tax_cents": total - excluding_tax,
            "currency": invoice.get("currency") or "eur",
            "hosted_invoice_url": invoice.get("hosted_invoice_url") or "",
            "invoice_pdf": invoice.get("invoice_pdf") or "",
            "due_date": timestamp(invoice.get("due_date")),
            "created_at": timestamp(invoice.get("created")) or timezone.now(),
        },
    )
    return record


def payment_has_failed(invoice: dict[str, Any]) -> bool:
    """Stripe tried to take the money and some is still due (a card refused, a debit rejected).

    An invoice to pay by mandate (send_invoice) is never "failed": it is late after its due date,
    which the daily run watches.
    """
    if invoice.get("status") != "open" or not invoice.get("attempted"):
        return False
    if invoice.get("collection_method") == "send_invoice":
        return False
    remaining = invoice.get("amount_remaining")
    if remaining is None:
        remaining = (invoice.get("amount_due") or 0) - (invoice.get("amount_paid") or 0)
    return int(remaining) > 0


def apply_invoice(account: BillingAccount, invoice: dict[str, Any]) -> Invoice:
    """Our copy of the invoice, and what its current state means for the locked account."""
    record = sync_invoice(account, invoice)
    if payment_has_failed(invoice):
        if account.overdue_since is None:
            account.overdue_since = timezone.now()
        if account.status in (Status.ACTIVE, Status.TRIALING):  # the first payment too
            account.status = Status.PAST_DUE
        notices.payment_failed(account, record)
    elif record.status in SETTLED:
        settle_if_paid(account)
    return record


def settle_if_paid(account: BillingAccount) -> None:
    """Once no invoice is left overdue, a past-due or read-only account is active again."""
    overdue = account.invoices.filter(status="open", amount_due_cents__gt=0).filter(
        Q(due_date__isnull=True) | Q(due_date__lte=timezone.now())
    )
    if overdue.exists():
        return
    account.overdue_since = None
    if account.stripe_subscription_id and account.status in (Status.PAST_DUE, Status.READ_ONLY):
        apply_subscription(account, gateway.retrieve_subscription(account.stripe_subscription_id))


def refresh_invoices(account: BillingAccount) -> None:
    """Our copies of all the customer's invoices, as Stripe has them now."""
    assert transaction.get_connection().in_atomic_block
    for invoice in gateway.list_invoices(account.stripe_customer_id):
        sync_invoice(account, invoice)
