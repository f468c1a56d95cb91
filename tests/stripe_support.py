"""Stripe for the tests: the localstripe server, a stub for what it lacks, signed webhooks.

Which is which:
- localstripe (a real, stateful fake Stripe server on loopback) answers customers, products,
  plans, tax rates, setup intents, card subscriptions (with their default tax rates) and their
  invoices, exactly as the SDK calls them.
- `StripeStub`, at the SDK's HTTP client boundary, answers what localstripe lacks, with payloads
  following Stripe's documented objects (made in tests/stripe_objects.py); every other request
  goes on to localstripe untouched:
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
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlparse

import stripe

from tests.stripe_objects import StripeObjects, stripe_id


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


class Gate:
    """Holds one scripted call until the test lets it go (to order concurrent work)."""

    def __init__(self, method: str, path_prefix: str) -> None:
        self.method, self.path_prefix = method, path_prefix
        self.reached = threading.Event()
        self.release = threading.Event()


class StripeStub(StripeObjects, stripe.RequestsClient):
    """Answers the calls localstripe lacks, forwards the rest to it."""

    def __init__(self) -> None:
        super().__init__()
        self.paused: dict[str, dict[str, Any] | None] = {}  # subscription id -> pause_collection
        # (method, path prefix, times left, HTTP status, Stripe's error object)
        self.failures: list[tuple[str, str, int, int, dict[str, Any]]] = []
        self.calls: list[tuple[str, str, dict[str, str]]] = []  # every call, as sent
        self.gates: list[Gate] = []

    # -- scripting helpers for tests --------------------------------------------------------
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
            "id": event_id or stripe_id("evt"),
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
