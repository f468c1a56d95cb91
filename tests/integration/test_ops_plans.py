"""Plans and prices in the console: an edit makes a new Stripe plan for new subscriptions only;
running ones move only by the explicit action, which reports and retries Stripe's failures."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from billing import gateway
from billing.models import BillingAccount, Plan
from tenants.models import AuditEntry
from tests.stripe_support import StripeStub, confirm_setup_as_stripe_js

pytestmark = pytest.mark.django_db
BILLING = "/administration/abonnement/"


def _subscribe_by_card(client: Client, slug: str) -> BillingAccount:
    response = client.post(
        BILLING + "souscrire/", {"period": "monthly", "method": "card", "token": "t"}
    )
    secret = re.search(r'data-client-secret="([^"]+)"', response.content.decode())
    assert secret
    intent = confirm_setup_as_stripe_js(secret.group(1))
    client.post(BILLING + "confirmer/", {"setup_intent": intent, "token": "t"})
    account = BillingAccount.objects.get(collectivite__slug=slug)
    assert account.stripe_subscription_id
    return account


def _stripe_plan_of(account: BillingAccount) -> str:
    subscription = gateway.retrieve_subscription(account.stripe_subscription_id)
    return str(subscription["items"]["data"][0]["plan"]["id"])


@pytest.fixture
def paying_a(client_for, town_a, admin_a, trial_over, stripe_stub: StripeStub) -> BillingAccount:
    return _subscribe_by_card(client_for(town_a, admin_a), "town-a")


def _form(plan: Plan, **changes: Any) -> dict[str, Any]:
    data = {
        "name": plan.name,
        "min_population": plan.min_population,
        "max_population": "" if plan.max_population is None else plan.max_population,
        "monthly_price": f"{plan.monthly_price_cents / 100:.2f}",
        "yearly_price": f"{plan.yearly_price_cents / 100:.2f}",
        "is_active": "on" if plan.is_active else "",
        "reason": "Nouvelle grille tarifaire",
    }
    return {**data, **changes}


def _edit(console: Client, plan: Plan, **changes: Any) -> Any:
    return console.post(
        f"/ops/plans/{plan.pk}/modifier/", {**_form(plan, **changes), "confirmed": "1"}
    )


def _move(console: Client, plan: Plan) -> Any:
    return console.post(
        f"/ops/plans/{plan.pk}/abonnements/", {"reason": "Alignement", "confirmed": "1"}
    )


def test_the_list_shows_every_plan(console) -> None:
    page = console.get("/ops/plans/").content.decode()
    for plan in Plan.objects.all():
        assert f'data-plan="{plan.code}"' in page


def test_the_edit_asks_for_confirmation_first(console) -> None:
    plan = Plan.objects.first()
    assert plan is not None
    response = console.post(f"/ops/plans/{plan.pk}/modifier/", _form(plan, name="Bourg"))
    assert response.status_code == 200
    assert 'name="confirmed"' in response.content.decode()
    plan.refresh_from_db()
    assert plan.name != "Bourg"


def test_a_name_change_writes_one_audit_entry(console) -> None:
    plan = Plan.objects.first()
    assert plan is not None
    assert _edit(console, plan, name="Bourg").status_code == 302
    plan.refresh_from_db()
    assert plan.name == "Bourg"
    assert AuditEntry.objects.filter(action="plan.update", target_id=str(plan.pk)).count() == 1


def test_a_negative_price_is_refused_and_nothing_changed(console) -> None:
    plan = Plan.objects.first()
    assert plan is not None
    response = _edit(console, plan, monthly_price="-5")
    assert response.status_code == 400
    assert Plan.objects.get(pk=plan.pk).monthly_price_cents == plan.monthly_price_cents
    assert not AuditEntry.objects.filter(action="plan.update").exists()


def test_overlapping_bounds_are_refused_and_nothing_changed(console) -> None:
    first, second = list(Plan.objects.filter(is_active=True).order_by("min_population")[:2])
    response = _edit(console, first, max_population=second.min_population + 1)
    assert response.status_code == 400
    assert Plan.objects.get(pk=first.pk).max_population == first.max_population


def test_bounds_upside_down_are_refused(console) -> None:
    plan = Plan.objects.filter(max_population__isnull=False).first()
    assert plan is not None
    response = _edit(console, plan, max_population=plan.min_population)
    assert response.status_code == 400


def test_a_new_price_is_a_new_stripe_plan_for_new_subscriptions_only(console, paying_a) -> None:
    plan = paying_a.plan
    assert plan is not None
    old_stripe_plan = _stripe_plan_of(paying_a)
    _edit(console, plan, monthly_price="123.00")
    plan.refresh_from_db()
    assert plan.monthly_price_cents == 12300
    assert plan.stripe_monthly_plan_id != old_stripe_plan
    assert gateway.client().v1.plans.retrieve(plan.stripe_monthly_plan_id).amount == 12300
    assert _stripe_plan_of(paying_a) == old_stripe_plan


def test_stripe_down_refuses_the_new_price_and_changes_nothing(
    console, paying_a, stripe_stub: StripeStub
) -> None:
    plan = paying_a.plan
    assert plan is not None
    stripe_stub.fail_next("post", "/v1/plans")
    response = _edit(console, plan, monthly_price="123.00")
    assert response.status_code == 400
    assert Plan.objects.get(pk=plan.pk).monthly_price_cents == plan.monthly_price_cents


def test_moving_puts_running_subscriptions_on_the_current_price(console, paying_a) -> None:
    plan = paying_a.plan
    assert plan is not None
    _edit(console, plan, monthly_price="123.00")
    plan.refresh_from_db()
    assert _move(console, plan).status_code == 302
    assert _stripe_plan_of(paying_a) == plan.stripe_monthly_plan_id
    entry = AuditEntry.objects.get(action="plan.move_subscriptions")
    assert entry.after["moved"] == ["town-a"]


def test_a_failed_move_is_reported_then_retried(console, paying_a, stripe_stub: StripeStub) -> None:
    plan = paying_a.plan
    assert plan is not None
    _edit(console, plan, monthly_price="123.00")
    plan.refresh_from_db()
    stripe_stub.fail_next("get", f"/v1/subscriptions/{paying_a.stripe_subscription_id}")
    response = _move(console, plan)
    assert response.status_code == 400
    assert "town-a" in response.content.decode()
    assert AuditEntry.objects.get(action="plan.move_subscriptions").after["failed"] == ["town-a"]
    assert _move(console, plan).status_code == 302
    assert _stripe_plan_of(paying_a) == plan.stripe_monthly_plan_id
