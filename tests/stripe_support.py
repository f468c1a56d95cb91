"""Stripe for the tests: the localstripe server, a stub for what it lacks, signed webhooks.

Which is which:
- localstripe (a real, stateful fake Stripe server on loopback) answers customers, products,
  plans, tax rates, setup intents, card subscriptions (with their default tax rates) and their
  invoices, exactly as the SDK calls them.
- `StripeStub`, at the SDK's HTTP client boundary, answers what localstripe lacks, with payloads
  following Stripe's documented objects; every other request goes on to localstripe untouched:
  - subscriptions with `collection_method=send_invoice` (pay by invoice), whose first invoice
    carries the subscription's default tax rate (subtotal, tax, total as Stripe computes them);
  - subscriptions with a `trial_end` (localstripe leaves them `incomplete`, never `trialing`):
    as Stripe does, the subscription is `trialing` until then, its period is the trial, and its
    only invoice is a 0 € one, paid, nothing charged. A trial end in the past is refused as
    Stripe refuses it. `end_trial` then does what Stripe does at the trial's end: a new period,
    `active`, and the first real invoice (charged, refused, or sent to pay within its days);
  - invoices' `number`, `invoice_pdf` and `hosted_invoice_url`, which localstripe never gives:
    added to every finalised invoice it returns, numbered per customer as Stripe numbers them
    (the customer's invoice prefix, then a sequence: `1A2B3C4D-0001`);
  - `pause_collection` on any subscription (localstripe refuses the parameter): the stub keeps
    it, strips it from the request it forwards, and adds it to every subscription it returns;
  - `proration_behavior` on a subscription update (localstripe only knows the legacy `prorate`
    and prorates anyway): stripped before forwarding;
  - invoices we script (a renewal whose payment fails, then is paid);
  - failures we script (`fail_next`): Stripe's 500 `api_error`, sent with
    `Stripe-Should-Retry: false` so that the SDK gives up at once; and cards refused
    (`decline_next`): Stripe's 402 `card_error`, with its code and its English message.
- Webhook events are built here and signed with Stripe's real scheme
  (`Stripe-Signature: t=<ts>,v1=HMAC-SHA256(secret, "<ts>.<payload>")`), so the view verifies
  them with the production code path.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections import defaultdict
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlparse

import stripe

_ids = itertools.count(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_localstripe() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "localstripe", "--port", str(port), "--from-scratch"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            request = urllib.request.Request(
                f"{base}/v1/customers", headers={"Authorization": "Bearer sk_test_x"}
            )
            with urllib.request.urlopen(request, timeout=1):  # noqa: S310 (loopback)
                return process, base
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("localstripe did not start") from None
            time.sleep(0.1)


def _stripe_id(prefix: str) -> str:
    return f"{prefix}_stub{next(_ids):06d}"


class Gate:
    """Holds one scripted call until the test lets it go (to order concurrent work)."""

    def __init__(self, method: str, path_prefix: str) -> None:
        self.method, self.path_prefix = method, path_prefix
        self.reached = threading.Event()
        self.release = threading.Event()


class StripeStub(stripe.RequestsClient):
    """Answers the calls localstripe lacks, forwards the rest to it."""

    def __init__(self) -> None:
        super().__init__()
        self.objects: dict[str, dict[str, Any]] = {}
        self.invoices_by_customer: dict[str, list[str]] = defaultdict(list)
        self.paused: dict[str, dict[str, Any] | None] = {}  # subscription id -> pause_collection
        # (method, path prefix, times left, HTTP status, Stripe's error object)
        self.failures: list[tuple[str, str, int, int, dict[str, Any]]] = []
        self.calls: list[tuple[str, str, dict[str, str]]] = []  # every call, as sent
        self.gates: list[Gate] = []
        self.numbers: dict[str, str] = {}  # invoice id -> its number, given once
        self.sequences: dict[str, int] = defaultdict(int)  # customer -> last number given

    # -- scripting helpers for tests --------------------------------------------------------
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
        invoice_id = _stripe_id("in")
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
        subscription_id = _stripe_id("sub")
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
                        "id": _stripe_id("si"),
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

    def hold(self, method: str, path_prefix: str) -> Gate:
        """The next such call waits (`gate.reached` is set) until `gate.release` is set."""
        gate = Gate(method, path_prefix)
        self.gates.append(gate)
        return gate

    def fail_next(self, method: str, path_prefix: str, times: int = 1) -> None:
        """The next `times` calls to a path starting with `path_prefix` fail as Stripe's 500."""
        error = {"type": "api_error", "message": "Stripe is having trouble (scripted)."}
        self.failures.append((method, path_prefix, times, 500, error))

    def decline_next(self, method: str, path_prefix: str, code: str = "card_declined") -> None:
        """The next such call is refused as Stripe refuses a card (402, in English)."""
        error = {
            "type": "card_error",
            "code": code,
            "decline_code": "generic_decline" if code == "card_declined" else None,
            "message": "Your card was declined." if code == "card_declined" else "Bad request",
        }
        self.failures.append((method, path_prefix, 1, 402, error))

    # -- the HTTP client boundary -----------------------------------------------------------
    def request(
        self, method: str, url: str, headers: Any, post_data: Any = None, **kwargs: Any
    ) -> Any:
        parsed = urlparse(url)
        parts = parsed.path.strip("/").split("/")
        pairs = parse_qsl(post_data or "", keep_blank_values=True)
        form = dict(pairs)
        self.calls.append((method, parsed.path, form))
        for gate in list(self.gates):
            if gate.method == method and parsed.path.startswith(gate.path_prefix):
                self.gates.remove(gate)
                gate.reached.set()
                assert gate.release.wait(timeout=30), "the test never released the gate"
        failure = self._scripted_failure(method, parsed.path)
        if failure is not None:
            return failure
        if (
            method == "post"
            and parsed.path == "/v1/subscriptions"
            and (form.get("collection_method") == "send_invoice" or "trial_end" in form)
        ):
            if "trial_end" in form and int(form["trial_end"]) <= time.time():
                return self._invalid("trial_end", "Invalid timestamp: must be in the future.")
            return self._reply(self._create_subscription(form, headers))
        if len(parts) == 3 and parts[2] in self.objects:
            obj = self.objects[parts[2]]
            if method == "post":
                if "cancel_at_period_end" in form:
                    obj["cancel_at_period_end"] = form["cancel_at_period_end"] == "true"
                self._take_pause(obj["id"], form)
            return self._reply(self._with_pause(obj))
        if method == "get" and parsed.path == "/v1/invoices":
            customer = dict(parse_qsl(parsed.query)).get("customer", "")
            if customer in self.invoices_by_customer:
                data = [self.objects[i] for i in self.invoices_by_customer[customer]]
                return self._reply(
                    {"object": "list", "data": data, "has_more": False, "url": "/v1/invoices"}
                )
        if len(parts) == 3 and parts[1] == "subscriptions":
            return self._localstripe_subscription(method, url, headers, parts[2], pairs, **kwargs)
        body, status, reply_headers = super().request(method, url, headers, post_data, **kwargs)
        if status == 200 and len(parts) >= 2 and parts[1] == "invoices":
            return (
                json.dumps(self._invoices_with_documents(json.loads(body))),
                status,
                reply_headers,
            )
        return body, status, reply_headers

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

    def _localstripe_subscription(
        self,
        method: str,
        url: str,
        headers: Any,
        subscription_id: str,
        pairs: list[tuple[str, str]],
        **kwargs: Any,
    ) -> Any:
        """A subscription localstripe keeps: forward what it knows, add what it lacks."""
        if method == "post":
            self._take_pause(subscription_id, dict(pairs))
            kept = [
                (key, value)
                for key, value in pairs
                if not key.startswith("pause_collection") and key != "proration_behavior"
            ]
            if not kept:  # nothing left for localstripe to change: read it back
                method, kept = "get", []
            body, status, reply_headers = super().request(
                method, url, headers, urlencode(kept) if method == "post" else None, **kwargs
            )
        else:
            body, status, reply_headers = super().request(method, url, headers, None, **kwargs)
        if status != 200:
            return body, status, reply_headers
        return json.dumps(self._with_pause(json.loads(body))), status, reply_headers

    def _take_pause(self, subscription_id: str, form: dict[str, str]) -> None:
        if form.get("pause_collection") == "":  # Stripe's way to unset a parameter
            self.paused[subscription_id] = None
        elif "pause_collection[behavior]" in form:
            self.paused[subscription_id] = {
                "behavior": form["pause_collection[behavior]"],
                "resumes_at": None,
            }

    def _with_pause(self, obj: dict[str, Any]) -> dict[str, Any]:
        if obj.get("object") == "subscription":
            return {**obj, "pause_collection": self.paused.get(obj["id"])}
        return obj

    def _scripted_failure(self, method: str, path: str) -> Any:
        for index, (fail_method, prefix, times, status, error) in enumerate(self.failures):
            if fail_method == method and path.startswith(prefix) and times > 0:
                self.failures[index] = (fail_method, prefix, times - 1, status, error)
                headers = {"request-id": "req_stub_failure", "stripe-should-retry": "false"}
                return json.dumps({"error": error}), status, headers
        return None

    @staticmethod
    def _reply(body: dict[str, Any]) -> tuple[str, int, dict[str, str]]:
        return json.dumps(body), 200, {"request-id": "req_stub"}

    @staticmethod
    def _invalid(param: str, message: str) -> tuple[str, int, dict[str, str]]:
        """Stripe's 400 for a parameter it refuses."""
        error = {"type": "invalid_request_error", "param": param, "message": message}
        return json.dumps({"error": error}), 400, {"request-id": "req_stub_invalid"}

    def _localstripe_get(self, path: str, headers: Any) -> dict[str, Any]:
        base = stripe_api_base()
        body, status, _headers = super().request("get", f"{base}{path}", headers, None)
        assert status == 200, body
        return dict(json.loads(body))

    def _create_subscription(self, form: dict[str, str], headers: Any) -> dict[str, Any]:
        """A subscription paid by invoice, or starting with a trial, as Stripe makes it."""
        now = int(time.time())
        subscription_id = _stripe_id("sub")
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
                        "id": _stripe_id("si"),
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


