"""The dashboard's figures, each computed by SQL aggregates in a fixed number of queries
(whatever the number of posts and messages). Reads only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import TruncMonth
from django.utils import timezone

from mutual_aid.models import Category, Commitment, LoanRequest, Message, Post, SeatBooking

ACTIVE_DAYS = 30
MONTHS = 12
UNANSWERED_DAYS = 7
UNANSWERED_SHOWN = 100


class Median(Aggregate):
    """PostgreSQL's continuous median (an interval for durations)."""

    function = "PERCENTILE_CONT"
    name = "median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"


@dataclass(frozen=True)
class MonthRow:
    month: date  # its first day
    posts: int
    helped: int


@dataclass(frozen=True)
class CategoryRow:
    name: str
    icon: str
    posts: int
    helped: int


@dataclass(frozen=True)
class FirstAnswer:
    median: timedelta | None  # None: no post was answered in the period
    answered_posts: int


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


def _published() -> Q:
    # What moderators hid is not activity the town counts; a post its author deleted was.
    return Q(hidden_at__isnull=True)


def active_residents(now: datetime) -> int:
    """Residents who posted, answered (a message, a seat, a commitment, a loan asked) or
    messaged in the last 30 days: one query, each person once (UNION removes duplicates)."""
    since = now - timedelta(days=ACTIVE_DAYS)
    authors = Post.objects.filter(created_at__gte=since, author__isnull=False).values("author_id")
    senders = Message.objects.filter(created_at__gte=since, sender__isnull=False).values(
        "sender_id"
    )
    passengers = SeatBooking.objects.filter(created_at__gte=since, passenger__isnull=False).values(
        "passenger_id"
    )
    buyers = Commitment.objects.filter(created_at__gte=since).values("resident_id")
    borrowers = LoanRequest.objects.filter(created_at__gte=since, borrower__isnull=False).values(
        "borrower_id"
    )
    return authors.union(senders, passengers, buyers, borrowers).count()


def per_month(now: datetime) -> list[MonthRow]:
    """Posts published and help given in each of the last 12 months (two queries)."""
    start = period_start(now)

    def counted(posts: QuerySet[Post], field: str) -> dict[date, int]:
        rows = (
            posts.annotate(month=TruncMonth(field))
            .order_by()
            .values("month")
            .annotate(total=Count("pk"))
        )
        return {timezone.localtime(row["month"]).date(): row["total"] for row in rows}

    posted = counted(Post.objects.filter(_published(), created_at__gte=start), "created_at")
    helped = counted(
        Post.objects.filter(_published(), helped_at__gte=start, helped_at__lte=now), "helped_at"
    )
    return [
        MonthRow(month=month, posts=posted.get(month, 0), helped=helped.get(month, 0))
        for month in month_starts(now)
    ]


def per_category(now: datetime) -> list[CategoryRow]:
    """Posts and help given per category over the last 12 months (one query)."""
    start = period_start(now)
    published = Q(posts__hidden_at__isnull=True)
    categories = Category.objects.annotate(
        posted=Count("posts", filter=published & Q(posts__created_at__gte=start)),
        helped=Count(
            "posts", filter=published & Q(posts__helped_at__gte=start, posts__helped_at__lte=now)
        ),
    ).order_by("position", "name")
    return [
        CategoryRow(name=c.name, icon=c.icon, posts=c.posted, helped=c.helped) for c in categories
    ]


def _answers_by_others() -> QuerySet[Message]:
    """Messages on the outer post's conversations written by someone other than its author."""
    return Message.objects.filter(conversation__post=OuterRef("pk"), sender__isnull=False).exclude(
        sender_id=OuterRef("author_id")
    )


def first_answer(now: datetime) -> FirstAnswer:
    """The median time from a post to its first answer by someone else, over the posts of the
    last 12 months that got one (one query)."""
    first_at = Subquery(_answers_by_others().order_by("created_at").values("created_at")[:1])
    found = (
        Post.objects.filter(_published(), created_at__gte=period_start(now), author__isnull=False)
        .annotate(first_answer_at=first_at)
        .filter(first_answer_at__isnull=False)
        .aggregate(
            median=Median(F("first_answer_at") - F("created_at"), output_field=DurationField()),
            answered=Count("pk"),
        )
    )
    return FirstAnswer(median=found["median"], answered_posts=found["answered"])


def unanswered_requests(now: datetime) -> QuerySet[Post]:
    """Requests still open after 7 days that nobody but their author has written about."""
    return (
        Post.objects.filter(
            _published(),
            kind=Post.Kind.REQUEST,
            status=Post.Status.OPEN,
            deleted_at__isnull=True,
            expires_at__gt=now,
            created_at__lte=now - timedelta(days=UNANSWERED_DAYS),
        )
        .filter(~Exists(_answers_by_others()))
        .select_related("category", "neighbourhood")
        .order_by("created_at", "pk")
    )


def days_between(earlier: datetime, later: datetime) -> int:
    return (later - earlier).days


def duration_parts(duration: timedelta | None) -> tuple[int, int, int] | None:
    """(days, hours, minutes) of a duration, rounded to the minute."""
    if duration is None:
        return None
    minutes = round(duration.total_seconds() / 60)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    return days, hours, minutes
