"""10 concurrent deliveries of one event produce exactly one effect.

The deliveries run in threads with their own database connections, so what they share must be
committed: this test commits its setup and removes it afterwards (no test transaction here).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.db import connections
from django.test import Client

from billing.models import BillingAccount, BillingNotice, StripeEvent
from tests.billing_fixtures import WEBHOOK_SECRET, forget_committed_billing
from tests.conftest import TOWNS
from tests.stripe_support import StripeStub, signed_event

DELIVERIES = 10


@pytest.fixture
def committed_billed_town_a(django_db_setup: None, django_db_blocker: Any) -> Iterator[Any]:
    with django_db_blocker.unblock():
        account = BillingAccount.objects.get(collectivite__slug=TOWNS["a"]["slug"])
        account.billing_email = "finances@town-a.example"  # the email goes there
        account.status = BillingAccount.Status.ACTIVE
        account.stripe_customer_id = "cus_concurrent"
        account.stripe_subscription_id = "sub_concurrent"
        account.save()
        try:
            yield account
        finally:
            forget_committed_billing(account)


def test_ten_concurrent_deliveries_have_exactly_one_effect(
    stripe_stub: StripeStub, committed_billed_town_a: BillingAccount, django_db_blocker: Any
) -> None:
    invoice = stripe_stub.add_invoice(
        customer="cus_concurrent", subscription="sub_concurrent", amount=2900, status="open"
    )
    payload, signature = signed_event(
        "invoice.payment_failed", invoice, WEBHOOK_SECRET, event_id="evt_concurrent"
    )
    start = threading.Barrier(DELIVERIES)
    statuses: list[int] = []
    mail.outbox.clear()

    def deliver() -> None:
        try:
            start.wait(timeout=10)
            client = Client(HTTP_HOST=settings.ROOT_DOMAIN)
            response = client.post(
                "/billing/stripe/webhook/",
                payload,
                content_type="application/json",
                HTTP_STRIPE_SIGNATURE=signature,
            )
            statuses.append(response.status_code)
        finally:
            connections.close_all()

    with django_db_blocker.unblock():
        threads = [threading.Thread(target=deliver) for _ in range(DELIVERIES)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert statuses == [200] * DELIVERIES
        assert StripeEvent.objects.filter(event_id="evt_concurrent").count() == 1
        assert StripeEvent.objects.get(event_id="evt_concurrent").processed_at is not None
        assert BillingNotice.objects.filter(account=committed_billed_town_a).count() == 1
        assert [message.to for message in mail.outbox] == [["finances@town-a.example"]]
        committed_billed_town_a.refresh_from_db()
        assert committed_billed_town_a.status == BillingAccount.Status.PAST_DUE
