"""Plans, each collectivité's billing account, its invoices, and the Stripe events received.

All in the public schema. Our database holds the plan state; Stripe is only the payment rail.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.models import Collectivite

VAT_RATE = Decimal("0.20")
# Less trial left than this, and a new subscription is paid at once: Stripe wants a trial end
# safely in the future, and the page must not promise a free day that is already over.
SHORTEST_DEFERRED_TRIAL = timedelta(hours=1)


class Period(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    YEARLY = "yearly", _("Yearly")


class PaymentMethod(models.TextChoices):
    CARD = "card", _("Bank card")
    SEPA_DEBIT = "sepa_debit", _("SEPA direct debit")
    INVOICE = "invoice", _("Invoice paid by administrative mandate")


class PlanQuerySet(models.QuerySet["Plan"]):
    def for_population(self, population: int) -> Plan | None:
        return (
            self.filter(is_active=True, min_population__lte=population)
            .filter(models.Q(max_population__isnull=True) | models.Q(max_population__gt=population))
            .order_by("-min_population")
            .first()
        )


class Plan(models.Model):
    """A price band by population. Prices are excluding VAT (hors taxes), in euro cents."""

    code = models.SlugField(unique=True)
    name = models.CharField(_("name"), max_length=100)
    min_population = models.PositiveIntegerField(_("from (inhabitants)"))
    max_population = models.PositiveIntegerField(
        _("up to, excluded (inhabitants)"), null=True, blank=True
    )
    monthly_price_cents = models.PositiveIntegerField(_("monthly price excl. VAT (cents)"))
    yearly_price_cents = models.PositiveIntegerField(_("yearly price excl. VAT (cents)"))
    is_active = models.BooleanField(default=True)
    # Created on Stripe on first use (gateway.ensure_stripe_plan).
    stripe_product_id = models.CharField(max_length=255, blank=True)
    stripe_monthly_plan_id = models.CharField(max_length=255, blank=True)
    stripe_yearly_plan_id = models.CharField(max_length=255, blank=True)

    objects = PlanQuerySet.as_manager()

    class Meta:
        ordering = ["min_population"]
        verbose_name = _("plan")

    def __str__(self) -> str:
        return self.name

    def price_cents(self, period: str) -> int:
        return self.yearly_price_cents if period == Period.YEARLY else self.monthly_price_cents

    def price_incl_vat_cents(self, period: str) -> int:
        return int((Decimal(self.price_cents(period)) * (1 + VAT_RATE)).quantize(Decimal(1)))

    @property
    def monthly_price_incl_vat_cents(self) -> int:
        return self.price_incl_vat_cents(Period.MONTHLY)

    @property
    def yearly_price_incl_vat_cents(self) -> int:
        return self.price_incl_vat_cents(Period.YEARLY)


class BillingAccount(models.Model):
    class Status(models.TextChoices):
        TRIALING = "trialing", _("Free trial")
        ACTIVE = "active", _("Active")
        PAST_DUE = "past_due", _("Payment overdue")
        READ_ONLY = "read_only", _("Read only")
        SUSPENDED = "suspended", _("Suspended")
        CANCELED = "canceled", _("Canceled")
        SPONSORED = "sponsored", _("Offered by Placette")

    collectivite = models.OneToOneField(
        Collectivite, on_delete=models.PROTECT, related_name="billing_account"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.TRIALING)
    plan = models.ForeignKey(Plan, null=True, blank=True, on_delete=models.PROTECT)
    period = models.CharField(max_length=10, choices=Period.choices, blank=True)
    payment_method = models.CharField(max_length=12, choices=PaymentMethod.choices, blank=True)
    trial_ends_at = models.DateTimeField(null=True, blank=True)
    current_period_end = models.DateTimeField(null=True, blank=True)
    cancel_at_period_end = models.BooleanField(default=False)
    # Since when a payment has been missing (a failed payment, or an invoice past its due date).
    overdue_since = models.DateTimeField(null=True, blank=True)
    sponsored_reason = models.CharField(max_length=200, blank=True)
    # The last day offered (inclusive); the daily run ends the sponsorship the day after.
    # None: offered until our staff end it.
    sponsored_until = models.DateField(_("offered until"), null=True, blank=True)
    # What the public sees on the site while it is suspended (plain text, shown escaped).
    suspension_message = models.TextField(_("message shown while suspended"), blank=True)

    # The public buyer's details, printed on invoices (and needed for Chorus Pro).
    billing_email = models.EmailField(_("billing email"), blank=True)
    siret = models.CharField(_("SIRET"), max_length=14, blank=True)
    chorus_service_code = models.CharField(_("Chorus Pro service code"), max_length=100, blank=True)
    purchase_order_number = models.CharField(_("purchase order number"), max_length=100, blank=True)

    stripe_customer_id = models.CharField(max_length=255, blank=True, db_index=True)
    stripe_subscription_id = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("billing account")

    def __str__(self) -> str:
        return f"{self.collectivite} ({self.status})"

    def trial_days_left(self) -> int | None:
        if self.status != self.Status.TRIALING or self.trial_ends_at is None:
            return None
        seconds = (self.trial_ends_at - timezone.now()).total_seconds()
        return max(0, int(-(-seconds // 86400)))  # started days count as whole days

    def trial_end_for_new_subscription(self) -> datetime | None:
        """The trial's end, if a subscription taken now is first paid then (not today)."""
        if self.status != self.Status.TRIALING or self.trial_ends_at is None:
            return None
        if self.trial_ends_at - timezone.now() < SHORTEST_DEFERRED_TRIAL:
            return None
        return self.trial_ends_at

    @property
    def price_incl_vat_cents(self) -> int | None:
        """What each payment of the chosen plan and period costs, VAT included."""
        if self.plan is None or not self.period:
            return None
        return self.plan.price_incl_vat_cents(self.period)

    @property
    def awaits_first_payment(self) -> bool:
        """Subscribed during the trial: on trial until its end, then first paid."""
        return self.status == self.Status.TRIALING and bool(self.stripe_subscription_id)


