"""An admin cancels while a payment failure arrives: both effects stay (real threads, commits).

The cancel is held inside its call to Stripe while the failed payment is delivered, the order in
which an unlocked write used to erase `overdue_since`. Setup is committed, then removed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, connections

from billing import services
from billing.models import BillingAccount
from tests.billing_fixtures import billed, deliver_webhook, forget_committed_billing
from tests.conftest import TOWNS
from tests.stripe_support import StripeStub


@pytest.fixture
def committed_paying_a(
    stripe_stub: StripeStub, django_db_setup: None, django_db_blocker: Any
) -> Iterator[BillingAccount]:
    with django_db_blocker.unblock():
        account = BillingAccount.objects.get(collectivite__slug=TOWNS["a"]["slug"])
        try:
            yield billed(account, stripe_stub)
        finally:
            forget_committed_billing(account)


def _sessions_waiting_for_a_lock() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return int(cursor.fetchone()[0])


def _in_thread(target: Any, errors: list[BaseException]) -> threading.Thread:
    def run() -> None:
        try:
            target()
        except BaseException as error:  # reported by the test below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_a_cancel_and_a_payment_failure_at_the_same_time_both_take_effect(
    stripe_stub: StripeStub, committed_paying_a: BillingAccount, django_db_blocker: Any
) -> None:
    account = committed_paying_a
    invoice = stripe_stub.add_invoice(
        customer=account.stripe_customer_id,
        subscription=account.stripe_subscription_id,
        amount=2900,
        status="open",
    )
    gate = stripe_stub.hold("post", f"/v1/subscriptions/{account.stripe_subscription_id}")
    errors: list[BaseException] = []
    with django_db_blocker.unblock():
        loaded = BillingAccount.objects.get(pk=account.pk)  # what the cancel view loaded
        cancel = _in_thread(
            lambda: services.set_cancel_at_period_end(loaded, cancel=True, token="t-race"),
            errors,
        )
        assert gate.reached.wait(timeout=20), "the cancel never reached Stripe"

        statuses: list[int] = []
        failure = _in_thread(
            lambda: statuses.append(deliver_webhook("invoice.payment_failed", invoice).status_code),
            errors,
        )
        deadline = time.monotonic() + 20
        while failure.is_alive() and _sessions_waiting_for_a_lock() == 0:
            assert time.monotonic() < deadline, "the delivery neither ended nor waited"
            time.sleep(0.05)
        gate.release.set()
        cancel.join(timeout=30)
        failure.join(timeout=30)

        assert not errors, errors
        assert statuses == [200]
        account.refresh_from_db()
        assert account.cancel_at_period_end is True
        assert account.overdue_since is not None
        assert account.status == BillingAccount.Status.PAST_DUE
