"""Neighbours exchange through town A's site: an object lent and given back, a seat booked in a
carpool, a group purchase that reaches its target and is closed. Every page checked by axe."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django_tenants.utils import schema_context

from accounts.factories import TEST_PASSWORD
from accounts.models import User
from accounts.services import create_member
from mutual_aid.models import Commitment, LoanRequest, Post, SeatBooking
from tenants.models import Collectivite
from tests.browser.conftest import LiveServer, assert_accessible, log_in
from tests.conftest import TOWNS
from tests.exchanges_support import iso_in_days

pytestmark = pytest.mark.browser
HOST = f"{TOWNS['a']['slug']}.{settings.ROOT_DOMAIN}"
OWNER = ("odile.echange@example.org", "Odile Prêteuse")
NEIGHBOUR = ("nadir.echange@example.org", "Nadir Voisin")


def _schema() -> str:
    return Collectivite.objects.get(slug=TOWNS["a"]["slug"]).schema_name


@pytest.fixture
def neighbours(django_db_blocker: Any) -> Iterator[tuple[User, User]]:
    """Two committed residents of town A; they and what they posted go afterwards."""
    with django_db_blocker.unblock():
        schema = _schema()
        with schema_context(schema):
            people = tuple(
                create_member(email=email, display_name=name, password=TEST_PASSWORD)
                for email, name in (OWNER, NEIGHBOUR)
            )
    yield people  # type: ignore[misc]
    with django_db_blocker.unblock(), schema_context(schema):
        Post.objects.filter(author__email=OWNER[0]).delete()
        User.objects.filter(email__in=[OWNER[0], NEIGHBOUR[0]]).delete()


@pytest.fixture
def neighbour_page(browser: Any, live_server_any_host: LiveServer) -> Iterator[Any]:
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    log_in(page, live_server_any_host, HOST, NEIGHBOUR[0], TEST_PASSWORD)
    yield page
    context.close()


def _published(page: Any) -> str:
    """The post's address after publishing (its page shows the exchange panel)."""
    page.wait_for_url(re.compile(r".*/entraide/\d+/$"))
    assert "Votre annonce est publiée." in page.locator("main").inner_text()
    assert_accessible(page)
    return str(page.url)


def _said(page: Any, text: str) -> None:
    page.wait_for_url(re.compile(r".*/entraide/\d+/#echange$"))
    assert text in page.locator(".messages").inner_text()
    assert_accessible(page)


def test_an_object_is_asked_for_accepted_lent_and_given_back(
    live_server_any_host: LiveServer,
    page: Any,
    neighbours: tuple[User, User],
    neighbour_page: Any,
    django_db_blocker: Any,
) -> None:
    server = live_server_any_host
    log_in(page, server, HOST, OWNER[0], TEST_PASSWORD)
    page.goto(server.url(HOST, "/entraide/nouveau/pret/"))
    assert_accessible(page)
    page.get_by_label("Objet", exact=True).fill("Escabeau 5 marches")
    page.get_by_label("Description").fill("Léger, en aluminium.")
    page.get_by_label("Comme neuf").check()
    page.get_by_role("button", name="Publier").click()
    post_url = _published(page)

    neighbour_page.goto(post_url)
    assert "Aucun jour n’est pris pour l’instant." in neighbour_page.locator("main").inner_text()
    neighbour_page.get_by_label("Du", exact=True).fill(iso_in_days(2))
    neighbour_page.get_by_label("Jusqu’au", exact=True).fill(iso_in_days(3))
    neighbour_page.get_by_label("Message au propriétaire (facultatif)").fill("Pour la cuisine")
    neighbour_page.get_by_role("button", name="Envoyer ma demande").click()
    _said(neighbour_page, "Votre demande est envoyée au propriétaire.")

    page.goto(post_url)
    request = page.locator(".exchange__item", has_text=NEIGHBOUR[1])
    assert "Pour la cuisine" in request.inner_text()
    request.get_by_role("button", name="Accepter").click()
    _said(page, "Vous avez accepté la demande : les dates sont réservées.")
    assert page.locator(".calendar__taken").count() == 2
    page.locator(".exchange__item").get_by_role("button", name="Indiquer comme prêté").click()
    _said(page, "L’objet est indiqué comme prêté.")
    page.locator(".exchange__item").get_by_role("button", name="Indiquer comme rendu").click()
    _said(page, "L’objet est indiqué comme rendu.")

    with django_db_blocker.unblock(), schema_context(_schema()):
        loan = LoanRequest.objects.get(post__author=neighbours[0])
        assert (loan.status, loan.borrower) == ("returned", neighbours[1])


