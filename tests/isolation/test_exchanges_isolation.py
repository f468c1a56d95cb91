"""Nobody outside a loan, a ride or a group purchase acts on it or reads its private side: not town
B's residents, not guests, not another resident of town A; hidden posts are reached by no id."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import User
from mutual_aid.exchanges import carpooling, group_purchases, lending
from mutual_aid.factories import (
    CarpoolPostFactory,
    GroupPurchasePostFactory,
    LoanPostFactory,
)
from mutual_aid.models import Commitment, GroupPurchaseDetails, LoanRequest, Post, SeatBooking
from notifications.models import Notification
from tenants.models import AuditEntry, Collectivite
from tests.exchanges_support import in_days
from tests.helpers import body, probe

pytestmark = pytest.mark.django_db

SECRET_MESSAGE = "Message secret pour le prêt"
BORROWER = "Bernard Emprunteur"
PASSENGER = "Paulette Passagère"
BUYER = "Gisèle Acheteuse"
LEAKED = [SECRET_MESSAGE, BORROWER, PASSENGER, BUYER]
NEW_PAGES = ("mutual_aid:new_loan", "mutual_aid:new_carpool", "mutual_aid:new_group_purchase")


@pytest.fixture
def a_exchanges(town_a: Collectivite, resident_a: User) -> dict[str, Any]:
    """Town A: a loan asked for, a ride booked, a purchase committed to, and one hidden post of
    each kind; the log and the notifications as they stand."""
    with schema_context(town_a.schema_name):
        borrower = UserFactory.create(display_name=BORROWER)
        passenger = UserFactory.create(display_name=PASSENGER)
        buyer = UserFactory.create(display_name=BUYER)
        loan_post = LoanPostFactory.create(author=resident_a)
        ride = CarpoolPostFactory.create(author=resident_a)
        purchase = GroupPurchasePostFactory.create(author=resident_a)
        hidden = [
            factory.create(author=resident_a, hidden_at=timezone.now())
            for factory in (LoanPostFactory, CarpoolPostFactory, GroupPurchasePostFactory)
        ]
        loan = lending.ask_to_borrow(
            loan_post, borrower, start_date=in_days(1), end_date=in_days(2), message=SECRET_MESSAGE
        )
        booking = carpooling.book_seats(ride, passenger, seats=1)
        group_purchases.commit_quantity(purchase, buyer, quantity=3)
        state = {
            "notifications": Notification.objects.count(),
            "posts": Post.objects.count(),
        }
    return {
        "borrower": borrower,
        "passenger": passenger,
        "buyer": buyer,
        "loan_post": loan_post,
        "ride": ride,
        "purchase": purchase,
        "hidden": hidden,
        "loan": loan,
        "booking": booking,
        "state": state,
        "journal": list(AuditEntry.objects.values_list("pk", flat=True)),
    }


def loan_steps(a: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    pk = a["loan"].pk
    return [
        ("post", reverse(f"mutual_aid:loan_{step}", args=[pk]), {})
        for step in ("accept", "refuse", "lent", "returned")
    ]


def driver_steps(a: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    return [("post", reverse("mutual_aid:carpool_refuse", args=[a["booking"].pk]), {})]


def organiser_steps(a: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    url = reverse("mutual_aid:purchase_close", args=[a["purchase"].pk])
    return [("post", url, {"outcome": "go_ahead"}), ("post", url, {"outcome": "cancel"})]


def party_steps(a: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    """What only the borrower, the passenger or the buyer may do."""
    return [
        ("post", reverse("mutual_aid:loan_cancel", args=[a["loan"].pk]), {}),
        ("post", reverse("mutual_aid:carpool_cancel", args=[a["booking"].pk]), {}),
    ]


def post_pages(post: Post) -> list[tuple[str, str, dict[str, str]]]:
    """Every exchange page of one post, read and written."""
    pk = post.pk
    form = {
        "loan-start_date": in_days(3).isoformat(),
        "loan-end_date": in_days(4).isoformat(),
        "ride-seats": "1",
        "purchase-quantity": "2",
    }
    return [
        ("get", reverse("mutual_aid:detail", args=[pk]), {}),
        ("get", reverse("mutual_aid:loan_ask", args=[pk]), {}),
        ("post", reverse("mutual_aid:loan_ask", args=[pk]), form),
        ("get", reverse("mutual_aid:carpool_book", args=[pk]), {}),
        ("post", reverse("mutual_aid:carpool_book", args=[pk]), form),
        ("get", reverse("mutual_aid:purchase_commit", args=[pk]), {}),
        ("post", reverse("mutual_aid:purchase_commit", args=[pk]), form),
        ("post", reverse("mutual_aid:purchase_withdraw", args=[pk]), {}),
        ("post", reverse("mutual_aid:purchase_close", args=[pk]), {"outcome": "cancel"}),
    ]


def every_page(a: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    pages: list[tuple[str, str, dict[str, str]]] = [
        ("get", reverse(name), {}) for name in NEW_PAGES
    ]
    pages += [("post", reverse(name), {"title": "Pirate"}) for name in NEW_PAGES]
    for post in (a["loan_post"], a["ride"], a["purchase"], *a["hidden"]):
        pages += post_pages(post)
    return pages + loan_steps(a) + driver_steps(a) + organiser_steps(a) + party_steps(a)


def assert_a_untouched(town_a: Collectivite, a: dict[str, Any]) -> None:
    with schema_context(town_a.schema_name):
        assert LoanRequest.objects.get().status == "requested"
        assert list(SeatBooking.objects.values_list("status", flat=True)) == ["booked"]
        assert list(Commitment.objects.values_list("quantity", flat=True)) == [3]
        assert GroupPurchaseDetails.objects.get(post=a["purchase"]).closed_at is None
        assert Post.objects.count() == a["state"]["posts"]
        assert Notification.objects.count() == a["state"]["notifications"]
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == a["journal"]


def test_guests_and_town_b_reach_no_exchange_page_of_town_a(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    town_b: Collectivite,
    resident_b: User,
    admin_b: User,
    a_exchanges: dict[str, Any],
) -> None:
    stolen = client_for(town_b, resident_b)
    stolen.defaults["HTTP_HOST"] = town_a.primary_host  # B's cookie on A's site
    visitors = [client_for(town_a), stolen, client_for(town_b, admin_b), client_for(None)]
    for client in visitors:
        for method, path, data in every_page(a_exchanges):
            if client is visitors[2] and path.startswith("/entraide/nouveau/"):
                continue  # B's own pages, on B's site: not A's
            probe(client, path, method=method, data=data, leaked=LEAKED)
    assert_a_untouched(town_a, a_exchanges)


def test_another_resident_of_a_cannot_decide_for_the_owner_driver_or_organiser(
    client_for: Callable[..., Client], town_a: Collectivite, a_exchanges: dict[str, Any]
) -> None:
    with schema_context(town_a.schema_name):
        other = UserFactory.create()
    a = a_exchanges
    intruders = [
        client_for(town_a, other),
        client_for(town_a, a["borrower"]),
        client_for(town_a, a["passenger"]),
        client_for(town_a, a["buyer"]),
    ]
    for client in intruders:
        for method, path, data in loan_steps(a) + driver_steps(a) + organiser_steps(a):
            probe(client, path, method=method, data=data, leaked=[SECRET_MESSAGE])
    # Cancelling someone else's request or booking is as unknown as deciding on it.
    for method, path, data in party_steps(a):
        probe(client_for(town_a, other), path, method=method, data=data, leaked=LEAKED)
    assert_a_untouched(town_a, a)


def test_hidden_exchanges_are_reached_by_no_id(
    client_for: Callable[..., Client], town_a: Collectivite, a_exchanges: dict[str, Any]
) -> None:
    with schema_context(town_a.schema_name):
        other = UserFactory.create()
    client = client_for(town_a, other)
    for post in a_exchanges["hidden"]:
        for method, path, data in post_pages(post):
            probe(client, path, method=method, data=data)
    assert_a_untouched(town_a, a_exchanges)


def test_the_post_page_keeps_the_private_side_to_the_two_people_concerned(
    client_for: Callable[..., Client], town_a: Collectivite, a_exchanges: dict[str, Any]
) -> None:
    a = a_exchanges
    with schema_context(town_a.schema_name):
        other = UserFactory.create()
    reader = client_for(town_a, other)
    for post in (a["loan_post"], a["ride"], a["purchase"]):
        page = body(reader.get(reverse("mutual_aid:detail", args=[post.pk])))
        for text in LEAKED:
            assert text not in page
    loan_page = reverse("mutual_aid:detail", args=[a["loan_post"].pk])
    assert SECRET_MESSAGE in body(client_for(town_a, a["loan_post"].author).get(loan_page))
    ride_page = reverse("mutual_aid:detail", args=[a["ride"].pk])
    assert PASSENGER in body(client_for(town_a, a["ride"].author).get(ride_page))
    assert PASSENGER not in body(client_for(town_a, a["buyer"]).get(ride_page))