class Invoice(models.Model):
    """Our copy of a Stripe invoice, refreshed from Stripe on every webhook about it."""

    account = models.ForeignKey(BillingAccount, on_delete=models.PROTECT, related_name="invoices")
    stripe_invoice_id = models.CharField(max_length=255, unique=True)
    number = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20)  # draft, open, paid, void, uncollectible
    amount_due_cents = models.IntegerField(default=0)  # incl. VAT (TTC)
    subtotal_cents = models.IntegerField(default=0)  # excl. VAT (HT)
    tax_cents = models.IntegerField(default=0)  # the VAT (TVA)
    amount_paid_cents = models.IntegerField(default=0)
    currency = models.CharField(max_length=3, default="eur")
    hosted_invoice_url = models.URLField(max_length=1000, blank=True)
    invoice_pdf = models.URLField(max_length=1000, blank=True)
    due_date = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.number or self.stripe_invoice_id


# An event not applied this long after it arrived needs a look (the ops health page shows them).
STUCK_AFTER = timedelta(minutes=15)


class StripeEventQuerySet(models.QuerySet["StripeEvent"]):
    def unprocessed(self) -> StripeEventQuerySet:
        return self.filter(processed_at__isnull=True)

    def due(self, now: datetime) -> StripeEventQuerySet:
        """Unprocessed events whose next attempt has come (the sweep runs them)."""
        return self.unprocessed().filter(next_attempt_at__lte=now)

    def stuck(self, now: datetime | None = None) -> StripeEventQuerySet:
        now = now or timezone.now()
        return self.unprocessed().filter(received_at__lte=now - STUCK_AFTER)


class StripeEvent(models.Model):
    """Every Stripe event received, stored before any effect. It is done once processed_at is
    set; until then the sweep (services.stripe_events.sweep) runs it again, with backoff."""

    event_id = models.CharField(max_length=255, unique=True)
    type = models.CharField(max_length=100)
    payload = models.JSONField()
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    # When the sweep may run it (again), if it is still unprocessed then.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)  # the last failure (kept once processed, as a record)

    objects = StripeEventQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(processed_at__isnull=True),
                name="stripe_event_unprocessed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.type} {self.event_id}"


class TaxRate(models.Model):
    """A VAT rate as a Stripe TaxRate, created on Stripe once, on first use, and kept here."""

    percentage = models.DecimalField(max_digits=5, decimal_places=2, unique=True)
    stripe_tax_rate_id = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return f"TVA {self.percentage} %"


class BillingNotice(models.Model):
    """An email sent about billing, so that no reminder goes out twice."""

    account = models.ForeignKey(BillingAccount, on_delete=models.CASCADE, related_name="notices")
    key = models.CharField(max_length=100)  # e.g. "trial-14", "payment-failed:in_123"
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["account", "key"], name="one_notice_per_key"),
        ]

    def __str__(self) -> str:
        return self.key
