"""Carpooling: a ride offered, seats booked within the seats offered, the driver's refusals."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import User
from mutual_aid.exchanges import carpooling
from mutual_aid.exchanges.common import ExchangeError
from mutual_aid.exchanges.queries import upcoming_carpools
from mutual_aid.factories import CarpoolDetailsFactory, CarpoolPostFactory
from mutual_aid.models import CarpoolDetails, Category, Post, SeatBooking
from mutual_aid.posting.services import update_post
from tenants.models import Collectivite
from tests.exchanges_support import (
    SCRIPT,
    SCRIPT_SHOWN,
    SUSPENDED,
    audit_codes,
    iso_in_days,
    read_only,
    suspend_everyone,
    told,
)
from tests.helpers import body

pytestmark = pytest.mark.django_db

NEW_CARPOOL = reverse("mutual_aid:new_carpool")
FORM = {
    "departure": "Place de la mairie",
    "destination": "Gare de Plaisir",
    "date": iso_in_days(3),
    "time": "08:15",
    "seats": "3",
    "recurrence": "once",
}
PARIS = ZoneInfo("Europe/Paris")


@pytest.fixture
def in_a(town_a: Collectivite) -> Iterator[None]:
    with schema_context(town_a.schema_name):
        yield


@pytest.fixture
def passenger_a(town_a: Collectivite) -> User:
    with schema_context(town_a.schema_name):
        return UserFactory.create(display_name="Paulette Passagère")


def _ride(town: Collectivite, driver: User, seats: int = 2, **details: object) -> Post:
    with schema_context(town.schema_name):
        post = CarpoolPostFactory.create(author=driver, carpool=None, title="Vers la gare")
        CarpoolDetailsFactory.create(post=post, seats=seats, **details)
        return post


# --- Offering a ride ----------------------------------------------------------------------


def test_the_new_ride_page_publishes_it_with_its_details(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    client = client_for(town_a, resident_a)
    assert client.get(NEW_CARPOOL).status_code == 200
    response = client.post(NEW_CARPOOL, FORM)
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        post = Post.objects.get()
        details = CarpoolDetails.objects.get(post=post)
        assert (post.type, post.category.slug) == ("carpool", "covoiturage")
        assert post.title == "Place de la mairie → Gare de Plaisir"
        leaves = timezone.localtime(details.departs_at)
        assert (leaves.date().isoformat(), leaves.strftime("%H:%M")) == (FORM["date"], "08:15")
        assert post.expires_at == details.departs_at  # a single ride leaves the lists with it
        assert audit_codes(town_a, "post.") == ["post.create"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"date": iso_in_days(-1)}, "Le départ ne peut pas être dans le passé."),
        ({"seats": "0"}, "Indiquez un nombre entier entre 1 et 8."),
        ({"seats": "9"}, "Indiquez un nombre entier entre 1 et 8."),
        ({"seats": "deux"}, "Indiquez un nombre entier entre 1 et 8."),
        ({"departure": ""}, "Indiquez le lieu de départ."),
        ({"destination": "x" * 10_000}, "au plus 120 caractères"),
    ],
)
def test_bad_rides_are_refused_in_french_and_keep_what_was_typed(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    changes: dict[str, str],
    message: str,
) -> None:
    response = client_for(town_a, resident_a).post(NEW_CARPOOL, {**FORM, **changes})
    assert response.status_code == 400
    page = body(response)
    assert message in page
    assert 'value="08:15"' in page
    with schema_context(town_a.schema_name):
        assert not Post.objects.exists()


def test_the_service_refuses_a_past_departure(resident_a: User, in_a: None) -> None:
    with pytest.raises(ExchangeError, match="passé"):
        carpooling.publish_carpool(
            resident_a,
            departure="Ici",
            destination="Là",
            departs_at=timezone.now() - datetime.timedelta(minutes=1),
            seats=2,
        )
    assert not Post.objects.exists()


def test_a_ride_goes_under_other_if_the_town_switched_carpooling_off(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    with schema_context(town_a.schema_name):
        Category.objects.filter(slug="covoiturage").update(enabled=False)
    assert client_for(town_a, resident_a).post(NEW_CARPOOL, FORM).status_code == 302
    with schema_context(town_a.schema_name):
        assert Post.objects.get().category.slug == "autre"


def test_a_ride_without_description_can_be_corrected_by_its_driver(
    resident_a: User, in_a: None
) -> None:
    post = carpooling.publish_carpool(
        resident_a,
        departure="Ici",
        destination="Là",
        departs_at=timezone.now() + datetime.timedelta(days=2),
        seats=2,
    )
    assert post.description == ""
    update_post(post, resident_a, title="Ici → la gare")
    post.refresh_from_db()
    assert (post.title, post.description) == ("Ici → la gare", "")


def test_html_in_a_ride_is_shown_as_text(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    client = client_for(town_a, resident_a)
    fields = {"departure": SCRIPT, "destination": SCRIPT, "description": SCRIPT}
    assert client.post(NEW_CARPOOL, {**FORM, **fields}).status_code == 302
    with schema_context(town_a.schema_name):
        post = Post.objects.get()
    page = body(client.get(reverse("mutual_aid:detail", args=[post.pk])))
    assert SCRIPT not in page
    assert page.count(SCRIPT_SHOWN) >= 4  # title, description, departure, destination


def test_a_suspended_resident_cannot_offer_a_ride_nor_book(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    passenger_a: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ride = _ride(town_a, resident_a)
    suspend_everyone(monkeypatch)
    assert client_for(town_a, resident_a).post(NEW_CARPOOL, FORM).status_code == 403
    booked = client_for(town_a, passenger_a).post(
        reverse("mutual_aid:carpool_book", args=[ride.pk]), {"ride-seats": "1"}
    )
    assert booked.status_code == 400 and SUSPENDED in body(booked)
    with schema_context(town_a.schema_name):
        assert Post.objects.count() == 1 and not SeatBooking.objects.exists()


def test_no_ride_nor_booking_on_a_read_only_site(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, passenger_a: User
) -> None:
    ride = _ride(town_a, resident_a)
    read_only(town_a)
    assert client_for(town_a, resident_a).post(NEW_CARPOOL, FORM).status_code == 403
    booked = client_for(town_a, passenger_a).post(
        reverse("mutual_aid:carpool_book", args=[ride.pk]), {"ride-seats": "1"}
    )
    assert booked.status_code == 403
    with schema_context(town_a.schema_name):
        assert not SeatBooking.objects.exists()


# --- Booking ------------------------------------------------------------------------------


def test_booking_tells_the_driver_and_counts_the_seats(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, passenger_a: User
) -> None:
    ride = _ride(town_a, resident_a, seats=3)
    passenger = client_for(town_a, passenger_a)
    response = passenger.post(
        reverse("mutual_aid:carpool_book", args=[ride.pk]), {"ride-seats": "2"}
    )
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        assert SeatBooking.objects.get().seats == 2
        assert told(resident_a, "mutual_aid.carpool") == [
            "Paulette Passagère a réservé 2 places sur votre trajet « Vers la gare »"
        ]
        assert audit_codes(town_a, "carpool.") == ["carpool.book"]
    page = body(passenger.get(response["Location"]))
    assert "1 place libre sur 3" in page and "Vous avez réservé 2 places." in page


def test_booking_more_seats_than_left_is_refused_and_keeps_the_number(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, passenger_a: User
) -> None:
    ride = _ride(town_a, resident_a, seats=2)
    with schema_context(town_a.schema_name):
        carpooling.book_seats(ride, UserFactory.create(), seats=1)
    response = client_for(town_a, passenger_a).post(
        reverse("mutual_aid:carpool_book", args=[ride.pk]), {"ride-seats": "2"}
    )
    assert response.status_code == 400
    page = body(response)
    assert "Il ne reste que 1 place dans cette voiture." in page
    assert 'name="ride-seats" value="2"' in page
    with schema_context(town_a.schema_name):
        assert SeatBooking.objects.count() == 1


def test_a_full_car_says_there_is_no_seat_left(
    resident_a: User, passenger_a: User, town_a: Collectivite, in_a: None
) -> None:
    ride = _ride(town_a, resident_a, seats=1)
    carpooling.book_seats(ride, UserFactory.create(), seats=1)
    with pytest.raises(ExchangeError, match="plus de place"):
        carpooling.book_seats(ride, passenger_a, seats=1)


@pytest.mark.parametrize("seats", ["0", "-1", "une"])
def test_a_silly_number_of_seats_is_refused_in_french(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    passenger_a: User,
    seats: str,
) -> None:
    ride = _ride(town_a, resident_a)
    response = client_for(town_a, passenger_a).post(
        reverse("mutual_aid:carpool_book", args=[ride.pk]), {"ride-seats": seats}
    )
    assert response.status_code == 400
    assert "Indiquez un nombre entier entre 1 et 8." in body(response)


def test_one_booking_per_passenger_and_none_by_the_driver(
    town_a: Collectivite, resident_a: User, passenger_a: User, in_a: None
) -> None:
    ride = _ride(town_a, resident_a, seats=4)
    carpooling.book_seats(ride, passenger_a)
    with pytest.raises(ExchangeError, match="déjà réservé"):
        carpooling.book_seats(ride, passenger_a)
    with pytest.raises(ExchangeError, match="votre propre annonce"):
        carpooling.book_seats(ride, resident_a)


def test_a_ride_that_has_left_takes_no_booking(
    town_a: Collectivite, resident_a: User, passenger_a: User, in_a: None
) -> None:
    ride = _ride(town_a, resident_a, departs_at=timezone.now() + datetime.timedelta(hours=1))
    ride.expires_at = timezone.now() + datetime.timedelta(days=5)
    ride.save(update_fields=["expires_at"])
    later = timezone.now() + datetime.timedelta(hours=2)
    with time_machine.travel(later), pytest.raises(ExchangeError, match="déjà eu lieu"):
        carpooling.book_seats(ride, passenger_a)


# --- The driver and the passengers --------------------------------------------------------


def test_the_driver_sees_the_passengers_by_name_only(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, passenger_a: User
) -> None:
    ride = _ride(town_a, resident_a)
    with schema_context(town_a.schema_name):
        booking = carpooling.book_seats(ride, passenger_a)
    page = body(client_for(town_a, resident_a).get(reverse("mutual_aid:detail", args=[ride.pk])))
    assert "Paulette Passagère" in page
    assert passenger_a.email not in page
    assert reverse("mutual_aid:carpool_refuse", args=[booking.pk]) in page


def test_refusing_a_passenger_frees_the_seats_and_tells_them(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, passenger_a: User
) -> None:
    ride = _ride(town_a, resident_a, seats=2)
    with schema_context(town_a.schema_name):
        booking = carpooling.book_seats(ride, passenger_a, seats=2)
    response = client_for(town_a, resident_a).post(
        reverse("mutual_aid:carpool_refuse", args=[booking.pk])
    )
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        booking.refresh_from_db()
        assert booking.status == "refused"
        assert carpooling.seats_taken(ride) == 0
        assert "ne peut pas vous emmener" in told(passenger_a, "mutual_aid.carpool")[-1]
        assert audit_codes(town_a, "carpool.") == ["carpool.book", "carpool.refuse"]
        with pytest.raises(ExchangeError, match="refusé votre réservation"):
            carpooling.book_seats(ride, passenger_a)
        assert carpooling.book_seats(ride, UserFactory.create(), seats=2).seats == 2


def test_a_passenger_cancels_and_the_driver_is_told(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, passenger_a: User
) -> None:
    ride = _ride(town_a, resident_a)
    with schema_context(town_a.schema_name):
        booking = carpooling.book_seats(ride, passenger_a)
    client_for(town_a, passenger_a).post(reverse("mutual_aid:carpool_cancel", args=[booking.pk]))
    with schema_context(town_a.schema_name):
        booking.refresh_from_db()
        assert booking.status == "cancelled"
        assert "a annulé sa réservation" in told(resident_a, "mutual_aid.carpool")[-1]


def test_only_the_driver_refuses_and_only_the_passenger_cancels(
    town_a: Collectivite, resident_a: User, passenger_a: User, in_a: None
) -> None:
    ride = _ride(town_a, resident_a)
    booking = carpooling.book_seats(ride, passenger_a)
    stranger = UserFactory.create()
    with pytest.raises(Exception, match="Seul l’auteur"):
        carpooling.refuse_passenger(booking, by=stranger)
    with pytest.raises(Exception, match="Seul l’auteur"):
        carpooling.refuse_passenger(booking, by=passenger_a)
    with pytest.raises(ExchangeError, match="Seul le passager"):
        carpooling.cancel_booking(booking, by=stranger)
    booking.refresh_from_db()
    assert booking.status == "booked"


# --- Next departures (the home page) ------------------------------------------------------


def test_the_next_departures_come_soonest_first_with_their_free_seats(
    town_a: Collectivite, resident_a: User, passenger_a: User, in_a: None
) -> None:
    now = timezone.now()
    later = _ride(town_a, resident_a, departs_at=now + datetime.timedelta(days=4), seats=3)
    soon = _ride(town_a, resident_a, departs_at=now + datetime.timedelta(hours=5))
    weekly = _ride(
        town_a,
        resident_a,
        departs_at=now - datetime.timedelta(days=6),  # left 6 days ago: back tomorrow
        recurrence="weekly",
    )
    gone = _ride(town_a, resident_a, departs_at=now - datetime.timedelta(hours=1))
    gone.expires_at = now + datetime.timedelta(days=3)
    gone.save(update_fields=["expires_at"])
    hidden = _ride(town_a, resident_a, departs_at=now + datetime.timedelta(hours=6))
    hidden.hidden_at = now
    hidden.save(update_fields=["hidden_at"])
    carpooling.book_seats(later, passenger_a, seats=2)

    found = upcoming_carpools(10, user=passenger_a)
    assert [ride.post for ride in found] == [soon, weekly, later]
    assert found[2].seats_left == 1
    assert found[1].departs_at == weekly.carpool.departs_at + datetime.timedelta(days=7)
    assert [ride.post for ride in upcoming_carpools(2, user=passenger_a)] == [soon, weekly]


def test_guests_get_no_departures(town_a: Collectivite, resident_a: User, in_a: None) -> None:
    from django.contrib.auth.models import AnonymousUser

    _ride(town_a, resident_a)
    assert len(upcoming_carpools(5, user=resident_a)) == 1
    assert upcoming_carpools(5, user=AnonymousUser()) == []


def test_a_weekly_ride_keeps_its_local_time_across_the_clock_change(
    town_a: Collectivite, resident_a: User, in_a: None
) -> None:
    first = datetime.datetime(2027, 3, 23, 8, 0, tzinfo=PARIS)  # a Tuesday, winter time
    details = CarpoolDetails(departs_at=first, recurrence="weekly", seats=2)
    after_change = datetime.datetime(2027, 3, 29, 12, 0, tzinfo=PARIS)  # summer time
    leaves = carpooling.next_departure(details, after_change)
    assert leaves is not None
    assert leaves.astimezone(PARIS).replace(tzinfo=None) == datetime.datetime(2027, 3, 30, 8, 0)


@pytest.mark.parametrize("extra", [0, 30])
def test_the_next_departures_cost_one_query_whatever_the_number_of_rides(
    town_a: Collectivite,
    resident_a: User,
    passenger_a: User,
    in_a: None,
    extra: int,
) -> None:
    for _n in range(3 + extra):
        ride = _ride(town_a, resident_a)
        carpooling.book_seats(ride, passenger_a)
    with CaptureQueriesContext(connection) as queries:
        found = upcoming_carpools(5, user=passenger_a)
        assert [ride.seats_left for ride in found] == [1] * min(5, 3 + extra)
        assert {ride.post.author for ride in found} == {resident_a}
        assert {ride.post.category.slug for ride in found} == {"covoiturage"}
    # The tenant's search path may be set first; the rides come in one query.
    assert [q["sql"][:6] for q in queries.captured_queries if "search_path" not in q["sql"]] == [
        "SELECT"
    ]
