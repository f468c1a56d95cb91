"""Fixtures for billing tests: localstripe for the session, the stub, webhook posting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client

from billing import gateway
from billing.models import BillingAccount
from tests.stripe_support import StripeStub, signed_event, start_localstripe

WEBHOOK_SECRET = "whsec_test_placette"


@pytest.fixture(scope="session")
def localstripe_url() -> Iterator[str]:
    process, base = start_localstripe()
    yield base
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def stripe_stub(localstripe_url: str, settings: Any) -> Iterator[StripeStub]:
    """Billing talks to localstripe, through the stub for what localstripe lacks."""
    settings.STRIPE_API_BASE = localstripe_url
    settings.STRIPE_SECRET_KEY = "sk_test_placette"
    settings.STRIPE_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.STRIPE_JS_URL = f"{localstripe_url}/js.stripe.com/v3/"
    stub = StripeStub()
    gateway.http_client = stub
    yield stub
    gateway.http_client = None


@pytest.fixture
def post_webhook(db: None) -> Callable[..., Any]:
    """`post_webhook("invoice.paid", {"id": ...})` delivers a signed event to the endpoint."""

    def post(event_type: str, data_object: dict[str, Any], **kwargs: Any) -> Any:
        payload, signature = signed_event(event_type, data_object, WEBHOOK_SECRET, **kwargs)
        client = Client(HTTP_HOST=django_settings.ROOT_DOMAIN)
        return client.post(
            "/billing/stripe/webhook/",
            payload,
            content_type="application/json",
            HTTP_STRIPE_SIGNATURE=signature,
        )

    return post


@pytest.fixture
def account_a(town_a: Any) -> BillingAccount:
    return BillingAccount.objects.get(collectivite=town_a)


@pytest.fixture
def account_b(town_b: Any) -> BillingAccount:
    return BillingAccount.objects.get(collectivite=town_b)
