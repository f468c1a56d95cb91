"""Copy each town's figures (active accounts, last activity, migrations behind, usage per month)
from its schema into the public schema, where the console reads them in one query."""

from __future__ import annotations

import datetime
import functools
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django_tenants.utils import schema_context

from ops import figures, list_cache
from ops.models import TenantFigures, TenantUsageMonth
from tenants.models import Collectivite

logger = logging.getLogger(__name__)
ACTIVE_WINDOW = datetime.timedelta(days=30)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def previous_month(month: datetime.date) -> datetime.date:
    return month_start(month - datetime.timedelta(days=1))


def next_month(month: datetime.date) -> datetime.date:
    return month_start(month + datetime.timedelta(days=32))


def recent_months(now: datetime.datetime, count: int) -> list[datetime.date]:
    """The `count` last calendar months, this one first (in the site's time zone)."""
    months = [month_start(timezone.localdate(now))]
    while len(months) < count:
        months.append(previous_month(months[-1]))
    return months[:count]


def _bounds(month: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    def midnight(day: datetime.date) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))

    return midnight(month), midnight(next_month(month))


@functools.cache
def migrations_on_disk() -> frozenset[tuple[str, str]]:
    """Every migration the code has (read from disk once per process: the code does not change
    under a running worker)."""
    return frozenset(MigrationLoader(None, ignore_no_migrations=True).graph.nodes)


def migrations_behind() -> int:
    """In the active schema: migration files not recorded in its django_migrations. In a town's
    schema the public-only apps' migrations are recorded too (migrate_schemas records them
    without running them), so a town up to date has none missing."""
    applied = MigrationRecorder(connection).applied_migrations()
    return len(migrations_on_disk() - set(applied))


@dataclass
class TownRefresh:
    figures: TenantFigures
    usage: list[TenantUsageMonth]


def read_town(
    town: Collectivite, now: datetime.datetime, months: Iterable[datetime.date]
) -> TownRefresh:
    """Everything the console keeps about one town, read in its schema (nothing written)."""
    with schema_context(town.schema_name), transaction.atomic():
        # A savepoint: a failing read leaves the connection usable for the next town.
        row = TenantFigures(
            collectivite=town,
            active_residents_30d=figures.active_accounts(now - ACTIVE_WINDOW),
            last_activity_at=figures.last_activity(),
            migrations_behind=migrations_behind(),
            refreshed_at=now,
        )
        usage = [
            TenantUsageMonth(
                collectivite=town,
                month=month,
                counts=figures.count_month(*_bounds(month)),
                refreshed_at=now,
            )
            for month in months
        ]
    return TownRefresh(row, usage)


def refresh_towns(pks: list[int], *, usage_months: int = 0) -> list[int]:
    """Refresh these towns (those still serving); return the pks of those that failed.

    One town failing does not stop the others; what succeeded is written at once, in two bulk
    upserts, so running it again changes nothing but the figures themselves (idempotent).
    """
    now = timezone.now()
    months = recent_months(now, usage_months) if usage_months else []
    done: list[TownRefresh] = []
    failed: list[int] = []
    for town in Collectivite.objects.filter(pk__in=pks, status=Collectivite.Status.READY):
        try:
            done.append(read_town(town, now, months))
        except Exception:  # any failure of one town is retried; the others go on
            logger.exception("Figures of %s could not be read", town.schema_name)
            failed.append(town.pk)
    _write(done)
    return failed


def _write(done: list[TownRefresh]) -> None:
    if not done:
        return
    TenantFigures.objects.bulk_create(
        [refresh.figures for refresh in done],
        update_conflicts=True,
        unique_fields=["collectivite"],
        update_fields=[
            "active_residents_30d",
            "last_activity_at",
            "migrations_behind",
            "refreshed_at",
        ],
    )
    list_cache.bump()  # a bulk upsert sends no signal
    usage = [month for refresh in done for month in refresh.usage]
    if usage:
        TenantUsageMonth.objects.bulk_create(
            usage,
            update_conflicts=True,
            unique_fields=["collectivite", "month"],
            update_fields=["counts", "refreshed_at"],
        )
