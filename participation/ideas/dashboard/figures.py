"""The dashboard's figures, each computed by SQL aggregates in a fixed number of queries
(whatever the number of ideas and answers). Reads only.

The wait is from an idea's submission to the town's first official answer (IdeaAnswer,
written by participation.ideas.answers). Merged duplicates are left out: a merge says where
the idea went, not what the town thinks of it. Hidden ideas are left out too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    Aggregate,
    Case,
    Count,
    DurationField,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import BooleanField as BooleanOutput
from django.db.models.functions import TruncMonth
from django.utils import timezone

from participation.ideas.models import Idea, IdeaAnswer, IdeaCategory

MONTHS = 12
WAITING_SHOWN = 100
S = Idea.Status


class Percentile(Aggregate):
    """PostgreSQL's continuous percentile (an interval for durations)."""

    function = "PERCENTILE_CONT"
    name = "percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression: Any, fraction: float, **extra: Any) -> None:
        if not 0 <= fraction <= 1:
            raise ValueError("A percentile is between 0 and 1.")
        super().__init__(expression, fraction=repr(float(fraction)), **extra)


@dataclass(frozen=True)
class Wait:
    """How long the answered ideas waited: median and 90th percentile (None: none answered)."""

    median: timedelta | None
    p90: timedelta | None
    answered: int


@dataclass(frozen=True)
class MonthWait:
    month: date  # its first day
    wait: Wait


@dataclass(frozen=True)
class WaitingIdea:
    idea: Idea
    days: int
    promised: bool  # past the support threshold: the town promised to study it


@dataclass(frozen=True)
class CategoryRow:
    name: str
    ideas: int
    answered: int
    waiting: int


def month_starts(now: datetime, count: int = MONTHS) -> list[date]:
    """The first days of the last `count` months, the current one last (the town's time)."""
    today = timezone.localtime(now).date()
    year, month = today.year, today.month
    starts = []
    for _ in range(count):
        starts.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return starts[::-1]


def period_start(now: datetime) -> datetime:
    """The start of the dashboard's year: midnight on the first day of the oldest month."""
    first = month_starts(now)[0]
    return timezone.make_aware(datetime(first.year, first.month, 1))


def _counted() -> QuerySet[Idea]:
    """The ideas the dashboard counts: shown to residents, not merged away."""
    return Idea.objects.filter(hidden_at__isnull=True).exclude(status=S.MERGED)


def _answered_since(start: datetime, now: datetime) -> QuerySet[Idea]:
    """The counted ideas whose first answer came between `start` and `now`, with it."""
    first = (
        IdeaAnswer.objects.filter(idea=OuterRef("pk"))
        .exclude(status=S.MERGED)
        .order_by("created_at", "pk")
        .values("created_at")[:1]
    )
    return (
        _counted()
        .annotate(first_answer_at=Subquery(first))
        .filter(first_answer_at__gte=start, first_answer_at__lte=now)
    )


def _waited(fraction: float) -> Percentile:
    waited = F("first_answer_at") - F("created_at")
    return Percentile(waited, fraction, output_field=DurationField())


def wait_for_answer(now: datetime) -> Wait:
    """Over the ideas first answered in the last 12 months (one query)."""
    found = _answered_since(period_start(now), now).aggregate(
        median=_waited(0.5), p90=_waited(0.9), answered=Count("pk")
    )
    return Wait(median=found["median"], p90=found["p90"], answered=found["answered"])


def wait_per_month(now: datetime) -> list[MonthWait]:
    """The same for each of the last 12 months, by the month of the first answer (one
    query)."""
    rows = (
        _answered_since(period_start(now), now)
        .annotate(month=TruncMonth("first_answer_at"))
        .order_by()
        .values("month")
        .annotate(median=_waited(0.5), p90=_waited(0.9), answered=Count("pk"))
    )
    found = {
        timezone.localtime(row["month"]).date(): Wait(row["median"], row["p90"], row["answered"])
        for row in rows
    }
    empty = Wait(median=None, p90=None, answered=0)
    return [MonthWait(month=month, wait=found.get(month, empty)) for month in month_starts(now)]


def waiting_ideas(threshold: int) -> QuerySet[Idea]:
    """Ideas with no answer yet: those past the threshold first, then the oldest first."""
    return (
        _counted()
        .filter(status=S.SUBMITTED)
        .annotate(
            promised=Case(
                When(support_count__gte=threshold, then=Value(True)),
                default=Value(False),
                output_field=BooleanOutput(),
            )
        )
        .select_related("category", "neighbourhood")
        .order_by("-promised", "created_at", "pk")
    )


def waiting_rows(ideas: list[Idea], now: datetime) -> list[WaitingIdea]:
    return [
        WaitingIdea(idea=idea, days=days_between(idea.created_at, now), promised=idea.promised)  # type: ignore[attr-defined]
        for idea in ideas
    ]


def waiting_counts(threshold: int) -> dict[str, int]:
    """How many ideas wait, and how many of them past the threshold (one query)."""
    return _counted().aggregate(
        total=Count("pk", filter=Q(status=S.SUBMITTED)),
        promised=Count("pk", filter=Q(status=S.SUBMITTED, support_count__gte=threshold)),
    )


def per_status() -> list[tuple[str, str, int]]:
    """(code, label, ideas) for every status, merged ones included (one query)."""
    counts = dict(
        Idea.objects.filter(hidden_at__isnull=True)
        .order_by()
        .values_list("status")
        .annotate(total=Count("pk"))
        .values_list("status", "total")
    )
    return [(code, str(label), counts.get(code, 0)) for code, label in S.choices]


def per_category() -> list[CategoryRow]:
    """Ideas, answered and waiting per category (one query)."""
    counted = Q(ideas__hidden_at__isnull=True) & ~Q(ideas__status=S.MERGED)
    categories = IdeaCategory.objects.annotate(
        total=Count("ideas", filter=counted),
        waiting=Count("ideas", filter=counted & Q(ideas__status=S.SUBMITTED)),
    ).order_by("position", "name")
    return [
        CategoryRow(
            name=row.name, ideas=row.total, answered=row.total - row.waiting, waiting=row.waiting
        )
        for row in categories
    ]


def days_between(earlier: datetime, later: datetime) -> int:
    """Days on the town's calendar (an idea proposed yesterday evening waits since 1 day)."""
    return (timezone.localdate(later) - timezone.localdate(earlier)).days


def days(duration: timedelta | None) -> float | None:
    """A duration in days, to one decimal (None stays None)."""
    return None if duration is None else round(duration.total_seconds() / 86400, 1)
