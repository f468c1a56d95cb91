"""What the ops console keeps about each collectivité in the public schema."""

from __future__ import annotations

from django.db import models
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
