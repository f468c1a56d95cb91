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
    # How many migration files the town's schema has not applied (None: not checked yet),
    # checked by the same task: reading 36,000 schemas' django_migrations per page is out of
    # the question.
    migrations_behind = models.PositiveIntegerField(_("migrations behind"), null=True, blank=True)

    class Meta:
        verbose_name = _("tenant figures")
        verbose_name_plural = _("tenant figures")
        indexes = [  # the health page lists the few towns behind among 36,000
            models.Index(
                fields=["collectivite"],
                condition=models.Q(migrations_behind__gt=0),
                name="ops_figures_behind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.collectivite}"


class TenantUsageMonth(models.Model):
    """One town's usage in one calendar month (Paris time): what each registered counter
    (ops.figures) counted, e.g. {"residents": 120, "posts": 14}. Recomputed by a periodic task
    for the current and previous month; a counter added later simply appears in later rows."""

    collectivite = models.ForeignKey(
        Collectivite, on_delete=models.CASCADE, related_name="usage_months"
    )
    month = models.DateField(_("month"))  # its first day
    counts = models.JSONField(default=dict)
    refreshed_at = models.DateTimeField(_("figures refreshed"))

    class Meta:
        verbose_name = _("usage per month")
        verbose_name_plural = _("usage per month")
        ordering = ["-month"]
        constraints = [
            models.UniqueConstraint(fields=["collectivite", "month"], name="ops_usage_one_a_month")
        ]

    def __str__(self) -> str:
        return f"{self.collectivite_id} {self.month:%Y-%m}"


class FailedTask(models.Model):
    """A Celery task that failed for good (its retries spent), kept for the health page."""

    task_id = models.CharField(max_length=255)
    task_name = models.CharField(max_length=255)
    schema_name = models.CharField(max_length=63, blank=True)
    arguments = models.TextField(blank=True)  # a shortened repr, for the person investigating
    error = models.TextField()
    retries = models.PositiveIntegerField(default=0)
    failed_at = models.DateTimeField()

    class Meta:
        ordering = ["-failed_at", "-pk"]
        indexes = [models.Index(fields=["-failed_at"], name="ops_failed_task_recent")]

    def __str__(self) -> str:
        return f"{self.task_name} {self.task_id}"


class PeriodicJobRun(models.Model):
    """The last success and the last failure of one job of CELERY_BEAT_SCHEDULE (by its name)."""

    job = models.CharField(max_length=100, unique=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_failure_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return self.job


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
