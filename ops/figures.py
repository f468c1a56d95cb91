"""What each app counts in a town's schema for the console: its usage per month and who was active.

The console (floor 4) may not import the modules above it, so each module registers its own
counters here from its AppConfig.ready. Every function runs with the town's schema active.
Accounts (below the console) is registered by the console itself, at the end of this module.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Max
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User

CountFunction = Callable[[datetime.datetime, datetime.datetime], int]


@dataclass(frozen=True)
class Counter:
    name: str  # the key kept in TenantUsageMonth.counts: never rename one
    label: str | Promise  # the usage table's column heading
    count: CountFunction  # (month_start, month_end) -> how many; end excluded


@dataclass(frozen=True)
class ActivitySource:
    name: str
    # The accounts that did this since the given moment (their ids).
    actors: Callable[[datetime.datetime], Iterable[int | None]]
    # When it was last done by anyone, or None.
    latest: Callable[[], datetime.datetime | None]


_counters: dict[str, Counter] = {}
_activity: dict[str, ActivitySource] = {}


def register_counter(name: str, label: str | Promise, count: CountFunction) -> None:
    """A column of the usage table; registering a name again replaces it (reloads, tests)."""
    _counters[name] = Counter(name, label, count)


def register_activity(
    name: str,
    actors: Callable[[datetime.datetime], Iterable[int | None]],
    latest: Callable[[], datetime.datetime | None],
) -> None:
    """Something residents do that makes them active (a post, an answer...)."""
    _activity[name] = ActivitySource(name, actors, latest)


def counters() -> list[Counter]:
    return list(_counters.values())


def count_month(start: datetime.datetime, end: datetime.datetime) -> dict[str, int]:
    """Every counter for [start, end), in the active town schema."""
    return {counter.name: int(counter.count(start, end)) for counter in _counters.values()}


def active_accounts(since: datetime.datetime) -> int:
    """How many accounts did anything registered since `since` (each counted once)."""
    people: set[int] = set()
    for source in _activity.values():
        people.update(pk for pk in source.actors(since) if pk is not None)
    return len(people)


def last_activity() -> datetime.datetime | None:
    moments = [moment for source in _activity.values() if (moment := source.latest())]
    return max(moments, default=None)


# --- Accounts: every account of the town counts (residents, moderators and admins alike) ----


def _accounts_at(start: datetime.datetime, end: datetime.datetime) -> int:
    return User.objects.filter(is_active=True, date_joined__lt=end).count()


def _accounts_joined(start: datetime.datetime, end: datetime.datetime) -> int:
    return User.objects.filter(date_joined__gte=start, date_joined__lt=end).count()


register_counter("residents", _("Residents"), _accounts_at)
register_counter("new_residents", _("New residents"), _accounts_joined)
register_activity(
    "login",
    lambda since: User.objects.filter(last_login__gte=since).values_list("pk", flat=True),
    lambda: User.objects.aggregate(at=Max("last_login"))["at"],
)
