"""Every billing write locks and re-reads the account, saves what it changed, and is audited."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from billing import services
from billing.models import BillingAccount
from tenants.models import AuditEntry
from tests.billing_fixtures import OPS_EMAIL, billed
from tests.stripe_support import StripeStub

pytestmark = pytest.mark.django_db
Status = BillingAccount.Status
PAGE = "/administration/abonnement/"


@pytest.fixture
def paying_a(account_a: BillingAccount, stripe_stub: StripeStub) -> BillingAccount:
    return billed(account_a, stripe_stub, billing_email="finances@town-a.example")


def _payment_fails(account: BillingAccount, stub: StripeStub, post_webhook: Any, capture: Any):
    invoice = stub.add_invoice(
        customer=account.stripe_customer_id,
        subscription=account.stripe_subscription_id,
        amount=2900,
        status="open",
    )
    with capture(execute=True):
        assert post_webhook("invoice.payment_failed", invoice).status_code == 200


WRITES: dict[str, Callable[[BillingAccount], Any]] = {
    "cancel": lambda a: services.set_cancel_at_period_end(a, cancel=True, token="t-cancel"),
    "period change": lambda a: services.change_period(a, period="yearly", token="t-period"),
    "buyer details": lambda a: services.save_buyer_details(a, siret="21380152100017"),
    "sponsor": lambda a: services.sponsor(a, reason="Partenariat"),
    "suspend": lambda a: services.suspend(a),
}


@pytest.mark.parametrize("write", WRITES.values(), ids=WRITES.keys())
def test_a_write_from_a_stale_instance_keeps_a_payment_failure_that_came_meanwhile(
    write, paying_a, stripe_stub, post_webhook, django_capture_on_commit_callbacks
) -> None:
    stale = BillingAccount.objects.get(pk=paying_a.pk)  # as a view loaded it
    _payment_fails(paying_a, stripe_stub, post_webhook, django_capture_on_commit_callbacks)
    overdue_since = BillingAccount.objects.get(pk=paying_a.pk).overdue_since
    assert overdue_since is not None

    write(stale)
    account = BillingAccount.objects.get(pk=paying_a.pk)
    assert account.overdue_since == overdue_since
    assert account.status in (Status.PAST_DUE, Status.SPONSORED, Status.SUSPENDED)


def test_an_admin_cancelling_is_audited_with_the_admin_and_the_change(
    client_for, town_a, admin_a, paying_a
) -> None:
    client = client_for(town_a, admin_a)
    assert client.post(PAGE + "resilier/", {"token": "t-1"}).status_code == 302
    entry = AuditEntry.objects.get(action="billing.cancel")
    assert entry.collectivite_id == town_a.pk
    assert (entry.actor_schema, entry.actor_id) == (town_a.schema_name, admin_a.pk)
    assert (entry.target_type, entry.target_id) == ("billing.billingaccount", str(paying_a.pk))
    assert (entry.before, entry.after) == (
        {"cancel_at_period_end": False},
        {"cancel_at_period_end": True},
    )

    assert client.post(PAGE + "reprendre/", {"token": "t-2"}).status_code == 302
    resumed = AuditEntry.objects.get(action="billing.resume")
    assert resumed.after == {"cancel_at_period_end": False}


def test_a_write_that_changes_nothing_writes_nothing_and_asks_stripe_nothing(
    paying_a, stripe_stub
) -> None:
    services.set_cancel_at_period_end(paying_a, cancel=True, token="t-1")
    calls = len(stripe_stub.calls)
    services.set_cancel_at_period_end(paying_a, cancel=True, token="t-2")
    assert len(stripe_stub.calls) == calls
    assert AuditEntry.objects.filter(action="billing.cancel").count() == 1

    services.save_buyer_details(paying_a, billing_email=" finances@town-a.example ")
    assert not AuditEntry.objects.filter(action="billing.buyer_details").exists()


def test_buyer_details_are_audited_with_the_values_before_and_after(
    client_for, town_a, admin_a, account_a, stripe_stub
) -> None:
    client_for(town_a, admin_a).post(
        PAGE + "souscrire/",
        {"period": "yearly", "method": "card", "token": "t-1", "siret": "21380152100017"},
    )
    entry = AuditEntry.objects.get(action="billing.buyer_details")
    assert entry.actor_id == admin_a.pk
    assert (entry.before, entry.after) == ({"siret": ""}, {"siret": "21380152100017"})


def test_ops_commands_record_the_staff_member_and_the_reason(account_a, ops_staff) -> None:
    slug = account_a.collectivite.slug
    call_command("extend_trial", "--tenant", slug, "--days", "10", "--by", OPS_EMAIL)
    call_command("sponsor", "--tenant", slug, "--reason", "Crise", "--by", OPS_EMAIL)
    call_command("sponsor", "--tenant", slug, "--end", "--by", OPS_EMAIL)
    entries = AuditEntry.objects.filter(collectivite=account_a.collectivite).order_by("pk")
    assert [e.action for e in entries] == [
        "billing.trial_extended",
        "billing.sponsor",
        "billing.reinstate",
    ]
    assert {(e.actor_schema, e.actor_id) for e in entries} == {("public", ops_staff.pk)}
    assert entries[1].reason == "Crise"
    assert entries[1].after == {"status": "sponsored", "sponsored_reason": "Crise"}
    assert entries[2].after == {"status": "trialing", "sponsored_reason": ""}


def test_an_ops_command_names_a_staff_member_who_exists(account_a, admin_a) -> None:
    with pytest.raises(CommandError, match="No active Placette staff member"):
        call_command(
            "sponsor",
            "--tenant",
            account_a.collectivite.slug,
            "--reason",
            "x",
            "--by",
            admin_a.email,
        )
    account_a.refresh_from_db()
    assert account_a.status == Status.TRIALING
    assert not AuditEntry.objects.filter(action__startswith="billing.").exists()


def test_changes_from_stripe_and_the_daily_run_are_audited_without_an_actor(
    paying_a, account_b, stripe_stub, post_webhook, time_machine, django_capture_on_commit_callbacks
) -> None:
    _payment_fails(paying_a, stripe_stub, post_webhook, django_capture_on_commit_callbacks)
    entry = AuditEntry.objects.get(action="billing.stripe_invoice")
    assert (entry.actor_schema, entry.actor_id, entry.actor_label) == ("", None, "")
    assert entry.before["status"] == "active" and entry.after["status"] == "past_due"
    assert entry.after["overdue_since"] is not None

    assert account_b.trial_ends_at is not None
    time_machine.move_to(account_b.trial_ends_at)
    services.run_daily()
    ended = AuditEntry.objects.get(action="billing.trial_ended")
    assert ended.collectivite_id == account_b.collectivite_id
    assert ended.actor_id is None
    assert (ended.before, ended.after) == ({"status": "trialing"}, {"status": "read_only"})


def test_a_write_rolled_back_leaves_no_audit_entry(paying_a, stripe_stub) -> None:
    stripe_stub.fail_next("post", f"/v1/subscriptions/{paying_a.stripe_subscription_id}")
    with pytest.raises(services.BillingError):
        services.set_cancel_at_period_end(paying_a, cancel=True, token="t-1")
    paying_a.refresh_from_db()
    assert paying_a.cancel_at_period_end is False
    assert not AuditEntry.objects.filter(action="billing.cancel").exists()
