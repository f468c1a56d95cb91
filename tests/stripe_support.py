"""Stripe for the tests: the localstripe server, a stub for what it lacks, signed webhooks.

Which is which:
- localstripe (a real, stateful fake Stripe server on loopback) answers customers, products,
  plans, setup intents, card subscriptions and their invoices, exactly as the SDK calls them.
- `StripeStub`, at the SDK's HTTP client boundary, answers what localstripe lacks: subscriptions
  with `collection_method=send_invoice` (pay by invoice), and invoices we script (a renewal
  whose payment fails, then is paid). Its payloads follow Stripe's documented objects; every
  other request goes on to localstripe untouched.
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
import time
import urllib.request
from collections import defaultdict
from typing import Any
from urllib.parse import parse_qs, urlparse

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


class StripeStub(stripe.RequestsClient):
    """Answers the calls localstripe lacks, forwards the rest to it."""

    def __init__(self) -> None:
        super().__init__()
        self.objects: dict[str, dict[str, Any]] = {}
        self.invoices_by_customer: dict[str, list[str]] = defaultdict(list)

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
    ) -> dict[str, Any]:
        invoice_id = _stripe_id("in")
        invoice = {
            "id": invoice_id,
            "object": "invoice",
            "customer": customer,
            "subscription": subscription,
            "status": status,
            "amount_due": amount,
            "amount_paid": amount if status == "paid" else 0,
            "amount_remaining": 0 if status == "paid" else amount,
            "currency": "eur",
            "number": f"PLAC-{next(_ids):04d}",
            "attempted": attempted,
            "collection_method": "send_invoice" if due_date else "charge_automatically",
            "due_date": due_date,
            "created": int(time.time()),
            "hosted_invoice_url": f"https://invoice.stripe.test/{invoice_id}",
            "invoice_pdf": f"https://invoice.stripe.test/{invoice_id}/pdf",
        }
        self.objects[invoice_id] = invoice
        self.invoices_by_customer[customer].insert(0, invoice_id)
        return invoice

    def set_status(self, object_id: str, **changes: Any) -> None:
        self.objects[object_id].update(changes)

    # -- the HTTP client boundary -----------------------------------------------------------
    def request(
        self, method: str, url: str, headers: Any, post_data: Any = None, **kwargs: Any
    ) -> Any:
        parsed = urlparse(url)
        parts = parsed.path.strip("/").split("/")
        form = {k: v[-1] for k, v in parse_qs(post_data or "").items()}
        if (
            method == "post"
            and parsed.path == "/v1/subscriptions"
            and (form.get("collection_method") == "send_invoice")
        ):
            return self._reply(self._create_invoiced_subscription(form))
        if len(parts) == 3 and parts[2] in self.objects:
            obj = self.objects[parts[2]]
            if method == "post":
                for key in ("cancel_at_period_end",):
                    if key in form:
                        obj[key] = form[key] == "true"
            return self._reply(obj)
        if method == "get" and parsed.path == "/v1/invoices":
            customer = parse_qs(parsed.query).get("customer", [""])[0]
            if customer in self.invoices_by_customer:
                data = [self.objects[i] for i in self.invoices_by_customer[customer]]
                return self._reply(
                    {"object": "list", "data": data, "has_more": False, "url": "/v1/invoices"}
                )
        return super().request(method, url, headers, post_data, **kwargs)

    @staticmethod
    def _reply(body: dict[str, Any]) -> tuple[str, int, dict[str, str]]:
        return json.dumps(body), 200, {"request-id": "req_stub"}

    def _create_invoiced_subscription(self, form: dict[str, str]) -> dict[str, Any]:
        now = int(time.time())
        subscription_id = _stripe_id("sub")
        days = int(form.get("days_until_due", "30"))
        period_end = now + 365 * 86400
        subscription = {
            "id": subscription_id,
            "object": "subscription",
            "customer": form["customer"],
            "status": "active",
            "collection_method": "send_invoice",
            "days_until_due": days,
            "cancel_at_period_end": False,
            "created": now,
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": _stripe_id("si"),
                        "object": "subscription_item",
                        "plan": {"id": form.get("items[0][plan]", "")},
                        "current_period_start": now,
                        "current_period_end": period_end,
                    }
                ],
            },
            "metadata": {},
        }
        self.objects[subscription_id] = subscription
        self.add_invoice(
            customer=form["customer"],
            subscription=subscription_id,
            amount=0,
            status="open",
            due_date=now + days * 86400,
            attempted=False,
        )
        return subscription


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
