"""What a resident is told (the in-site list) and how they want to hear of it by email."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from notifications.kinds import Frequency


class Notification(models.Model):
    """One thing a resident is told. Its text is written in the site's language when sent."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=60)
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    # A path on the town's own site (never a full URL: links are made for the host that shows them).
    url = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    # When the email (immediate or in a digest) went out; null while not (yet) sent by email.
    emailed_at = models.DateTimeField(null=True, blank=True)
    # How it is to be emailed, from the recipient's preference when it was made; a digest or
    # the email task brings it up to date when the preference changed since ("" on old rows).
    email_frequency = models.CharField(max_length=10, blank=True, default="")
    # The digest that carried it, once claimed by one.
    digest = models.ForeignKey(
        "DigestDelivery",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_unread"),
            # What the digests look for: small, since rows leave it once emailed.
            models.Index(
                fields=["email_frequency", "recipient"],
                name="notif_digest_pending",
                condition=Q(emailed_at__isnull=True, email_frequency__in=["daily", "weekly"]),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}"


class Preference(models.Model):
    """A resident's email frequency for one kind (no row: the kind's default)."""

    FREQUENCY_CHOICES = [
        (Frequency.IMMEDIATE, _("Right away")),
        (Frequency.DAILY, _("Once a day")),
        (Frequency.WEEKLY, _("Once a week")),
        (Frequency.NEVER, _("Never")),
    ]

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=60)
    frequency = models.CharField(max_length=10, choices=FREQUENCY_CHOICES)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="notif_preference_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.frequency}"


class DigestDelivery(models.Model):
    """One resident's digest for one period: claimed once, whatever runs the digests and how often.

    The unique constraint is the guarantee: a second run in the same period (or a concurrent
    one) cannot claim the resident again; the row and the notifications it carries are marked in
    the same transaction, and `sent_at` tells the mail task it is done.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_digests"
    )
    frequency = models.CharField(max_length=10)
    period_start = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "frequency", "period_start"], name="notif_digest_once_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.frequency} digest of {self.period_start} for {self.user_id}"
