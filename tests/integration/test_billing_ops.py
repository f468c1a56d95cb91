"""Offering or suspending a paying town stops Stripe charging it; reinstating resumes it."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import CommandError, call_command

from billing import gateway, services
from billing.models import BillingAccount
from tenants.models import AuditEntry, Collectivite
from tests.billing_fixtures import OPS_EMAIL, billed
from tests.stripe_support import StripeStub

pytestmark = pytest.mark.django_db
Status = BillingAccount.Status


def _stripe_pause(account: BillingAccount) -> Any:
    return gateway.retrieve_subscription(account.stripe_subscription_id)["pause_collection"]


def test_sponsoring_a_paying_town_pauses_its_collection_and_ending_it_resumes(
    paying_a, ops_staff
) -> None:
    assert _stripe_pause(paying_a) is None
    call_command("sponsor", "--tenant", "town-a", "--reason", "Partenariat", "--by", OPS_EMAIL)
    paying_a.refresh_from_db()
    assert paying_a.status == Status.SPONSORED
    assert _stripe_pause(paying_a) == {"behavior": "void", "resumes_at": None}

    call_command("sponsor", "--tenant", "town-a", "--end", "--by", OPS_EMAIL)
    paying_a.refresh_from_db()
    assert _stripe_pause(paying_a) is None
    assert paying_a.status == Status.ACTIVE  # reinstated from its live subscription
    assert paying_a.collectivite.site_access == Collectivite.Access.FULL


def test_suspending_a_paying_town_pauses_its_collection_and_reinstating_resumes(
    paying_a,
) -> None:
    services.suspend(paying_a)
    paying_a.refresh_from_db()
    assert paying_a.status == Status.SUSPENDED
    assert paying_a.collectivite.site_access == Collectivite.Access.ADMINS_ONLY
    assert _stripe_pause(paying_a) == {"behavior": "void", "resumes_at": None}

    services.reinstate(paying_a)
    paying_a.refresh_from_db()
    assert paying_a.status == Status.ACTIVE
    assert _stripe_pause(paying_a) is None


def test_reinstating_follows_the_live_subscription_as_stripe_has_it(
    account_a, stripe_stub: StripeStub
) -> None:
    account = billed(account_a, stripe_stub)
    services.suspend(account)
    stripe_stub.set_status(account.stripe_subscription_id, status="past_due")  # meanwhile
    services.reinstate(account)
    account.refresh_from_db()
    assert account.status == Status.PAST_DUE
    assert stripe_stub.paused[account.stripe_subscription_id] is None


def test_a_second_sponsorship_changes_nothing_on_stripe(paying_a, stripe_stub) -> None:
    services.sponsor(paying_a, reason="Partenariat")
    calls = len(stripe_stub.calls)
    services.sponsor(paying_a, reason="Partenariat")
    assert len(stripe_stub.calls) == calls
    assert AuditEntry.objects.filter(action="billing.sponsor").count() == 1


def test_when_stripe_cannot_pause_nothing_changes(paying_a, stripe_stub, ops_staff) -> None:
    stripe_stub.fail_next("post", f"/v1/subscriptions/{paying_a.stripe_subscription_id}")
    with pytest.raises(CommandError, match="Stripe n’a pas pu arrêter les paiements"):
        call_command("sponsor", "--tenant", "town-a", "--reason", "Crise", "--by", OPS_EMAIL)
    paying_a.refresh_from_db()
    assert paying_a.status == Status.ACTIVE
    assert _stripe_pause(paying_a) is None
    assert not AuditEntry.objects.filter(action="billing.sponsor").exists()


def test_a_town_without_a_subscription_is_sponsored_without_asking_stripe(
    account_a, stripe_stub, ops_staff
) -> None:
    call_command("sponsor", "--tenant", "town-a", "--reason", "Crise", "--by", OPS_EMAIL)
    account_a.refresh_from_db()
    assert account_a.status == Status.SPONSORED
    assert stripe_stub.calls == []


def test_a_canceled_subscription_is_not_paused(account_a, stripe_stub) -> None:
    account = billed(account_a, stripe_stub)
    stripe_stub.set_status(account.stripe_subscription_id, status="canceled")
    services.suspend(account)
    assert account.stripe_subscription_id not in stripe_stub.paused
