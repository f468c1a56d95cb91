"""Carpooling: a driver offers seats on a ride, residents book them, the driver may refuse one.

Bookings never exceed the seats: booking locks the ride's post, then counts the seats booked,
so two requests for the last seat at the same instant are decided one after the other.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Sum
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from mutual_aid import kinds
from mutual_aid.exchanges.common import (
    ExchangeError,
    clean_text,
    create_post,
    ensure_author,
    ensure_may_join,
    locked_post,
    name_of,
    tell,
)
from mutual_aid.models import TITLE_MAX, CarpoolDetails, Post, SeatBooking
from tenants import audit
from tenants.dates import long_date
from townsite.models import Neighbourhood

MAX_SEATS = 8
PLACE_MAX = CarpoolDetails._meta.get_field("departure").max_length or 120
WEEK = timedelta(days=7)
Recurrence = CarpoolDetails.Recurrence


def next_departure(details: CarpoolDetails, now: datetime | None = None) -> datetime | None:
    """The next time the car leaves: the one date, or for a weekly ride the first week's time
    still to come (same local time every week, whatever the summer/winter change)."""
    now = now or timezone.now()
    if details.departs_at > now:
        return details.departs_at
    if details.recurrence != Recurrence.WEEKLY:
        return None
    first = timezone.localtime(details.departs_at)
    weeks = -(-(now - details.departs_at) // WEEK)  # whole weeks, rounded up
    local = first.replace(tzinfo=None) + weeks * WEEK
    moment = timezone.make_aware(local, first.tzinfo)
    return moment if moment > now else timezone.make_aware(local + WEEK, first.tzinfo)


def departure_text(details: CarpoolDetails, moment: datetime | None = None) -> str:
    moment = timezone.localtime(moment or details.departs_at)
    return _("%(day)s at %(time)s") % {
        "day": long_date(moment),
        "time": formats.time_format(moment, "TIME_FORMAT"),
    }


@transaction.atomic
def publish_carpool(
    author: User,
    *,
    departure: str,
    destination: str,
    departs_at: datetime,
    seats: int,
    recurrence: str = Recurrence.ONCE,
    description: str = "",
    neighbourhood: Neighbourhood | None = None,
) -> Post:
    """Offer seats on a ride: its post (titled from → to) and its details at once."""
    departure = clean_text(
        departure, limit=PLACE_MAX, required=True, missing=_("Please say where you leave from.")
    )
    destination = clean_text(
        destination, limit=PLACE_MAX, required=True, missing=_("Please say where you are going.")
    )
    if recurrence not in Recurrence.values:
        raise ExchangeError(_("Please say if the ride is once or every week."))
    if departs_at <= timezone.now():
        raise ExchangeError(_("The departure cannot be in the past."))
    if not 1 <= seats <= MAX_SEATS:
        raise ExchangeError(_("Please offer between 1 and %(max)s seats.") % {"max": MAX_SEATS})
    weekly = recurrence == Recurrence.WEEKLY
    when = timezone.localtime(departs_at)
    post = create_post(
        author,
        post_type=Post.Type.CARPOOL,
        title=f"{departure} → {destination}"[:TITLE_MAX],
        description=description,
        neighbourhood=neighbourhood,
        when=Post.When.REGULAR if weekly else Post.When.DATE,
        date_start=when.date(),
        rhythm=_("Every week") if weekly else "",
        # A single ride leaves the lists once the car has gone.
        expires_at=None if weekly else departs_at,
    )
    CarpoolDetails.objects.create(
        post=post,
        departure=departure,
        destination=destination,
        departs_at=departs_at,
        seats=seats,
        recurrence=recurrence,
    )
    return post


def seats_taken(post: Post) -> int:
    booked = SeatBooking.objects.filter(post=post, status=SeatBooking.Status.BOOKED)
    return int(booked.aggregate(total=Sum("seats"))["total"] or 0)


@transaction.atomic
def book_seats(post: Post, by: User, *, seats: int = 1) -> SeatBooking:
    """A resident books seats; refused when fewer are left (counted under the ride's lock)."""
    post = locked_post(post.pk, Post.Type.CARPOOL)
    ensure_may_join(by, post)
    details = CarpoolDetails.objects.get(post=post)
    if next_departure(details) is None:
        raise ExchangeError(_("This ride has already left."))
    if not 1 <= seats <= MAX_SEATS:
        raise ExchangeError(_("Please book between 1 and %(max)s seats.") % {"max": MAX_SEATS})
    mine = SeatBooking.objects.filter(post=post, passenger=by)
    if mine.filter(status=SeatBooking.Status.REFUSED).exists():
        raise ExchangeError(_("The driver has declined your booking on this ride."))
    if mine.filter(status=SeatBooking.Status.BOOKED).exists():
        raise ExchangeError(_("You have already booked on this ride."))
    left = details.seats - seats_taken(post)
    if left <= 0:
        raise ExchangeError(_("There is no seat left in this car."))
    if seats > left:
        raise ExchangeError(
            ngettext(
                "Only %(left)s seat is left in this car.",
                "Only %(left)s seats are left in this car.",
                left,
            )
            % {"left": left}
        )
    booking = SeatBooking.objects.create(post=post, passenger=by, seats=seats)
    audit.record(
        "carpool.book", actor=by, target=booking, target_label=post.title, after={"seats": seats}
    )
    tell(
        post.author,
        kinds.CARPOOL.code,
        post,
        ngettext(
            "%(name)s booked %(seats)s seat on your ride “%(title)s”",
            "%(name)s booked %(seats)s seats on your ride “%(title)s”",
            seats,
        )
        % {"name": name_of(by), "seats": seats, "title": post.title},
        by,
    )
    return booking


def _locked_booking(booking: SeatBooking) -> tuple[Post, SeatBooking]:
    post = locked_post(booking.post_id, Post.Type.CARPOOL)
    return post, SeatBooking.objects.select_for_update().get(pk=booking.pk)


def _end(booking: SeatBooking, *, status: str) -> None:
    booking.status = status
    booking.save(update_fields=["status", "updated_at"])


@transaction.atomic
def refuse_passenger(booking: SeatBooking, *, by: User) -> SeatBooking:
    """The driver declines a passenger: their seats are free again and they are told."""
    post, booking = _locked_booking(booking)
    ensure_author(by, post)
    if booking.status == SeatBooking.Status.REFUSED:
        return booking
    if booking.status != SeatBooking.Status.BOOKED:
        raise ExchangeError(_("This booking was already cancelled."))
    _end(booking, status=SeatBooking.Status.REFUSED)
    audit.record(
        "carpool.refuse",
        actor=by,
        target=booking,
        target_label=post.title,
        after={"seats": booking.seats, "passenger": name_of(booking.passenger)},
    )
    tell(
        booking.passenger,
        kinds.CARPOOL.code,
        post,
        _("%(name)s cannot take you on the ride “%(title)s”")
        % {"name": name_of(by), "title": post.title},
        by,
    )
    return booking


@transaction.atomic
def cancel_booking(booking: SeatBooking, *, by: User) -> SeatBooking:
    """A passenger gives their seats back; the driver is told."""
    post, booking = _locked_booking(booking)
    if booking.passenger_id != by.pk:
        raise ExchangeError(_("Only the passenger can cancel this booking."))
    if booking.status == SeatBooking.Status.CANCELLED:
        return booking
    if booking.status != SeatBooking.Status.BOOKED:
        raise ExchangeError(_("The driver has already declined this booking."))
    _end(booking, status=SeatBooking.Status.CANCELLED)
    audit.record(
        "carpool.cancel",
        actor=by,
        target=booking,
        target_label=post.title,
        after={"seats": booking.seats},
    )
    tell(
        post.author,
        kinds.CARPOOL.code,
        post,
        _("%(name)s cancelled their booking on your ride “%(title)s”")
        % {"name": name_of(by), "title": post.title},
        by,
    )
    return booking