def _tax(amount: int, tax_rates: list[dict[str, Any]]) -> int:
    """The tax Stripe adds on top of `amount` for these (exclusive) tax rates."""
    return sum(round(amount * float(rate["percentage"]) / 100) for rate in tax_rates)


def stripe_api_base() -> str:
    from django.conf import settings

    return str(settings.STRIPE_API_BASE)


def signed_event(
    event_type: str,
    data_object: dict[str, Any],
    secret: str,
    *,
    event_id: str | None = None,
    timestamp: int | None = None,
) -> tuple[bytes, str]:
    """A Stripe event payload and its `Stripe-Signature` header, signed as Stripe signs."""
    timestamp = timestamp or int(time.time())
    payload = json.dumps(
        {
            "id": event_id or _stripe_id("evt"),
            "object": "event",
            "api_version": "2026-10-28.endive",
            "created": timestamp,
            "type": event_type,
            "livemode": False,
            "pending_webhooks": 1,
            "data": {"object": data_object},
        }
    ).encode()
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + payload, hashlib.sha256)
    return payload, f"t={timestamp},v1={digest.hexdigest()}"


def confirm_setup_as_stripe_js(client_secret: str, card_number: str = "4242424242424242") -> str:
    """Do what Stripe.js does in the browser: confirm the SetupIntent with a test card."""
    from billing import gateway

    setup_intent_id = client_secret.split("_secret_")[0]
    params: Any = {
        "payment_method_data": {
            "type": "card",
            "card": {"number": card_number, "exp_month": 12, "exp_year": 2034, "cvc": "123"},
        }
    }
    intent = gateway.client().v1.setup_intents.confirm(setup_intent_id, params)
    return str(intent.id)
