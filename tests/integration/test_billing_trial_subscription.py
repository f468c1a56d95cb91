"""Subscribing during the free trial: nothing is paid before the trial's end, and the page says so.

The trial on Stripe's side is the StripeStub's (localstripe never reaches `trialing`, see
tests/stripe_support.py); cards, customers, plans and tax rates are localstripe's.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django_tenants.utils import schema_context

from billing import gateway, services
from billing.models import BillingAccount, BillingNotice
from tenants.models import AuditEntry, Collectivite
from tests.stripe_support import StripeStub, confirm_setup_as_stripe_js

pytestmark = pytest.mark.django_db
Status = BillingAccount.Status
PAGE = "/administration/abonnement/"
PARIS = ZoneInfo("Europe/Paris")
TODAY = datetime(2026, 12, 2, 9, 30, tzinfo=PARIS)
TRIAL_END = datetime(2027, 3, 1, 10, 0, tzinfo=PARIS)  # 89 days and a little more
NBSP = "\u00a0"
NOTHING_TODAY_BY_CARD = (
    f"Vous ne payez rien aujourd’hui. Le premier paiement de 34,80{NBSP}€ TTC aura lieu "
    "le 1er mars 2027, à la fin de votre essai gratuit."
)
NOTHING_TODAY_BY_INVOICE = (
    f"Vous ne payez rien aujourd’hui. La première facture, de 348,00{NBSP}€ TTC, sera envoyée "
    "le 1er mars 2027, à la fin de votre essai gratuit."
)


@pytest.fixture
def trial_a(account_a: BillingAccount, time_machine: Any) -> BillingAccount:
    """Town A on the 2nd of December, its free trial ending on the 1st of March."""
    time_machine.move_to(TODAY, tick=False)
    BillingAccount.objects.filter(pk=account_a.pk).update(trial_ends_at=TRIAL_END)
    account_a.refresh_from_db()
    assert account_a.trial_days_left() == 90  # 89 whole days, and part of one
    return account_a


def _run_daily() -> dict[str, int]:
    """The daily run, from the public schema as its Celery task runs (a request of the test
    client leaves the connection on the town's schema)."""
    with schema_context("public"):
        return services.run_daily()


def _reload(account: BillingAccount) -> BillingAccount:
    return BillingAccount.objects.select_related("collectivite", "plan").get(pk=account.pk)


def _payment_page(client: Client, method: str, period: str = "monthly") -> str:
    response = client.post(PAGE + "souscrire/", {"period": period, "method": method, "token": "t"})
    assert response.status_code == 200, response.content.decode()[:2000]
    return response.content.decode()


def _subscribe_by_card(client: Client) -> BillingAccount:
    page = _payment_page(client, "card")
    secret = re.search(r'data-client-secret="([^"]+)"', page)
    assert secret
    intent = confirm_setup_as_stripe_js(secret.group(1))
    response = client.post(PAGE + "confirmer/", {"setup_intent": intent, "token": "t"})
    assert response.status_code == 302
    return BillingAccount.objects.get(collectivite__slug="town-a")


def _subscription_creations(stub: StripeStub) -> list[dict[str, str]]:
    return [
        form for method, path, form in stub.calls if (method, path) == ("post", "/v1/subscriptions")
    ]


def _charges(account: BillingAccount) -> list[Any]:
    return list(gateway.client().v1.charges.list({"customer": account.stripe_customer_id}).data)


def test_the_billing_page_says_nothing_is_paid_today_before_the_button(
    client_for, town_a, admin_a, trial_a
) -> None:
    page = client_for(town_a, admin_a).get(PAGE).content.decode()
    sentence = (
        "Vous ne payez rien aujourd’hui. Le premier paiement aura lieu le 1er mars 2027, "
        "à la fin de votre essai gratuit (par facture : la première facture est envoyée ce "
        "jour-là)."
    )
    assert sentence in page
    assert page.index(sentence) < page.index("Continuer</button>")
    assert f"Mensuel — 29,00{NBSP}€ HT (34,80{NBSP}€ TTC)" in page


@pytest.mark.parametrize("method", ["card", "sepa_debit"])
def test_the_payment_page_says_when_the_first_payment_is_before_the_button(
    client_for, town_a, admin_a, trial_a, stripe_stub: StripeStub, method: str
) -> None:
    page = _payment_page(client_for(town_a, admin_a), method)
    assert NOTHING_TODAY_BY_CARD in page
    assert page.index(NOTHING_TODAY_BY_CARD) < page.index('id="payment-submit"')
    assert 'id="payment-submit" aria-describedby="first-payment"' in page


def test_subscribing_by_card_during_the_trial_charges_nothing_and_keeps_the_trial(
    client_for, town_a, admin_a, trial_a, stripe_stub: StripeStub
) -> None:
    client = client_for(town_a, admin_a)
    account = _subscribe_by_card(client)

    assert account.status == Status.TRIALING
    assert account.awaits_first_payment
    assert account.trial_ends_at == TRIAL_END
    assert account.collectivite.site_access == Collectivite.Access.FULL
    [created] = _subscription_creations(stripe_stub)
    assert created["trial_end"] == str(int(TRIAL_END.timestamp()))
    subscription = gateway.retrieve_subscription(account.stripe_subscription_id)
    assert (subscription["status"], subscription["trial_end"]) == (
        "trialing",
        int(TRIAL_END.timestamp()),
    )
    assert _charges(account) == []
    assert [(i.amount_due_cents, i.amount_paid_cents) for i in account.invoices.all()] == [(0, 0)]
    entry = AuditEntry.objects.get(action="billing.subscribe")
    assert "status" not in entry.after and entry.after["stripe_subscription_id"]

    page = client.get(PAGE).content.decode()
    assert (
        "Merci : l’abonnement est souscrit. Rien n’est prélevé avant le 1er mars 2027, la fin "
        "de votre essai gratuit." in page
    )
    assert f"Abonnement souscrit : premier paiement le 1er mars 2027 (34,80{NBSP}€ TTC)." in page
    assert "Pas encore de facture." in page  # the 0 € invoice of the trial is not listed
    assert "Résilier avant le premier paiement" in page
    home = client.get("/").content.decode()
    assert "Essai gratuit" not in home  # no banner: nothing left to do


def test_a_subscribed_trial_gets_no_reminder_and_is_not_made_read_only(
    client_for,
    town_a,
    admin_a,
    trial_a,
    stripe_stub: StripeStub,
    time_machine,
    django_capture_on_commit_callbacks,
) -> None:
    account = _subscribe_by_card(client_for(town_a, admin_a))
    for moment in (
        TRIAL_END - timedelta(days=14),
        TRIAL_END - timedelta(days=3),
        TRIAL_END - timedelta(hours=2),
        TRIAL_END + timedelta(minutes=5),  # Stripe has not ended its trial yet
    ):
        time_machine.move_to(moment, tick=False)
        with django_capture_on_commit_callbacks(execute=True):
            assert _run_daily()["first_payments"] == 0
        assert _reload(account).status == Status.TRIALING
    assert not BillingNotice.objects.filter(account=account).exists()
    assert [message for message in mail.outbox if admin_a.email in message.to] == []
    assert _reload(account).collectivite.site_access == Collectivite.Access.FULL


def test_the_same_days_an_unsubscribed_trial_is_reminded_then_made_read_only(
    trial_a, time_machine, django_capture_on_commit_callbacks
) -> None:
    """The other side of the test above: without a subscription, the run does remind."""
    for moment in (TRIAL_END - timedelta(days=14), TRIAL_END + timedelta(minutes=5)):
        time_machine.move_to(moment, tick=False)
        _run_daily()
    keys = sorted(BillingNotice.objects.filter(account=trial_a).values_list("key", flat=True))
    assert keys == ["trial-0:2027-03-01", "trial-14:2027-03-01"]
    assert _reload(trial_a).status == Status.READ_ONLY


def test_the_trial_ends_and_stripe_s_webhook_makes_the_account_active(
    client_for,
    town_a,
    admin_a,
    trial_a,
    stripe_stub: StripeStub,
    post_webhook,
    time_machine,
    django_capture_on_commit_callbacks,
) -> None:
    client = client_for(town_a, admin_a)
    account = _subscribe_by_card(client)

    time_machine.move_to(TRIAL_END + timedelta(minutes=1), tick=False)
    subscription = stripe_stub.end_trial(account.stripe_subscription_id)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook("customer.subscription.updated", subscription).status_code == 200
        invoice = {"id": subscription["latest_invoice"], "object": "invoice"}
        assert post_webhook("invoice.paid", invoice).status_code == 200

    account = _reload(account)
    assert account.status == Status.ACTIVE
    assert not account.awaits_first_payment
    a_month_later = TRIAL_END.astimezone(UTC) + timedelta(days=30)  # Stripe counts in seconds
    assert account.current_period_end == a_month_later
    first = account.invoices.get(stripe_invoice_id=subscription["latest_invoice"])
    assert (first.status, first.amount_paid_cents, first.created_at) == ("paid", 3480, TRIAL_END)
    assert (first.subtotal_cents, first.tax_cents) == (2900, 580)
    page = client_for(town_a, admin_a).get(PAGE).content.decode()  # a new session, 3 months on
    assert "se renouvelle le 31 mars 2027." in page
    assert "Abonnement souscrit" not in page


def test_when_the_webhook_is_late_the_daily_run_asks_stripe_after_the_trial(
    client_for,
    town_a,
    admin_a,
    trial_a,
    stripe_stub: StripeStub,
    time_machine,
) -> None:
    account = _subscribe_by_card(client_for(town_a, admin_a))
    time_machine.move_to(TRIAL_END + timedelta(hours=3), tick=False)
    subscription = stripe_stub.end_trial(account.stripe_subscription_id)

    assert _run_daily()["first_payments"] == 1
    account = _reload(account)
    assert account.status == Status.ACTIVE
    assert account.invoices.get(stripe_invoice_id=subscription["latest_invoice"]).status == "paid"
    assert _run_daily()["first_payments"] == 0  # done once


def test_the_daily_run_keeps_the_trial_when_stripe_does_not_answer(
    client_for, town_a, admin_a, trial_a, stripe_stub: StripeStub, time_machine
) -> None:
    account = _subscribe_by_card(client_for(town_a, admin_a))
    time_machine.move_to(TRIAL_END + timedelta(hours=3), tick=False)
    stripe_stub.fail_next("get", f"/v1/subscriptions/{account.stripe_subscription_id}")
    assert _run_daily()["first_payments"] == 0
    assert _reload(account).status == Status.TRIALING  # not read only: tomorrow asks again


def test_a_first_payment_refused_at_the_trial_end_makes_the_account_past_due(
    client_for,
    town_a,
    admin_a,
    trial_a,
    stripe_stub: StripeStub,
    post_webhook,
    time_machine,
    django_capture_on_commit_callbacks,
) -> None:
    account = _subscribe_by_card(client_for(town_a, admin_a))
    time_machine.move_to(TRIAL_END + timedelta(hours=1), tick=False)
    subscription = stripe_stub.end_trial(account.stripe_subscription_id, payment_fails=True)
    with django_capture_on_commit_callbacks(execute=True):
        invoice = {"id": subscription["latest_invoice"], "object": "invoice"}
        assert post_webhook("invoice.payment_failed", invoice).status_code == 200
    account = _reload(account)
    assert account.status == Status.PAST_DUE
    assert account.overdue_since is not None
    assert [message.subject for message in mail.outbox] == ["Un paiement Placette a échoué"]


def test_subscribing_by_invoice_during_the_trial_sends_the_first_invoice_at_its_end(
    client_for,
    town_a,
    admin_a,
    trial_a,
    stripe_stub: StripeStub,
    post_webhook,
    time_machine,
    django_capture_on_commit_callbacks,
) -> None:
    client = client_for(town_a, admin_a)
    response = client.post(
        PAGE + "souscrire/",
        {
            "period": "yearly",
            "method": "invoice",
            "token": "t-inv",
            "billing_email": "finances@mairie.example",
            "siret": "21380152100017",
        },
    )
    summary = response.content.decode()
    assert NOTHING_TODAY_BY_INVOICE in summary
    assert summary.index(NOTHING_TODAY_BY_INVOICE) < summary.index("Souscrire</button>")

    response = client.post(PAGE + "facture/", {"period": "yearly", "token": "t-inv"}, follow=True)
    page = response.content.decode()
    assert (
        "Abonnement souscrit. La première facture sera envoyée à finances@mairie.example le "
        "1er mars 2027, à la fin de votre essai gratuit, payable sous 30 jours." in page
    )
    assert (
        f"Abonnement souscrit : première facture envoyée le 1er mars 2027 (348,00{NBSP}€ TTC)."
        in page
    )
    account = _reload(trial_a)
    assert (account.status, account.payment_method) == (Status.TRIALING, "invoice")
    [created] = _subscription_creations(stripe_stub)
    assert created["trial_end"] == str(int(TRIAL_END.timestamp()))
    assert created["collection_method"] == "send_invoice"
    assert not account.invoices.filter(amount_due_cents__gt=0).exists()

    time_machine.move_to(TRIAL_END + timedelta(minutes=1), tick=False)
    subscription = stripe_stub.end_trial(account.stripe_subscription_id)
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook("customer.subscription.updated", subscription)
        post_webhook("invoice.finalized", {"id": subscription["latest_invoice"]})
    account = _reload(account)
    assert account.status == Status.ACTIVE
    first = account.invoices.get(stripe_invoice_id=subscription["latest_invoice"])
    assert (first.status, first.amount_due_cents) == ("open", 34_800)
    assert first.due_date == TRIAL_END.astimezone(UTC) + timedelta(days=30)


def test_cancelled_during_the_trial_it_ends_with_the_trial_and_nothing_is_paid(
    client_for,
    town_a,
    admin_a,
    trial_a,
    stripe_stub: StripeStub,
    post_webhook,
    time_machine,
    django_capture_on_commit_callbacks,
) -> None:
    client = client_for(town_a, admin_a)
    account = _subscribe_by_card(client)
    client.post(PAGE + "resilier/", {"token": "t-cancel"})
    page = client.get(PAGE).content.decode()
    assert "Abonnement résilié : il s’arrête le 1er mars 2027, sans rien prélever." in page

    time_machine.move_to(TRIAL_END + timedelta(minutes=1), tick=False)
    subscription = stripe_stub.end_trial(account.stripe_subscription_id)
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook("customer.subscription.deleted", subscription)
    account = _reload(account)
    assert account.status == Status.CANCELED
    assert not account.invoices.filter(amount_due_cents__gt=0).exists()


def test_in_the_trial_s_last_hour_a_subscription_is_paid_at_once(
    client_for, town_a, admin_a, account_a, stripe_stub: StripeStub
) -> None:
    from django.utils import timezone

    soon = timezone.now() + timedelta(minutes=40)
    BillingAccount.objects.filter(pk=account_a.pk).update(trial_ends_at=soon)
    client = client_for(town_a, admin_a)
    assert "Vous ne payez rien aujourd’hui" not in _payment_page(client, "card")
    account = _subscribe_by_card(client)
    [created] = _subscription_creations(stripe_stub)
    assert "trial_end" not in created
    assert account.status == Status.ACTIVE
    assert account.invoices.get().status == "paid"
