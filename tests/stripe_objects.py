"""The Stripe objects the StripeStub keeps and makes, shaped as Stripe's documented ones.

Subscriptions paid by invoice or starting with a trial, their invoices, what happens at a
trial's end, and the number, PDF and page Stripe gives a finalised invoice: everything
localstripe lacks (see tests/stripe_support.py for which is which).
"""

from __future__ import annotations

import hashlib
import itertools
import time
from collections import defaultdict
from typing import Any

_ids = itertools.count(1)


def stripe_id(prefix: str) -> str:
    return f"{prefix}_stub{next(_ids):06d}"


def _tax(amount: int, tax_rates: list[dict[str, Any]]) -> int:
    """The tax Stripe adds on top of `amount` for these (exclusive) tax rates."""
    return sum(round(amount * float(rate["percentage"]) / 100) for rate in tax_rates)


class StripeObjects:
    """The objects part of the StripeStub: scripted by tests, returned at the HTTP boundary."""

    def __init__(self) -> None:
        super().__init__()
        self.objects: dict[str, dict[str, Any]] = {}
        self.invoices_by_customer: dict[str, list[str]] = defaultdict(list)
        self.numbers: dict[str, str] = {}  # invoice id -> its number, given once
        self.sequences: dict[str, int] = defaultdict(int)  # customer -> last number given

    def _localstripe_get(self, path: str, headers: Any) -> dict[str, Any]:
        """An object localstripe keeps (a plan, a tax rate): the stub asks it."""
        raise NotImplementedError

    def add_invoice(
        self,
        *,
        customer: str,
        subscription: str,
        amount: int,
        status: str,
        due_date: int | None = None,
        attempted: bool = True,
        tax: int = 0,
        created: int | None = None,
        billing_reason: str = "subscription_cycle",
    ) -> dict[str, Any]:
        """An invoice of `amount` excl. tax plus `tax` (its total is their sum)."""
        invoice_id = stripe_id("in")
        total = amount + tax
        invoice = {
            "id": invoice_id,
            "object": "invoice",
            "customer": customer,
            "subscription": subscription,
            "status": status,
            "subtotal": amount,
            "total_excluding_tax": amount,
            "total": total,
            "amount_due": total,
            "amount_paid": total if status == "paid" else 0,
            "amount_remaining": 0 if status == "paid" else total,
            "currency": "eur",
            "attempted": attempted,
            "billing_reason": billing_reason,
            "collection_method": "send_invoice" if due_date else "charge_automatically",
            "due_date": due_date,
            "created": created or int(time.time()),
        }
        self._with_documents(invoice)
        self.objects[invoice_id] = invoice
        self.invoices_by_customer[customer].insert(0, invoice_id)
        return invoice

    def set_status(self, object_id: str, **changes: Any) -> None:
        obj = self.objects[object_id]
        obj.update(changes)
        if obj["object"] == "invoice" and "status" in changes and "amount_paid" not in changes:
            paid = changes["status"] == "paid"
            obj["amount_paid"] = obj["amount_due"] if paid else 0
            obj["amount_remaining"] = 0 if paid else obj["amount_due"]

    def add_subscription(
        self, *, customer: str, status: str = "active", cancel_at_period_end: bool = False
    ) -> dict[str, Any]:
        """A card subscription as Stripe returns it, kept here (not on localstripe)."""
        now = int(time.time())
        subscription_id = stripe_id("sub")
        subscription = {
            "id": subscription_id,
            "object": "subscription",
            "customer": customer,
            "status": status,
            "collection_method": "charge_automatically",
            "cancel_at_period_end": cancel_at_period_end,
            "created": now,
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": stripe_id("si"),
                        "object": "subscription_item",
                        "current_period_start": now,
                        "current_period_end": now + 30 * 86400,
                    }
                ],
            },
            "metadata": {},
        }
        self.objects[subscription_id] = subscription
        return subscription

    def end_trial(self, subscription_id: str, *, payment_fails: bool = False) -> dict[str, Any]:
        """What Stripe does when a subscription's trial ends: a new period starts, the first
        invoice is made and charged (or refused), or sent to pay within its days. Returns the
        subscription; its `latest_invoice` is that invoice (none if it was cancelled)."""
        subscription = self.objects[subscription_id]
        assert subscription["status"] == "trialing", subscription["status"]
        trial_end = int(subscription["trial_end"])
        if subscription["cancel_at_period_end"]:
            subscription.update(status="canceled", ended_at=trial_end, canceled_at=trial_end)
            return subscription
        item = subscription["items"]["data"][0]
        plan = item["plan"]
        days = 365 if plan["interval"] == "year" else 30
        item.update(current_period_start=trial_end, current_period_end=trial_end + days * 86400)
        amount = int(plan["amount"])
        tax = _tax(amount, subscription["default_tax_rates"])
        if subscription["collection_method"] == "send_invoice":
            status, due_date = "open", trial_end + subscription["days_until_due"] * 86400
        else:
            status, due_date = ("open" if payment_fails else "paid"), None
        invoice = self.add_invoice(
            customer=subscription["customer"],
            subscription=subscription_id,
            amount=amount,
            tax=tax,
            status=status,
            due_date=due_date,
            attempted=due_date is None,
            created=trial_end,
        )
        subscription.update(
            status="past_due" if payment_fails else "active", latest_invoice=invoice["id"]
        )
        return subscription

    def _invoices_with_documents(self, reply: dict[str, Any]) -> dict[str, Any]:
        if reply.get("object") == "list":
            for invoice in reply["data"]:
                self._with_documents(invoice)
        elif reply.get("object") == "invoice":
            self._with_documents(reply)
        return reply

    def _with_documents(self, invoice: dict[str, Any]) -> dict[str, Any]:
        """Stripe numbers an invoice when it is finalised, and gives its PDF and page then."""
        if invoice.get("status") == "draft" or invoice.get("number"):
            return invoice
        invoice_id, customer = invoice["id"], invoice["customer"]
        if invoice_id not in self.numbers:
            self.sequences[customer] += 1
            prefix = hashlib.sha256(customer.encode()).hexdigest()[:8].upper()
            self.numbers[invoice_id] = f"{prefix}-{self.sequences[customer]:04d}"
        page = f"https://invoice.stripe.com/i/acct_placette_test/test_{invoice_id}"
        invoice.update(
            number=self.numbers[invoice_id],
            hosted_invoice_url=page,
            invoice_pdf=f"https://pay.stripe.com/invoice/acct_placette_test/test_{invoice_id}/pdf",
        )
        return invoice

    def _create_subscription(self, form: dict[str, str], headers: Any) -> dict[str, Any]:
        """A subscription paid by invoice, or starting with a trial, as Stripe makes it."""
        now = int(time.time())
        subscription_id = stripe_id("sub")
        send_invoice = form.get("collection_method") == "send_invoice"
        days = int(form.get("days_until_due", "30"))
        plan = self._localstripe_get(f"/v1/plans/{form['items[0][plan]']}", headers)
        tax_rates = [
            self._localstripe_get(f"/v1/tax_rates/{value}", headers)
            for key, value in form.items()
            if key.startswith("default_tax_rates[")
        ]
        trial_end = int(form["trial_end"]) if "trial_end" in form else None
        if trial_end is not None:
            period_end = trial_end  # a trial is the subscription's first period
        else:
            period_end = now + (365 if plan["interval"] == "year" else 30) * 86400
        subscription = {
            "id": subscription_id,
            "object": "subscription",
            "customer": form["customer"],
            "status": "trialing" if trial_end is not None else "active",
            "collection_method": "send_invoice" if send_invoice else "charge_automatically",
            "days_until_due": days if send_invoice else None,
            "cancel_at_period_end": False,
            "default_tax_rates": tax_rates,
            "created": now,
            "start_date": now,
            "trial_start": now if trial_end is not None else None,
            "trial_end": trial_end,
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": stripe_id("si"),
                        "object": "subscription_item",
                        "plan": plan,
                        "quantity": 1,
                        "current_period_start": now,
                        "current_period_end": period_end,
                    }
                ],
            },
            "metadata": {},
        }
        self.objects[subscription_id] = subscription
        if trial_end is not None:
            # Stripe's first invoice of a trial: 0 €, paid at once, nothing charged.
            amount, tax, status, due_date = 0, 0, "paid", None
        else:
            amount = int(plan["amount"])
            tax = _tax(amount, tax_rates)
            status, due_date = "open", now + days * 86400
        invoice = self.add_invoice(
            customer=form["customer"],
            subscription=subscription_id,
            amount=amount,
            tax=tax,
            status=status,
            due_date=due_date,
            attempted=False,
            billing_reason="subscription_create",
        )
        invoice["collection_method"] = subscription["collection_method"]
        subscription["latest_invoice"] = invoice["id"]
        return subscription
