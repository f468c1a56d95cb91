"""What the ops console keeps about each collectivité in the public schema."""

from __future__ import annotations

from datetime import datetime

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tenants.models import Collectivite


class TenantFigures(models.Model):
    """Figures that change often, copied from each town's schema by a periodic task, so that the
    tenants list reads them in one query instead of visiting 36,000 schemas per page."""

    collectivite = models.OneToOneField(
        Collectivite, on_delete=models.CASCADE, related_name="figures"
    )
    active_residents_30d = models.PositiveIntegerField(
        _("active residents (30 days)"), null=True, blank=True
    )
    last_activity_at = models.DateTimeField(_("last activity"), null=True, blank=True)
    refreshed_at = models.DateTimeField(_("figures refreshed"), null=True, blank=True)

    class Meta:
        verbose_name = _("tenant figures")
        verbose_name_plural = _("tenant figures")

    def __str__(self) -> str:
        return f"{self.collectivite}"


class SupportGrantQuerySet(models.QuerySet["SupportGrant"]):
    def live(self, now: datetime | None = None) -> SupportGrantQuerySet:
        """Grants that open the town's site to our staff right now."""
        now = now or timezone.now()
        return self.filter(revoked_at__isnull=True, starts_at__lte=now, ends_at__gt=now)


class SupportGrant(models.Model):
    """A town admin's permission for our staff to see the town's site, until `ends_at`.

    In the public schema, so the console reads it; the town's admins see it on their site.
    Who granted is kept by id and label: that account lives in the town's schema.
    """

    collectivite = models.ForeignKey(
        Collectivite, on_delete=models.CASCADE, related_name="support_grants"
    )
    granted_by_id = models.PositiveIntegerField()
    granted_by_label = models.CharField(max_length=200)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by_label = models.CharField(max_length=200, blank=True)

    objects = SupportGrantQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at"]
        indexes = [models.Index(fields=["collectivite", "ends_at"], name="support_grant_town_end")]

    def __str__(self) -> str:
        return f"{self.collectivite} {self.starts_at:%Y-%m-%d %H:%M} → {self.ends_at:%H:%M}"

    def is_live(self, now: datetime | None = None) -> bool:
        now = now or timezone.now()
        return self.revoked_at is None and self.starts_at <= now < self.ends_at


class SupportUse(models.Model):
    """One page our staff saw on the town's site under a grant."""

    grant = models.ForeignKey(SupportGrant, on_delete=models.CASCADE, related_name="uses")
    staff_id = models.PositiveIntegerField()
    staff_label = models.CharField(max_length=200)
    path = models.CharField(max_length=500)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.staff_label} {self.path}"
