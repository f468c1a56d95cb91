"""Every call Placette makes to Stripe, in one place.

It speaks the current Stripe API through the official SDK. Every call that writes carries an
idempotency key, so a retried request never charges or creates twice. Plans are Stripe's
Plan objects (still part of the current API, usable wherever a price is).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

import stripe
from django.conf import settings

# Tests put a fake HTTP client here for the few calls the local fake server lacks.
http_client: stripe.HTTPClient | None = None


def client() -> stripe.StripeClient:
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(
        settings.STRIPE_SECRET_KEY,
        base_addresses=base,  # type: ignore[arg-type]
        http_client=http_client,
        max_network_retries=2,
    )


def idempotency_key(*parts: object) -> str:
    """A stable key for one intended operation (the same parts always give the same key)."""
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()[:48]


def _plain(obj: Any) -> dict[str, Any]:
    """Stripe objects as plain dicts: the rest of billing never depends on SDK classes."""
    return dict(obj.to_dict())


def _options(*parts: object) -> Any:
    return {"idempotency_key": idempotency_key(*parts)}


def create_product(*, code: str, name: str) -> str:
    product = client().v1.products.create(
        {"name": f"Placette — {name}", "metadata": {"placette_plan": code}},
        _options("product", code),
    )
    return product.id


def create_plan(*, product_id: str, code: str, period: str, amount_cents: int) -> str:
    plan = client().v1.plans.create(
        {
            "product": product_id,
            "amount": amount_cents,
            "currency": "eur",
            "interval": "year" if period == "yearly" else "month",
            "nickname": f"{code}-{period}",
        },
        _options("plan", code, period, amount_cents),
    )
    return plan.id


def create_tax_rate(*, percentage: str, country: str) -> str:
    """French VAT, added on top of our prices (they are excl. VAT), shown as TVA on invoices."""
    tax_rate = client().v1.tax_rates.create(
        {
            "display_name": "TVA",
            "description": f"TVA {percentage} %",
            "percentage": float(percentage),
            "inclusive": False,
            "jurisdiction": country,
        },
        _options("tax-rate", country, percentage),
    )
    return tax_rate.id


def create_customer(*, account_id: int, name: str, email: str, metadata: dict[str, str]) -> str:
    customer = client().v1.customers.create(
        {"name": name, "email": email, "metadata": metadata},
        _options("customer", account_id),
    )
    return customer.id


def update_customer(customer_id: str, params: Any, *key_parts: object) -> None:
    client().v1.customers.update(customer_id, params, _options("customer-update", *key_parts))


def create_setup_intent(*, customer_id: str, method: str, token: str) -> Any:
    params: Any = {
        "customer": customer_id,
        "payment_method_types": [method],
        "usage": "off_session",
    }
    return client().v1.setup_intents.create(
        params,
        _options("setup-intent", customer_id, method, token),
    )


def retrieve_setup_intent(setup_intent_id: str) -> dict[str, Any]:
    return _plain(client().v1.setup_intents.retrieve(setup_intent_id))


def create_subscription(
    *,
    customer_id: str,
    stripe_plan_id: str,
    tax_rate_id: str,
    send_invoice: bool,
    metadata: dict[str, str],
    token: str,
    trial_end: datetime | None = None,
) -> dict[str, Any]:
    """A subscription; with `trial_end`, Stripe charges (or invoices) nothing before then."""
    params: Any = {
        "customer": customer_id,
        "items": [{"plan": stripe_plan_id}],
        "default_tax_rates": [tax_rate_id],
        "metadata": metadata,
    }
    if trial_end is not None:
        params["trial_end"] = int(trial_end.timestamp())
    if send_invoice:
        # Public buyers pay by administrative mandate: an invoice with 30 days to pay.
        params.update(collection_method="send_invoice", days_until_due=30)
    return _plain(
        client().v1.subscriptions.create(
            params, _options("subscription", customer_id, stripe_plan_id, token)
        )
    )


def retrieve_subscription(subscription_id: str) -> dict[str, Any]:
    return _plain(client().v1.subscriptions.retrieve(subscription_id))


def update_subscription(subscription_id: str, params: Any, token: str) -> dict[str, Any]:
    return _plain(
        client().v1.subscriptions.update(
            subscription_id, params, _options("subscription-update", subscription_id, token)
        )
    )


def pause_collection(subscription_id: str, token: str) -> dict[str, Any]:
    """Stop charging while we offer the service or suspend it: invoices made meanwhile are void."""
    return update_subscription(
        subscription_id, {"pause_collection": {"behavior": "void"}}, f"pause-{token}"
    )


def resume_collection(subscription_id: str, token: str) -> dict[str, Any]:
    return update_subscription(subscription_id, {"pause_collection": ""}, f"resume-{token}")


def retrieve_invoice(invoice_id: str) -> dict[str, Any]:
    return _plain(client().v1.invoices.retrieve(invoice_id))


def list_invoices(customer_id: str) -> list[dict[str, Any]]:
    invoices = client().v1.invoices.list({"customer": customer_id, "limit": 100})
    return [_plain(invoice) for invoice in invoices.data]


def verify_event(payload: bytes, signature: str) -> Any:
    """The event, if `signature` is Stripe's for this exact body; raises otherwise."""
    return stripe.Webhook.construct_event(payload, signature, settings.STRIPE_WEBHOOK_SECRET)