def test_a_neighbour_books_a_seat_in_a_carpool(
    live_server_any_host: LiveServer,
    page: Any,
    neighbours: tuple[User, User],
    neighbour_page: Any,
    django_db_blocker: Any,
) -> None:
    server = live_server_any_host
    log_in(page, server, HOST, OWNER[0], TEST_PASSWORD)
    page.goto(server.url(HOST, "/entraide/nouveau/covoiturage/"))
    assert_accessible(page)
    page.get_by_label("Départ de").fill("Place de l’église")
    page.get_by_label("Destination").fill("Marché de Plaisir")
    page.get_by_label("Date de départ").fill(iso_in_days(4))
    page.get_by_label("Heure de départ").fill("09:30")
    page.get_by_label("Places proposées").fill("2")
    page.get_by_role("button", name="Publier").click()
    post_url = _published(page)

    neighbour_page.goto(post_url)
    assert "2 places libres sur 2" in neighbour_page.locator("main").inner_text()
    neighbour_page.get_by_label("Places à réserver").fill("1")
    neighbour_page.get_by_role("button", name="Réserver").click()
    _said(neighbour_page, "Votre place est réservée. Le conducteur est prévenu.")
    panel = neighbour_page.locator("#echange").inner_text()
    assert "Vous avez réservé 1 place." in panel and "1 place libre sur 2" in panel

    page.goto(post_url)
    passenger = page.locator(".exchange__item", has_text=NEIGHBOUR[1])
    assert passenger.get_by_role("button", name="Refuser ce passager").is_visible()
    assert NEIGHBOUR[0] not in page.content()
    assert_accessible(page)

    with django_db_blocker.unblock(), schema_context(_schema()):
        booking = SeatBooking.objects.get(post__author=neighbours[0])
        assert (booking.passenger, booking.seats, booking.status) == (neighbours[1], 1, "booked")


def test_a_group_purchase_reaches_its_target_and_is_closed(
    live_server_any_host: LiveServer,
    page: Any,
    neighbours: tuple[User, User],
    neighbour_page: Any,
    django_db_blocker: Any,
) -> None:
    server = live_server_any_host
    log_in(page, server, HOST, OWNER[0], TEST_PASSWORD)
    page.goto(server.url(HOST, "/entraide/nouveau/achat-groupe/"))
    assert_accessible(page)
    page.get_by_label("Produit").fill("Miel de la ferme")
    page.get_by_label("Commerce ou producteur local (facultatif)").fill("Rucher des Bois")
    page.get_by_label("Unité (facultatif)").fill("pot")
    page.get_by_label("Prix d’une unité (€)").fill("7,50")
    page.get_by_label("Quantité visée").fill("4")
    page.get_by_label("Date limite").fill(iso_in_days(7))
    page.get_by_role("button", name="Publier").click()
    post_url = _published(page)

    neighbour_page.goto(post_url)
    neighbour_page.get_by_label("Quantité", exact=True).fill("-2")
    neighbour_page.get_by_role("button", name="Participer").click()
    assert (
        "Indiquez un nombre entier entre 1 et 9999." in neighbour_page.locator("main").inner_text()
    )
    assert neighbour_page.get_by_label("Quantité", exact=True).input_value() == "-2"
    assert_accessible(neighbour_page)
    neighbour_page.get_by_label("Quantité", exact=True).fill("4")
    neighbour_page.get_by_role("button", name="Participer").click()
    _said(neighbour_page, "Votre quantité est enregistrée.")
    panel = neighbour_page.locator("#echange").inner_text()
    assert "4 sur 4 pot commandés (100 %)" in panel and "L’objectif est atteint !" in panel

    page.goto(post_url)
    assert "Nadir Voisin · 4 pot" in page.locator("#echange").inner_text()
    assert_accessible(page)
    page.get_by_role("button", name="Clore : l’achat se fait").click()
    _said(page, "L’achat se fait. Tous les participants sont prévenus.")

    neighbour_page.goto(post_url)
    panel = neighbour_page.locator("#echange").inner_text()
    assert "Clos : l’objectif est atteint, l’achat se fait." in panel
    assert_accessible(neighbour_page)
    with django_db_blocker.unblock(), schema_context(_schema()):
        assert Commitment.objects.get(post__author=neighbours[0]).quantity == 4
        assert Post.objects.get(author=neighbours[0]).group_purchase.outcome == "reached"
