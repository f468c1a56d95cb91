"""What other pages read of the exchanges (the home page: the next carpools). Never writes."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from mutual_aid.access import listed_posts
from mutual_aid.exchanges.carpooling import WEEK, next_departure
from mutual_aid.models import CarpoolDetails, Post, SeatBooking


class _WeeksSince(Func):
    """Whole weeks from the first departure to `now`, rounded up, never below zero."""

    arg_joiner = " - "
    template = "GREATEST(0, CEIL(EXTRACT(EPOCH FROM (%(expressions)s)) / 604800.0))::integer"
    output_field = IntegerField()


@dataclass(frozen=True)
class UpcomingCarpool:
    post: Post
    details: CarpoolDetails
    departs_at: datetime.datetime
    seats_left: int

    @property
    def weekly(self) -> bool:
        return self.details.recurrence == CarpoolDetails.Recurrence.WEEKLY


def upcoming_carpools(limit: int, *, user: Any) -> list[UpcomingCarpool]:
    """The next rides leaving, soonest first, among the posts this person may browse (guests:
    none), with the seats still free. One query, whatever the number of rides."""
    now = timezone.now()
    posts = listed_posts(user).filter(
        type=Post.Type.CARPOOL, status=Post.Status.OPEN, expires_at__gt=now
    )
    weeks = _WeeksSince(Value(now, output_field=DateTimeField()), F("departs_at"))
    rides = (
        CarpoolDetails.objects.filter(post__in=posts)
        .filter(Q(departs_at__gt=now) | Q(recurrence=CarpoolDetails.Recurrence.WEEKLY))
        .annotate(
            # A weekly ride's next time in UTC weeks: exact to the hour, the order is all we
            # need from it (next_departure gives the local time to show).
            next_at=ExpressionWrapper(
                F("departs_at") + weeks * Value(WEEK, output_field=DurationField()),
                output_field=DateTimeField(),
            ),
            seats_booked=Coalesce(
                Sum(
                    "post__seat_bookings__seats",
                    filter=Q(post__seat_bookings__status=SeatBooking.Status.BOOKED),
                ),
                0,
            ),
        )
        .select_related("post", "post__category", "post__author", "post__neighbourhood")
        .order_by("next_at", "pk")[:limit]
    )
    found = []
    for ride in rides:
        leaves = next_departure(ride, now)
        if leaves is not None:
            left = max(0, ride.seats - ride.seats_booked)
            found.append(UpcomingCarpool(ride.post, ride, leaves, left))
    return found
