"""Two decisions at the same instant, from two threads with their own connections: an object is
never promised twice for the same days, and a car never takes more passengers than its seats.

Each write is slowed down between its check and its save, so that without the post's row lock
both threads would pass the check: with it, the second waits and then sees the first's result.
What the threads share must be committed: the setup is committed and removed after.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import User
from mutual_aid.exchanges import carpooling, lending
from mutual_aid.exchanges.common import ExchangeError
from mutual_aid.factories import CarpoolDetailsFactory, CarpoolPostFactory, LoanPostFactory
from mutual_aid.models import LoanRequest, Post, SeatBooking
from tenants.models import AuditEntry, Collectivite
from tests.conftest import TOWNS
from tests.exchanges_support import in_days

SLOW = 0.3  # seconds between a write's check and its save


@dataclass
class Committed:
    schema: str
    host: str
    owner: User
    first: User
    second: User


@pytest.fixture
def committed(django_db_setup: None, django_db_blocker: Any) -> Iterator[Committed]:
    with django_db_blocker.unblock():
        town = Collectivite.objects.get(slug=TOWNS["a"]["slug"])
        last_entry = AuditEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        with schema_context(town.schema_name):
            people = [UserFactory.create(display_name=f"Course {n}") for n in range(3)]
    try:
        yield Committed(town.schema_name, town.primary_host, *people)
    finally:
        with django_db_blocker.unblock():
            with schema_context(town.schema_name):
                Post.objects.filter(author=people[0]).delete()
                User.objects.filter(pk__in=[person.pk for person in people]).delete()
            AuditEntry.objects.filter(pk__gt=last_entry).delete()


def _at_once(django_db_blocker: Any, *calls: Callable[[], Any]) -> list[Any]:
    """Run the calls in threads released together; their results, in the calls' order."""
    start = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        try:
            start.wait(timeout=10)
            results[index] = calls[index]()
        except BaseException as error:  # the test reads it
            results[index] = error
        finally:
            connections.close_all()

    with django_db_blocker.unblock():
        threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    return results


def _slowed(module: Any, name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    original = getattr(module, name)

    def slow(*args: Any, **kwargs: Any) -> Any:
        result = original(*args, **kwargs)
        time.sleep(SLOW)
        return result

    monkeypatch.setattr(module, name, slow)


@pytest.mark.parametrize("attempt", range(2))
def test_two_overlapping_requests_accepted_at_once_give_one_loan(
    committed: Committed, django_db_blocker: Any, monkeypatch: pytest.MonkeyPatch, attempt: int
) -> None:
    with django_db_blocker.unblock(), schema_context(committed.schema):
        drill = LoanPostFactory.create(author=committed.owner)
        asks = [
            lending.ask_to_borrow(drill, person, start_date=in_days(2 + n), end_date=in_days(4 + n))
            for n, person in enumerate((committed.first, committed.second))
        ]
    _slowed(lending, "overlapping", monkeypatch)

    def accept(loan: LoanRequest) -> Callable[[], str]:
        def call() -> str:
            with schema_context(committed.schema):
                try:
                    return lending.accept_loan(loan, by=committed.owner).status
                except ExchangeError as refused:
                    return refused.message

        return call

    results = _at_once(django_db_blocker, accept(asks[0]), accept(asks[1]))
    assert sorted(results) == [
        "Vous avez déjà accepté un prêt certains de ces jours : refusez cette demande.",
        "accepted",
    ]
    with django_db_blocker.unblock(), schema_context(committed.schema):
        statuses = sorted(LoanRequest.objects.filter(post=drill).values_list("status", flat=True))
        assert statuses == ["accepted", "requested"]


@pytest.mark.parametrize("attempt", range(2))
def test_two_bookings_for_the_last_seat_at_once_give_it_to_one(
    committed: Committed, django_db_blocker: Any, monkeypatch: pytest.MonkeyPatch, attempt: int
) -> None:
    with django_db_blocker.unblock(), schema_context(committed.schema):
        ride = CarpoolPostFactory.create(author=committed.owner, carpool=None)
        CarpoolDetailsFactory.create(post=ride, seats=1)
        clients = []
        for person in (committed.first, committed.second):
            client = Client(HTTP_HOST=committed.host)
            client.force_login(person)
            clients.append(client)
    _slowed(carpooling, "seats_taken", monkeypatch)
    url = reverse("mutual_aid:carpool_book", args=[ride.pk])

    def book(client: Client) -> Callable[[], Any]:
        return lambda: client.post(url, {"ride-seats": "1"})

    responses = _at_once(django_db_blocker, book(clients[0]), book(clients[1]))
    assert sorted(response.status_code for response in responses) == [302, 400]
    refused = next(response for response in responses if response.status_code == 400)
    assert "Il n’y a plus de place dans cette voiture." in refused.content.decode()
    with django_db_blocker.unblock(), schema_context(committed.schema):
        assert SeatBooking.objects.filter(post=ride, status="booked").count() == 1
        assert carpooling.seats_taken(ride) == 1
