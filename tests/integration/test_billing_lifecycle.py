"""The whole life of a subscription, against localstripe (see tests/stripe_support.py)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from billing import gateway, services
from billing.models import BillingAccount, BillingNotice, Invoice
from tenants.models import AuditEntry, Collectivite
from tests.billing_fixtures import OPS_EMAIL
from tests.stripe_support import StripeStub, confirm_setup_as_stripe_js

pytestmark = pytest.mark.django_db
Status = BillingAccount.Status


def _reload(account: BillingAccount) -> BillingAccount:
    return BillingAccount.objects.select_related("collectivite").get(pk=account.pk)


def _stripe_subscription(account: BillingAccount) -> dict[str, Any]:
    return gateway.retrieve_subscription(account.stripe_subscription_id)


def _subscribe_by_card(client: Client, period: str = "yearly") -> str:
    response = client.post(
        "/administration/abonnement/souscrire/",
        {"period": period, "method": "card", "token": "t-card-1"},
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    secret = re.search(r'data-client-secret="([^"]+)"', response.content.decode())
    assert secret, "the payment page carries the SetupIntent's client secret"
    return confirm_setup_as_stripe_js(secret.group(1))


def test_trial_reminders_card_subscription_failed_payment_then_paid(
    client_for,
    town_a,
    admin_a,
    account_a,
    stripe_stub: StripeStub,
    post_webhook,
    time_machine,
    django_capture_on_commit_callbacks,
) -> None:
    assert account_a.status == Status.TRIALING
    assert account_a.trial_ends_at is not None
    end = account_a.trial_ends_at.replace(hour=12, minute=0)  # a trial ending at noon
    BillingAccount.objects.filter(pk=account_a.pk).update(trial_ends_at=end)

    # Reminders 14 days, 3 days and on the day; each is sent once, however often the job runs.
    for days in (14, 3, 0):
        time_machine.move_to(end - timedelta(days=days, hours=2))
        with django_capture_on_commit_callbacks(execute=True):
            services.run_daily()
            services.run_daily()
    subjects = [message.subject for message in mail.outbox]
    assert subjects == [
        "Votre essai de Placette se termine dans 14 jours",
        "Votre essai de Placette se termine dans 3 jours",
        "Votre essai de Placette se termine aujourd’hui",
    ]
    assert all(message.to == [admin_a.email] for message in mail.outbox)
    assert _reload(account_a).status == Status.TRIALING

    # The trial ends unpaid; then they subscribe by card (Stripe.js confirms the card against
    # localstripe), paid at once.
    time_machine.move_to(end + timedelta(hours=1))
    services.run_daily()
    assert _reload(account_a).status == Status.READ_ONLY
    client = client_for(town_a, admin_a)
    setup_intent = _subscribe_by_card(client)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/administration/abonnement/confirmer/",
            {"setup_intent": setup_intent, "token": "t-card-1"},
        )
    assert response.status_code == 302
    account = _reload(account_a)
    assert account.status == Status.ACTIVE
    assert account.payment_method == "card"
    assert account.stripe_subscription_id.startswith("sub_")
    assert account.collectivite.site_access == Collectivite.Access.FULL
    assert account.invoices.filter(status="paid").count() == 1
    page = client.get("/administration/abonnement/").content.decode()
    assert "Actif" in page and "Payée" in page

    # A renewal payment fails: past due, full access, one email.
    mail.outbox.clear()
    invoice = stripe_stub.add_invoice(
        customer=account.stripe_customer_id,
        subscription=account.stripe_subscription_id,
        amount=34_800,
        status="open",
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook("invoice.payment_failed", invoice).status_code == 200
    account = _reload(account_a)
    assert account.status == Status.PAST_DUE
    assert account.collectivite.site_access == Collectivite.Access.FULL
    assert [m.subject for m in mail.outbox] == ["Un paiement Placette a échoué"]
    assert "Un paiement a échoué" in client.get("/").content.decode()

    # Paid at the next attempt: active again.
    stripe_stub.set_status(invoice["id"], status="paid", amount_paid=34_800)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_webhook("invoice.paid", invoice).status_code == 200
    account = _reload(account_a)
    assert account.status == Status.ACTIVE
    assert account.overdue_since is None
    assert Invoice.objects.get(stripe_invoice_id=invoice["id"]).status == "paid"


def test_unpaid_trial_goes_read_only_then_invoice_subscription_reopens(
    client_for,
    town_a,
    admin_a,
    resident_a,
    account_a,
    stripe_stub,
    time_machine,
    django_capture_on_commit_callbacks,
) -> None:
    assert account_a.trial_ends_at is not None
    time_machine.move_to(account_a.trial_ends_at + timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        counts = services.run_daily()
    assert counts["trials_ended"] == 2  # towns A and B started their trials together
    account = _reload(account_a)
    assert account.status == Status.READ_ONLY
    assert account.collectivite.site_access == Collectivite.Access.READ_ONLY

    resident = client_for(town_a, resident_a)
    assert resident.get("/").status_code == 200
    assert "lecture seule" in resident.get("/").content.decode()
    refused = resident.post("/", {"anything": "x"})
    assert refused.status_code == 403
    assert "Ce site est en lecture seule" in refused.content.decode()
    # Their own data stays theirs: export (and deletion) work whatever the subscription.
    assert resident.get("/mon-compte/donnees/").status_code == 200

    admin = client_for(town_a, admin_a)
    bad = admin.post(
        "/administration/abonnement/souscrire/",
        {
            "period": "yearly",
            "method": "invoice",
            "token": "t-inv",
            "siret": "123",
            "billing_email": "finances@mairie.example",
            "chorus_service_code": "SERV-01",
        },
    )
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "Un SIRET a 14 chiffres." in body
    assert 'value="finances@mairie.example"' in body and 'value="SERV-01"' in body
    assert _reload(account_a).status == Status.READ_ONLY

    summary = admin.post(
        "/administration/abonnement/souscrire/",
        {
            "period": "yearly",
            "method": "invoice",
            "token": "t-inv",
            "siret": "213 801 521 00017",
            "billing_email": "finances@mairie.example",
            "chorus_service_code": "SERV-01",
            "purchase_order_number": "BC-2026-42",
        },
    )
    assert summary.status_code == 200
    assert "Vous paierez 348,00\u00a0€ TTC par an." in summary.content.decode()
    assert "Vous ne payez rien aujourd’hui" not in summary.content.decode()  # the trial is over
    assert _reload(account_a).stripe_subscription_id == ""  # nothing before the last click
    response = admin.post(
        "/administration/abonnement/facture/", {"period": "yearly", "token": "t-inv"}
    )
    assert response.status_code == 302
    account = _reload(account_a)
    assert account.status == Status.ACTIVE
    assert account.payment_method == "invoice"
    assert account.siret == "21380152100017"
    assert account.collectivite.site_access == Collectivite.Access.FULL
    invoice = account.invoices.get()
    assert invoice.status == "open" and invoice.due_date is not None
    assert resident.post("/", {"anything": "x"}).status_code == 200


def test_an_invoice_30_days_overdue_makes_the_site_read_only(
    trial_over,
    stripe_stub,
    time_machine,
    django_capture_on_commit_callbacks,
    admin_a,
    post_webhook,
) -> None:
    account_a = trial_over
    services.save_buyer_details(
        account_a, billing_email="finances@mairie.example", siret="21380152100017"
    )
    services.subscribe_by_invoice(account_a, period="monthly", token="t1")
    invoice = _reload(account_a).invoices.get()
    assert invoice.due_date is not None

    time_machine.move_to(invoice.due_date + timedelta(days=1))
    services.run_daily()
    assert _reload(account_a).status == Status.PAST_DUE

    time_machine.move_to(invoice.due_date + timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):
        services.run_daily()
        services.run_daily()
    account = _reload(account_a)
    assert account.status == Status.READ_ONLY
    assert [m.subject for m in mail.outbox] == ["Votre site Placette est en lecture seule"]
    assert sorted(mail.outbox[0].to) == sorted([admin_a.email, "finances@mairie.example"])

    stripe_stub.set_status(invoice.stripe_invoice_id, status="paid")
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook("invoice.paid", {"id": invoice.stripe_invoice_id})
    assert _reload(account_a).status == Status.ACTIVE


def test_cancel_at_period_end_then_the_subscription_ends(
    client_for,
    town_a,
    admin_a,
    trial_over,
    stripe_stub,
    post_webhook,
    django_capture_on_commit_callbacks,
) -> None:
    account_a = trial_over
    client = client_for(town_a, admin_a)
    setup_intent = _subscribe_by_card(client, period="monthly")
    client.post(
        "/administration/abonnement/confirmer/", {"setup_intent": setup_intent, "token": "t-card-1"}
    )
    response = client.post("/administration/abonnement/resilier/", {"token": "t-cancel"})
    assert response.status_code == 302
    account = _reload(account_a)
    assert account.cancel_at_period_end is True
    assert account.status == Status.ACTIVE
    assert _stripe_subscription(account)["cancel_at_period_end"] is True
    page = client.get("/administration/abonnement/").content.decode()
    assert "Reprendre mon abonnement" in page
    assert "Résilier à la fin de la période payée" not in page
    assert "se termine le" in page

    client.post("/administration/abonnement/reprendre/", {"token": "t-resume"})
    assert _reload(account_a).cancel_at_period_end is False
    assert _stripe_subscription(account)["cancel_at_period_end"] is False
    page = client.get("/administration/abonnement/").content.decode()
    assert "Résilier à la fin de la période payée" in page
    assert "Reprendre mon abonnement" not in page
    client.post("/administration/abonnement/resilier/", {"token": "t-cancel-2"})
    assert _reload(account_a).cancel_at_period_end is True

    # The period ends: Stripe cancels the subscription and tells us.
    gateway.client().v1.subscriptions.cancel(account.stripe_subscription_id)
    with django_capture_on_commit_callbacks(execute=True):
        post_webhook("customer.subscription.deleted", {"id": account.stripe_subscription_id})
    account = _reload(account_a)
    assert account.status == Status.CANCELED
    assert account.collectivite.site_access == Collectivite.Access.READ_ONLY


def test_ops_extend_a_trial_even_after_it_ended(account_a, time_machine, ops_staff) -> None:
    assert account_a.trial_ends_at is not None
    time_machine.move_to(account_a.trial_ends_at + timedelta(days=2))
    services.run_daily()
    assert _reload(account_a).status == Status.READ_ONLY

    call_command(
        "extend_trial", "--tenant", account_a.collectivite.slug, "--days", "30", "--by", OPS_EMAIL
    )
    account = _reload(account_a)
    assert account.status == Status.TRIALING
    assert account.collectivite.site_access == Collectivite.Access.FULL
    assert account.trial_days_left() == 30
    # New end, new reminders: the earlier ones do not block them.
    assert not BillingNotice.objects.filter(account=account, key__startswith="trial-14:").exists()


def test_a_sponsored_town_keeps_full_access_and_is_never_billed(
    client_for,
    town_a,
    admin_a,
    account_a,
    time_machine,
    stripe_stub: Any,
    ops_staff,
) -> None:
    call_command(
        "sponsor", "--tenant", "town-a", "--reason", "Partenariat départemental", "--by", OPS_EMAIL
    )
    assert account_a.trial_ends_at is not None
    time_machine.move_to(account_a.trial_ends_at + timedelta(days=10))
    services.run_daily()
    account = _reload(account_a)
    assert account.status == Status.SPONSORED
    assert account.collectivite.site_access == Collectivite.Access.FULL
    page = client_for(town_a, admin_a).get("/administration/abonnement/").content.decode()
    assert "Offert par Placette" in page
    assert "Souscrire" not in page
    with pytest.raises(services.BillingError):
        services.subscribe_by_invoice(account, period="yearly", token="x")


def test_a_suspended_town_shows_a_status_page_but_admins_can_pay(
    client_for,
    town_a,
    admin_a,
    resident_a,
    account_a,
) -> None:
    services.suspend(account_a)
    assert client_for(town_a).get("/").status_code == 503
    assert client_for(town_a, resident_a).get("/").status_code == 503
    admin = client_for(town_a, admin_a)
    assert admin.get("/")["Location"] == "/administration/abonnement/"
    assert admin.get("/administration/abonnement/").status_code == 200
    assert client_for(town_a).get("/accounts/login/").status_code == 200


def test_changing_the_payment_period_moves_the_stripe_subscription_to_the_other_plan(
    client_for, town_a, admin_a, trial_over, stripe_stub
) -> None:
    account_a = trial_over
    client = client_for(town_a, admin_a)
    setup_intent = _subscribe_by_card(client, period="monthly")
    client.post(
        "/administration/abonnement/confirmer/", {"setup_intent": setup_intent, "token": "t-card-1"}
    )
    page = client.get("/administration/abonnement/").content.decode()
    assert "Payer plutôt à l’année" in page

    response = client.post(
        "/administration/abonnement/periode/", {"period": "yearly", "token": "t-p"}, follow=True
    )
    assert "Votre rythme de paiement est modifié." in response.content.decode()
    account = _reload(account_a)
    assert account.period == "yearly"
    assert account.status == Status.ACTIVE
    subscription = _stripe_subscription(account)
    item = subscription["items"]["data"][0]
    assert account.plan is not None and account.current_period_end is not None
    assert item["plan"]["id"] == account.plan.stripe_yearly_plan_id
    assert item["plan"]["amount"] == 29_000
    assert [rate["percentage"] for rate in subscription["default_tax_rates"]] == [20.0]
    # Stripe invoiced the new year (less the unused month), VAT included: our copy has it.
    yearly = account.invoices.order_by("-created_at", "-pk").first()
    assert yearly is not None and yearly.tax_cents > 0
    assert account.invoices.count() == 2
    entry = AuditEntry.objects.get(action="billing.period_change")
    assert (entry.actor_id, entry.before["period"], entry.after["period"]) == (
        admin_a.pk,
        "monthly",
        "yearly",
    )
    assert entry.after["current_period_end"] == account.current_period_end.isoformat()

    again = client.post(
        "/administration/abonnement/periode/", {"period": "yearly", "token": "t-p2"}, follow=True
    )
    assert "Choisissez l’autre rythme de paiement." in again.content.decode()
    assert _reload(account_a).period == "yearly"
    assert AuditEntry.objects.filter(action="billing.period_change").count() == 1
