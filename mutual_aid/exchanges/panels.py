"""What a post's exchange panel shows to the person looking: read only, never writes."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import formats, timezone

from mutual_aid.exchanges import carpooling, group_purchases, lending
from mutual_aid.exchanges.forms import BookSeatsForm, BorrowForm, CommitForm
from mutual_aid.models import (
    CarpoolDetails,
    Commitment,
    GroupPurchaseDetails,
    LoanDetails,
    LoanRequest,
    Post,
    SeatBooking,
)

CALENDAR_MONTHS = 2
# Requests the owner still has to act on, or that hold the object: the rest is history.
LIVE_LOANS = (LoanRequest.Status.REQUESTED, *LoanRequest.HOLDING)


@dataclass(frozen=True)
class Day:
    day: datetime.date | None  # None: a blank cell before the 1st or after the last day
    taken: bool = False
    today: bool = False


@dataclass(frozen=True)
class Month:
    name: str
    weeks: list[list[Day]]


def calendar_months(
    periods: list[lending.TakenPeriod], count: int = CALENDAR_MONTHS
) -> list[Month]:
    """This month and the next, week by week from Monday, the taken days marked."""
    today = timezone.localdate()
    taken = {
        period.start + datetime.timedelta(days=offset)
        for period in periods
        for offset in range((period.end - period.start).days + 1)
    }
    months = []
    year, month = today.year, today.month
    for _index in range(count):
        weeks = [
            [
                Day(day, taken=day in taken, today=day == today)
                if day.month == month
                else Day(None)
                for day in week
            ]
            for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
        ]
        name = formats.date_format(datetime.date(year, month, 1), "F Y")
        months.append(Month(name=name, weeks=weeks))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def weekday_names() -> list[tuple[str, str]]:
    """(short, full) names of the days, Monday first, in the active language."""
    monday = datetime.date(2024, 1, 1)
    return [
        (
            formats.date_format(monday + datetime.timedelta(days=i), "D"),
            formats.date_format(monday + datetime.timedelta(days=i), "l"),
        )
        for i in range(7)
    ]


def loan_panel(post: Post, user: Any, form: BorrowForm | None = None) -> dict[str, Any]:
    details = LoanDetails.objects.filter(post=post).first()
    periods = lending.taken_periods(post)
    is_owner = post.author_id == user.pk
    requests = LoanRequest.objects.filter(post=post).select_related("borrower")
    context: dict[str, Any] = {
        "template": "mutual_aid/exchanges/_loan_panel.html",
        "details": details,
        "periods": periods,
        "months": calendar_months(periods),
        "weekdays": weekday_names(),
        "is_owner": is_owner,
    }
    if is_owner:
        context["requests"] = list(requests.filter(status__in=LIVE_LOANS))
    else:
        context["my_requests"] = list(
            requests.filter(borrower=user).exclude(
                status__in=(LoanRequest.Status.CANCELLED, LoanRequest.Status.RETURNED)
            )
        )
        context["form"] = form or BorrowForm()
        context["may_ask"] = post.is_open and post.author_id is not None
    return context


def carpool_panel(post: Post, user: Any, form: BookSeatsForm | None = None) -> dict[str, Any]:
    details = CarpoolDetails.objects.filter(post=post).first()
    if details is None:
        return {}
    bookings = list(
        SeatBooking.objects.filter(post=post, status=SeatBooking.Status.BOOKED).select_related(
            "passenger"
        )
    )
    left = details.seats - sum(booking.seats for booking in bookings)
    leaves = carpooling.next_departure(details)
    is_driver = post.author_id == user.pk
    mine = SeatBooking.objects.filter(post=post, passenger=user).exclude(
        status=SeatBooking.Status.CANCELLED
    )
    return {
        "template": "mutual_aid/exchanges/_carpool_panel.html",
        "details": details,
        "leaves": leaves,
        "leaves_text": carpooling.departure_text(details, leaves),
        "seats_left": max(0, left),
        "is_driver": is_driver,
        "passengers": bookings if is_driver else [],
        "my_booking": None if is_driver else mine.first(),
        "form": form or BookSeatsForm(),
        "may_book": post.is_open and leaves is not None and left > 0 and not is_driver,
    }


def purchase_panel(post: Post, user: Any, form: CommitForm | None = None) -> dict[str, Any]:
    details = GroupPurchaseDetails.objects.filter(post=post).first()
    if details is None:
        return {}
    is_organiser = post.author_id == user.pk
    mine = Commitment.objects.filter(post=post, resident=user).first()
    open_ = details.closed_at is None and details.deadline >= timezone.localdate()
    initial = {"quantity": mine.quantity} if mine else {}
    return {
        "template": "mutual_aid/exchanges/_purchase_panel.html",
        "details": details,
        "progress": group_purchases.progress(post, details),
        "is_organiser": is_organiser,
        "commitments": (
            list(Commitment.objects.filter(post=post).select_related("resident"))
            if is_organiser
            else []
        ),
        "mine": mine,
        "form": form or CommitForm(initial=initial),
        "may_commit": open_ and post.is_open,
        "closed": details.closed_at is not None,
        "deadline_passed": details.deadline < timezone.localdate(),
        "outcome_reached": details.outcome == GroupPurchaseDetails.Outcome.REACHED,
    }


PANELS = {
    Post.Type.LOAN: loan_panel,
    Post.Type.CARPOOL: carpool_panel,
    Post.Type.GROUP_PURCHASE: purchase_panel,
}


def panel_for(post: Post, user: Any, form: Any = None) -> dict[str, Any]:
    """The panel's context for this post and person ({} for a post with no exchange)."""
    build = PANELS.get(post.type)  # type: ignore[call-overload]
    if build is None or not getattr(user, "is_authenticated", False):
        return {}
    return {"post": post, **build(post, user, form)}
