"""Fixtures for billing tests: localstripe for the session, the stub, webhook posting, ops."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_ops_staff
from billing import gateway, services
from billing.models import BillingAccount, BillingNotice, Invoice, StripeEvent
from tenants.models import AuditEntry, Collectivite
from tests.stripe_support import (
    StripeStub,
    confirm_setup_as_stripe_js,
    signed_event,
    start_localstripe,
)

WEBHOOK_SECRET = "whsec_test_placette"
OPS_EMAIL = "ops@placette.example"


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


def deliver_webhook(event_type: str, data_object: dict[str, Any], **kwargs: Any) -> Any:
    """Post a signed Stripe event to the endpoint, as Stripe does."""
    payload, signature = signed_event(event_type, data_object, WEBHOOK_SECRET, **kwargs)
    client = Client(HTTP_HOST=django_settings.ROOT_DOMAIN)
    return client.post(
        "/billing/stripe/webhook/",
        payload,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )


@pytest.fixture
def post_webhook(db: None) -> Callable[..., Any]:
    """`post_webhook("invoice.paid", {"id": ...})` delivers a signed event to the endpoint."""
    return deliver_webhook


@pytest.fixture
def account_a(town_a: Any) -> BillingAccount:
    return BillingAccount.objects.get(collectivite=town_a)


@pytest.fixture
def account_b(town_b: Any) -> BillingAccount:
    return BillingAccount.objects.get(collectivite=town_b)


@pytest.fixture
def trial_over(account_a: BillingAccount) -> BillingAccount:
    """Town A's free trial ended yesterday, unpaid, and the daily run has been: read only. A
    subscription taken now is paid at once (during the trial, the first payment waits for
    its end: tests/integration/test_billing_trial_subscription.py)."""
    BillingAccount.objects.filter(pk=account_a.pk).update(
        trial_ends_at=timezone.now() - timedelta(days=1)
    )
    services.run_daily()
    account_a.refresh_from_db()
    assert account_a.status == BillingAccount.Status.READ_ONLY
    return account_a


@pytest.fixture
def ops_staff(db: None) -> User:
    """A Placette staff member (public schema), who runs the ops commands with --by."""
    with schema_context("public"):
        return create_ops_staff(
            email=OPS_EMAIL, display_name="Équipe Placette", password=TEST_PASSWORD
        )


@pytest.fixture
def paying_a(client_for, town_a, admin_a, trial_over, stripe_stub: StripeStub) -> BillingAccount:
    """Town A pays monthly by card, on localstripe (its trial over: charged at once)."""
    return subscribe_by_card(client_for(town_a, admin_a))


def subscribe_by_card(client: Client) -> BillingAccount:
    """Town A's admin subscribes monthly by card, as Stripe.js would confirm it."""
    page = "/administration/abonnement/"
    response = client.post(
        page + "souscrire/", {"period": "monthly", "method": "card", "token": "t"}
    )
    secret = re.search(r'data-client-secret="([^"]+)"', response.content.decode())
    assert secret
    intent = confirm_setup_as_stripe_js(secret.group(1))
    client.post(page + "confirmer/", {"setup_intent": intent, "token": "t"})
    account = BillingAccount.objects.get(collectivite__slug="town-a")
    assert account.status == BillingAccount.Status.ACTIVE
    return account


def billed(account: BillingAccount, stub: StripeStub, **fields: Any) -> BillingAccount:
    """The account paying by card for a live subscription (kept by the stub), active."""
    customer = f"cus_{account.collectivite.slug.replace('-', '_')}"
    subscription = stub.add_subscription(customer=customer)
    period_end = subscription["items"]["data"][0]["current_period_end"]
    BillingAccount.objects.filter(pk=account.pk).update(
        current_period_end=datetime.fromtimestamp(period_end, tz=UTC),
        status=BillingAccount.Status.ACTIVE,
        stripe_customer_id=customer,
        stripe_subscription_id=subscription["id"],
        period="monthly",
        payment_method="card",
        **fields,
    )
    account.refresh_from_db()
    return account


def forget_committed_billing(account: BillingAccount) -> None:
    """After a test that committed (threads, browser): town A's billing as the session made it."""
    StripeEvent.objects.all().delete()
    BillingNotice.objects.filter(account=account).delete()
    Invoice.objects.filter(account=account).delete()
    AuditEntry.objects.filter(collectivite_id=account.collectivite_id).delete()
    BillingAccount.objects.filter(pk=account.pk).update(
        status=BillingAccount.Status.TRIALING,
        stripe_customer_id="",
        stripe_subscription_id="",
        period="",
        payment_method="",
        overdue_since=None,
        cancel_at_period_end=False,
        current_period_end=None,
        billing_email="",
    )
    town = Collectivite.objects.get(pk=account.collectivite_id)
    town.site_access = Collectivite.Access.FULL
    town.save(update_fields=["site_access"])  # and the host cache forgets the old one


@pytest.fixture
def broker_down(settings: Any) -> Iterator[None]:
    """Celery sends to a real Redis address where nothing listens: every `.delay()` fails."""
    from config.celery import app
    from tests.stripe_support import free_port

    saved = app.conf.broker_url, app.conf.task_always_eager

    def reset_pools() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    app.conf.broker_url = f"redis://127.0.0.1:{free_port()}/0"
    app.conf.task_always_eager = False
    reset_pools()
    try:
        yield
    finally:
        app.conf.broker_url, app.conf.task_always_eager = saved
        reset_pools()
