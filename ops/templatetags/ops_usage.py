"""The tenant page's usage section: the last 12 months of the town's usage, read in one query."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import template
from django.utils import timezone

from ops import figures
from ops.models import TenantUsageMonth
from ops.refresh import recent_months
from tenants.models import Collectivite

register = template.Library()
MONTHS = 12


@dataclass
class UsageTable:
    columns: list[figures.Counter]
    # (month, its counts in the columns' order, None where not computed) for each month.
    rows: list[tuple[datetime.date, list[int | None]]]
    computed: bool  # at least one month has been computed


@register.simple_tag
def tenant_usage(tenant: Collectivite) -> UsageTable:
    months = recent_months(timezone.now(), MONTHS)
    kept = {
        usage.month: usage.counts
        for usage in TenantUsageMonth.objects.filter(collectivite=tenant, month__gte=months[-1])
    }
    columns = figures.counters()
    rows = [
        (month, [kept[month].get(column.name) for column in columns] if month in kept else [])
        for month in months
    ]
    return UsageTable(columns, rows, computed=bool(kept))
