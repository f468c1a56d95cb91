"""The console's billing actions: each needs a reason and a confirmation, writes one audit entry,
refuses bad input with nothing changed, and keeps Stripe in line where a subscription lives."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone, translation
from django.utils.translation import gettext

from accounts.models import User
from billing import gateway, services
from billing.models import BillingAccount, Plan
from tenants.models import AuditEntry, Collectivite
from tests.billing_fixtures import OPS_EMAIL as OPS
from tests.billing_fixtures import billed
from tests.helpers import body
from tests.stripe_support import StripeStub

pytestmark = pytest.mark.django_db
Status = BillingAccount.Status


def url(town: Collectivite, part: str) -> str:
    return f"/ops/collectivites/{town.pk}/{part}/"


def confirm(client: Client, town: Collectivite, part: str, **data: Any) -> Any:
    return client.post(
        url(town, part), {"reason": "Demande de la mairie", **data, "confirmed": "1"}
    )


def entries(town: Collectivite, action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(collectivite=town, action=action))


def reload(account: BillingAccount) -> BillingAccount:
    account.refresh_from_db()
    return account


def in_days(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def other_plan(account: BillingAccount) -> Plan:
    plans = Plan.objects.filter(is_active=True).exclude(pk=account.plan.pk if account.plan else 0)
    return plans.earliest("pk")


@pytest.mark.parametrize(
    "part", ["essai", "formule", "paiement", "offrir", "suspendre", "reactiver"]
)
def test_each_action_shows_its_form(console: Client, town_a, part: str) -> None:
    response = console.get(url(town_a, part))
    assert response.status_code == 200
    assert 'name="reason"' in body(response)


# -- the trial --------------------------------------------------------------------------------
def test_extending_the_trial_by_days_moves_its_end(console: Client, account_a) -> None:
    before = account_a.trial_ends_at
    response = confirm(console, account_a.collectivite, "essai", days="10")
    assert response.status_code == 302
    assert reload(account_a).trial_ends_at == before + timedelta(days=10)


def test_extending_the_trial_to_a_date_ends_it_after_that_day(console: Client, account_a) -> None:
    day = timezone.localdate(account_a.trial_ends_at) + timedelta(days=30)
    confirm(console, account_a.collectivite, "essai", until=day.isoformat())
    end = timezone.localtime(reload(account_a).trial_ends_at)
    assert end.date() == day + timedelta(days=1) and end.hour == 0


def test_the_extension_writes_one_entry_with_before_after_reason_and_actor(
    console: Client, account_a, console_staff: User
) -> None:
    before = account_a.trial_ends_at
    confirm(console, account_a.collectivite, "essai", days="5")
    after = reload(account_a).trial_ends_at
    assert before is not None and after is not None
    [entry] = entries(account_a.collectivite, "billing.trial_extended")
    assert entry.before == {"trial_ends_at": before.isoformat()}
    assert entry.after == {"trial_ends_at": after.isoformat()}
    assert entry.reason == "Demande de la mairie"
    assert (entry.actor_schema, entry.actor_id) == ("public", console_staff.pk)


@pytest.mark.parametrize("days_ago", [0, 3])
def test_a_trial_end_today_or_in_the_past_is_refused(
    console: Client, account_a, days_ago: int
) -> None:
    before = account_a.trial_ends_at
    day = timezone.localdate() - timedelta(days=days_ago)
    response = confirm(console, account_a.collectivite, "essai", until=day.isoformat())
    assert response.status_code == 400
    with translation.override("fr"):
        assert gettext("Choose a date after today.") in body(response)
    assert reload(account_a).trial_ends_at == before
    assert not entries(account_a.collectivite, "billing.trial_extended")


def test_days_and_a_date_together_are_refused(console: Client, account_a) -> None:
    response = confirm(
        console, account_a.collectivite, "essai", days="3", until=in_days(9).isoformat()
    )
    assert response.status_code == 400
    assert not entries(account_a.collectivite, "billing.trial_extended")


def test_an_empty_reason_is_refused_and_what_was_typed_is_kept(console: Client, account_a) -> None:
    before = account_a.trial_ends_at
    response = console.post(
        url(account_a.collectivite, "essai"), {"days": "17", "reason": "  ", "confirmed": "1"}
    )
    assert response.status_code == 400
    assert 'value="17"' in body(response)
    assert reload(account_a).trial_ends_at == before
    assert not AuditEntry.objects.filter(collectivite=account_a.collectivite).exists()


def test_without_confirmation_nothing_changes(console: Client, account_a) -> None:
    before = account_a.trial_ends_at
    response = console.post(
        url(account_a.collectivite, "essai"), {"days": "10", "reason": "Demande"}
    )
    assert response.status_code == 200
    assert 'name="confirmed" value="1"' in body(response)
    assert reload(account_a).trial_ends_at == before
    assert not AuditEntry.objects.filter(collectivite=account_a.collectivite).exists()


def test_a_subscribed_towns_trial_is_not_extended(
    console: Client, account_a, stripe_stub: StripeStub
) -> None:
    account = billed(account_a, stripe_stub)
    response = confirm(console, account.collectivite, "essai", days="10")
    assert response.status_code == 400
    assert reload(account).trial_ends_at == account_a.trial_ends_at
    assert not entries(account.collectivite, "billing.trial_extended")


# -- the plan ---------------------------------------------------------------------------------
def test_changing_the_plan_without_a_subscription_changes_only_the_account(
    console: Client, account_a, stripe_stub: StripeStub
) -> None:
    plan = other_plan(account_a)
    confirm(console, account_a.collectivite, "formule", plan=str(plan.pk))
    assert reload(account_a).plan_id == plan.pk
    assert stripe_stub.calls == []
    [entry] = entries(account_a.collectivite, "billing.plan_change")
    assert entry.after == {"plan_id": plan.pk}


def test_changing_the_plan_of_a_live_subscription_changes_its_price_on_stripe(
    console: Client, paying_a: BillingAccount
) -> None:
    plan = other_plan(paying_a)
    response = confirm(console, paying_a.collectivite, "formule", plan=str(plan.pk))
    assert response.status_code == 302
    account = reload(paying_a)
    assert account.plan_id == plan.pk
    subscription = gateway.retrieve_subscription(account.stripe_subscription_id)
    stripe_plan = subscription["items"]["data"][0]["plan"]
    assert stripe_plan["id"] == Plan.objects.get(pk=plan.pk).stripe_monthly_plan_id
    assert stripe_plan["amount"] == plan.monthly_price_cents
    assert len(entries(account.collectivite, "billing.plan_change")) == 1


def test_when_stripe_refuses_the_plan_change_nothing_changes(
    console: Client, paying_a: BillingAccount, stripe_stub: StripeStub
) -> None:
    plan_before = paying_a.plan_id
    stripe_stub.fail_next("post", f"/v1/subscriptions/{paying_a.stripe_subscription_id}")
    response = confirm(console, paying_a.collectivite, "formule", plan=str(other_plan(paying_a).pk))
    assert response.status_code == 400
    assert reload(paying_a).plan_id == plan_before
    assert not entries(paying_a.collectivite, "billing.plan_change")


def test_the_same_plan_is_refused(console: Client, account_a) -> None:
    response = confirm(console, account_a.collectivite, "formule", plan=str(account_a.plan_id))
    assert response.status_code == 400
    assert not entries(account_a.collectivite, "billing.plan_change")


# -- the payment method -----------------------------------------------------------------------
def test_changing_the_payment_method(console: Client, account_a) -> None:
    confirm(console, account_a.collectivite, "paiement", method="invoice")
    assert reload(account_a).payment_method == "invoice"
    [entry] = entries(account_a.collectivite, "billing.payment_method")
    assert entry.before == {"payment_method": ""} and entry.after == {"payment_method": "invoice"}


def test_a_live_subscriptions_payment_method_is_left_to_its_admin(
    console: Client, account_a, stripe_stub: StripeStub
) -> None:
    account = billed(account_a, stripe_stub)
    response = confirm(console, account.collectivite, "paiement", method="invoice")
    assert response.status_code == 400
    assert reload(account).payment_method == "card"


# -- sponsorship ------------------------------------------------------------------------------
def test_sponsoring_until_a_date(console: Client, account_a) -> None:
    day = in_days(30)
    confirm(console, account_a.collectivite, "offrir", until=day.isoformat())
    account = reload(account_a)
    assert (account.status, account.sponsored_until) == (Status.SPONSORED, day)
    [entry] = entries(account.collectivite, "billing.sponsor")
    assert entry.after["sponsored_until"] == day.isoformat()


def test_a_sponsorship_ending_today_is_refused(console: Client, account_a) -> None:
    response = confirm(
        console, account_a.collectivite, "offrir", until=timezone.localdate().isoformat()
    )
    assert response.status_code == 400
    assert reload(account_a).status == Status.TRIALING


def test_sponsoring_a_paying_town_pauses_its_stripe_collection(
    console: Client, paying_a: BillingAccount
) -> None:
    confirm(console, paying_a.collectivite, "offrir", until=in_days(10).isoformat())
    subscription = gateway.retrieve_subscription(paying_a.stripe_subscription_id)
    assert subscription["pause_collection"] == {"behavior": "void", "resumes_at": None}


def test_the_daily_run_ends_an_expired_sponsorship_as_the_system(
    paying_a: BillingAccount,
) -> None:
    services.sponsor(paying_a, reason="Crise", until=in_days(2))
    counts = services.run_daily(timezone.now() + timedelta(days=4))
    account = reload(paying_a)
    assert counts["sponsorships_ended"] == 1
    assert (account.status, account.sponsored_until) == (Status.ACTIVE, None)
    assert gateway.retrieve_subscription(account.stripe_subscription_id)["pause_collection"] is None
    [entry] = entries(account.collectivite, "billing.reinstate")
    assert (entry.actor_schema, entry.actor_id) == ("", None)


def test_the_daily_run_keeps_a_sponsorship_through_its_last_day(account_a) -> None:
    services.sponsor(account_a, reason="Crise", until=in_days(2))
    services.run_daily(timezone.now() + timedelta(days=2))
    assert reload(account_a).status == Status.SPONSORED


# -- suspension and reactivation --------------------------------------------------------------
def test_suspending_shows_the_message_to_the_public(console: Client, account_a, client_for) -> None:
    town = account_a.collectivite
    confirm(console, town, "suspendre", message="Fermé pour travaux <b>urgents</b>")
    assert reload(account_a).status == Status.SUSPENDED
    response = client_for(town).get("/")
    assert response.status_code == 503
    assert "Fermé pour travaux &lt;b&gt;urgents&lt;/b&gt;" in body(response)
    [entry] = entries(town, "billing.suspend")
    assert entry.after["suspension_message"] == "Fermé pour travaux <b>urgents</b>"


def test_a_suspension_without_a_message_is_refused(console: Client, account_a) -> None:
    response = confirm(console, account_a.collectivite, "suspendre", message=" ")
    assert response.status_code == 400
    assert reload(account_a).status == Status.TRIALING


def test_another_town_keeps_its_site_while_one_is_suspended(
    console: Client, account_a, town_b, client_for
) -> None:
    confirm(console, account_a.collectivite, "suspendre", message="Fermé")
    assert client_for(town_b).get("/").status_code == 200


def test_suspending_a_paying_town_pauses_stripe_and_reactivating_resumes(
    console: Client, paying_a: BillingAccount
) -> None:
    town = paying_a.collectivite
    confirm(console, town, "suspendre", message="Fermé")
    subscription_id = paying_a.stripe_subscription_id
    assert gateway.retrieve_subscription(subscription_id)["pause_collection"] is not None
    confirm(console, town, "reactiver")
    assert reload(paying_a).status == Status.ACTIVE
    assert gateway.retrieve_subscription(subscription_id)["pause_collection"] is None
    assert len(entries(town, "billing.reinstate")) == 1


def test_reactivating_opens_the_site_again(console: Client, account_a, client_for) -> None:
    town = account_a.collectivite
    confirm(console, town, "suspendre", message="Fermé")
    confirm(console, town, "reactiver")
    account = reload(account_a)
    assert (account.status, account.suspension_message) == (Status.TRIALING, "")
    assert client_for(town).get("/").status_code == 200


def test_reactivating_a_town_that_is_not_suspended_is_refused(console: Client, account_a) -> None:
    response = confirm(console, account_a.collectivite, "reactiver")
    assert response.status_code == 400
    assert not entries(account_a.collectivite, "billing.reinstate")


def test_a_trial_date_before_its_current_end_is_refused(console: Client, account_a) -> None:
    before = account_a.trial_ends_at
    day = timezone.localdate(before) - timedelta(days=2)
    response = confirm(console, account_a.collectivite, "essai", until=day.isoformat())
    assert response.status_code == 400
    assert reload(account_a).trial_ends_at == before


# -- the management commands, on the same services --------------------------------------------
def test_the_extend_trial_command_takes_a_date(account_a, ops_staff) -> None:
    day = timezone.localdate(account_a.trial_ends_at) + timedelta(days=10)
    call_command("extend_trial", "--tenant", "town-a", "--until", day.isoformat(), "--by", OPS)
    assert timezone.localtime(reload(account_a).trial_ends_at).date() == day + timedelta(days=1)


def test_the_extend_trial_command_refuses_a_past_date(account_a, ops_staff) -> None:
    with pytest.raises(CommandError):
        call_command("extend_trial", "--tenant", "town-a", "--until", "2020-01-01", "--by", OPS)


def test_the_sponsor_command_takes_an_end_date(account_a, ops_staff) -> None:
    day = in_days(15)
    call_command(
        "sponsor",
        "--tenant",
        "town-a",
        "--reason",
        "Crise",
        "--until",
        day.isoformat(),
        "--by",
        OPS,
    )
    assert reload(account_a).sponsored_until == day


ONE_ENTRY_EACH = [
    ("essai", {"days": "3"}, "billing.trial_extended"),
    ("paiement", {"method": "sepa_debit"}, "billing.payment_method"),
    ("offrir", {"until": ""}, "billing.sponsor"),
    ("suspendre", {"message": "Fermé"}, "billing.suspend"),
]


@pytest.mark.parametrize(("part", "data", "action"), ONE_ENTRY_EACH)
def test_each_action_writes_one_entry_with_its_actor_and_reason(
    console: Client, account_a, console_staff: User, part: str, data: dict[str, str], action: str
) -> None:
    town = account_a.collectivite
    confirm(console, town, part, **data)
    [entry] = AuditEntry.objects.filter(collectivite=town)
    assert entry.action == action
    assert (entry.actor_id, entry.reason) == (console_staff.pk, "Demande de la mairie")
    assert entry.before and entry.after
