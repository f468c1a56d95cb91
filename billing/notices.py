"""Billing emails to a town's admins, each sent at most once (BillingNotice is the record)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django_tenants.utils import schema_context

from accounts.mail import send_templated
from accounts.models import User
from billing.models import BillingAccount, BillingNotice, Invoice
from tenants.addresses import town_url


def recipients(account: BillingAccount) -> list[str]:
    with schema_context(account.collectivite.schema_name):
        emails = set(
            User.objects.filter(role=User.Role.ADMIN, is_active=True).values_list(
                "email", flat=True
            )
        )
    if account.billing_email:
        emails.add(account.billing_email)
    return sorted(emails)


def _send_once(account: BillingAccount, key: str, template: str, context: dict[str, object]) -> int:
    """1 if the email is to go now (once the transaction commits), 0 if it already went."""
    try:
        with transaction.atomic():
            BillingNotice.objects.create(account=account, key=key)
    except IntegrityError:
        return 0
    town = account.collectivite
    context = {
        "account": account,
        "town": town,
        "billing_url": town_url(town.slug, "/administration/abonnement/"),
        **context,
    }

    def send() -> None:
        to = recipients(account)
        if to:
            send_templated(f"billing/email/{template}", context, to)

    transaction.on_commit(send)
    return 1


def trial_reminder(account: BillingAccount, *, days_left: int) -> int:
    assert account.trial_ends_at is not None
    key = f"trial-{days_left}:{account.trial_ends_at.date().isoformat()}"
    return _send_once(account, key, "trial_reminder", {"days_left": days_left})


def payment_failed(account: BillingAccount, invoice: Invoice) -> int:
    return _send_once(
        account,
        f"payment-failed:{invoice.stripe_invoice_id}",
        "payment_failed",
        {"invoice": invoice},
    )


def read_only_for_overdue(account: BillingAccount) -> int:
    assert account.overdue_since is not None
    key = f"read-only:{account.overdue_since.date().isoformat()}"
    return _send_once(account, key, "read_only", {})
