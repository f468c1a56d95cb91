"""Lending an object: offered, asked for dates, accepted, lent, returned; never promised twice."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import User
from mutual_aid.exchanges import lending
from mutual_aid.exchanges.common import ExchangeError
from mutual_aid.factories import LoanPostFactory, LoanRequestFactory
from mutual_aid.models import LoanDetails, LoanRequest, Photo, Post
from tenants.models import Collectivite
from tests.exchanges_support import (
    SCRIPT,
    SCRIPT_SHOWN,
    SUSPENDED,
    audit_codes,
    in_days,
    iso_in_days,
    read_only,
    suspend_everyone,
    told,
)
from tests.helpers import body
from tests.mutual_aid_support import photo_upload

pytestmark = pytest.mark.django_db

NEW_LOAN = reverse("mutual_aid:new_loan")
FORM = {
    "title": "Perceuse à percussion",
    "description": "Avec un jeu de forets pour le béton.",
    "condition": "good",
    "deposit_amount": "",
}


@pytest.fixture
def in_a(town_a: Collectivite) -> Iterator[None]:
    with schema_context(town_a.schema_name):
        yield


@pytest.fixture
def neighbour_a(town_a: Collectivite) -> User:
    with schema_context(town_a.schema_name):
        return UserFactory.create(display_name="Bernard Voisin")


@pytest.fixture
def drill(town_a: Collectivite, resident_a: User) -> Post:
    with schema_context(town_a.schema_name):
        return LoanPostFactory.create(author=resident_a, title="Perceuse")


def _ask(post: Post, by: User, start: int, end: int) -> LoanRequest:
    return lending.ask_to_borrow(post, by, start_date=in_days(start), end_date=in_days(end))


# --- Offering an object -------------------------------------------------------------------


def test_publishing_a_loan_writes_its_post_details_and_audit_entry(
    town_a: Collectivite, resident_a: User, in_a: None
) -> None:
    post = lending.publish_loan(
        resident_a,
        title="  Appareil à raclette ",
        description="Pour 8 personnes.",
        condition="new",
        deposit_required=True,
        deposit_amount=Decimal("20"),
    )
    assert (post.type, post.kind, post.category.slug) == ("loan", "offer", "pret-objets")
    assert post.title == "Appareil à raclette"
    details = LoanDetails.objects.get(post=post)
    assert (details.condition, details.deposit_amount) == ("new", Decimal("20.00"))
    assert audit_codes(town_a, "post.") == ["post.create"]


def test_the_new_loan_page_publishes_and_shows_the_post(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    client = client_for(town_a, resident_a)
    assert client.get(NEW_LOAN).status_code == 200
    response = client.post(NEW_LOAN, {**FORM, "deposit_required": "on", "deposit_amount": "15,50"})
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        post = Post.objects.get(title="Perceuse à percussion")
        assert post.loan.deposit_amount == Decimal("15.50")
    assert response["Location"] == reverse("mutual_aid:detail", args=[post.pk])
    page = body(client.get(response["Location"]))
    assert "Emprunter cet objet" in page and "15,50 € demandés" in page


def test_a_deposit_without_an_amount_is_refused_and_keeps_what_was_typed(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    response = client_for(town_a, resident_a).post(NEW_LOAN, {**FORM, "deposit_required": "on"})
    assert response.status_code == 400
    page = body(response)
    assert "Indiquez le montant de la caution." in page
    assert 'value="Perceuse à percussion"' in page
    assert "Avec un jeu de forets pour le béton." in page
    with schema_context(town_a.schema_name):
        assert not Post.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": ""}, "Indiquez le nom de l’objet."),
        ({"title": "x" * 10_000}, "au plus 120 caractères"),
        ({"description": "x" * 10_000}, "au plus 5000 caractères"),
    ],
)
def test_empty_or_huge_fields_are_refused_in_french(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    changes: dict[str, str],
    message: str,
) -> None:
    response = client_for(town_a, resident_a).post(NEW_LOAN, {**FORM, **changes})
    assert response.status_code == 400
    assert message in body(response)
    with schema_context(town_a.schema_name):
        assert not Post.objects.exists()


def test_html_in_a_loan_is_shown_as_text(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, neighbour_a: User
) -> None:
    client = client_for(town_a, resident_a)
    client.post(NEW_LOAN, {**FORM, "title": SCRIPT, "description": SCRIPT})
    with schema_context(town_a.schema_name):
        post = Post.objects.get()
        lending.ask_to_borrow(
            post, neighbour_a, start_date=in_days(1), end_date=in_days(2), message=SCRIPT
        )
    page = body(client.get(reverse("mutual_aid:detail", args=[post.pk])))
    assert SCRIPT not in page
    assert page.count(SCRIPT_SHOWN) >= 3  # title, description, the borrower's message


def test_a_suspended_resident_cannot_offer_an_object(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    suspend_everyone(monkeypatch)
    client = client_for(town_a, resident_a)
    assert SUSPENDED in body(client.get(NEW_LOAN))
    response = client.post(NEW_LOAN, FORM)
    assert response.status_code == 403
    assert SUSPENDED in body(response)
    with schema_context(town_a.schema_name):
        assert not Post.objects.exists()


def test_nothing_is_lent_or_offered_on_a_read_only_site(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    neighbour_a: User,
    drill: Post,
) -> None:
    read_only(town_a)
    assert client_for(town_a, resident_a).post(NEW_LOAN, FORM).status_code == 403
    asked = client_for(town_a, neighbour_a).post(
        reverse("mutual_aid:loan_ask", args=[drill.pk]),
        {"loan-start_date": iso_in_days(1), "loan-end_date": iso_in_days(2)},
    )
    assert asked.status_code == 403
    with schema_context(town_a.schema_name):
        assert Post.objects.count() == 1
        assert not LoanRequest.objects.exists()


# --- Asking for dates ---------------------------------------------------------------------


def test_asking_to_borrow_tells_the_owner(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    neighbour_a: User,
    drill: Post,
) -> None:
    response = client_for(town_a, neighbour_a).post(
        reverse("mutual_aid:loan_ask", args=[drill.pk]),
        {"loan-start_date": iso_in_days(2), "loan-end_date": iso_in_days(4)},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("mutual_aid:detail", args=[drill.pk]) + "#echange"
    with schema_context(town_a.schema_name):
        loan = LoanRequest.objects.get()
        assert (loan.borrower, loan.status) == (neighbour_a, "requested")
        assert told(resident_a, "mutual_aid.loan") == [
            f"Bernard Voisin demande à emprunter « Perceuse » du {_long(2)} au {_long(4)}"
        ]


def _long(days: int) -> str:
    from tenants.dates import long_date

    return long_date(in_days(days))


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (-1, 2, "Le premier jour ne peut pas être dans le passé."),
        (3, 2, "Le dernier jour doit être le même que le premier jour ou après."),
    ],
)
def test_dates_in_the_past_or_backwards_are_refused_and_kept(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    neighbour_a: User,
    drill: Post,
    start: int,
    end: int,
    message: str,
) -> None:
    response = client_for(town_a, neighbour_a).post(
        reverse("mutual_aid:loan_ask", args=[drill.pk]),
        {
            "loan-start_date": iso_in_days(start),
            "loan-end_date": iso_in_days(end),
            "loan-message": "Pour mon étagère",
        },
    )
    assert response.status_code == 400
    page = body(response)
    assert message in page
    assert f'value="{iso_in_days(start)}"' in page and "Pour mon étagère" in page
    with schema_context(town_a.schema_name):
        assert not LoanRequest.objects.exists()


def test_the_service_refuses_a_past_date_too(neighbour_a: User, drill: Post, in_a: None) -> None:
    with pytest.raises(ExchangeError, match="passé"):
        _ask(drill, neighbour_a, -2, 1)


def test_the_owner_cannot_borrow_their_own_object(
    resident_a: User, drill: Post, in_a: None
) -> None:
    with pytest.raises(ExchangeError, match="votre propre annonce"):
        _ask(drill, resident_a, 1, 2)


def test_dates_already_promised_cannot_be_asked(
    resident_a: User, neighbour_a: User, drill: Post, in_a: None
) -> None:
    lending.accept_loan(
        LoanRequestFactory.create(post=drill, start_date=in_days(3), end_date=in_days(5)),
        by=resident_a,
    )
    with pytest.raises(ExchangeError, match="déjà promis"):
        _ask(drill, neighbour_a, 5, 7)  # the last day of the other loan
    assert _ask(drill, neighbour_a, 6, 7).status == "requested"  # the day after is free


def test_a_suspended_resident_cannot_ask(
    neighbour_a: User, drill: Post, in_a: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    suspend_everyone(monkeypatch)
    with pytest.raises(Exception, match="suspendu"):
        _ask(drill, neighbour_a, 1, 2)
    assert not LoanRequest.objects.exists()


# --- The owner's answers ------------------------------------------------------------------


def test_accepting_keeps_the_dates_tells_the_borrower_and_is_audited(
    town_a: Collectivite, resident_a: User, neighbour_a: User, drill: Post, in_a: None
) -> None:
    loan = _ask(drill, neighbour_a, 2, 3)
    lending.accept_loan(loan, by=resident_a)
    loan.refresh_from_db()
    assert loan.status == "accepted" and loan.decided_at is not None
    assert told(neighbour_a, "mutual_aid.loan") == [
        f"{resident_a.display_name} accepte de vous prêter « Perceuse » du {_long(2)} au {_long(3)}"
    ]
    assert audit_codes(town_a, "loan.") == ["loan.ask", "loan.accept"]
    # Accepting again changes nothing and writes nothing.
    lending.accept_loan(loan, by=resident_a)
    assert audit_codes(town_a, "loan.") == ["loan.ask", "loan.accept"]


def test_an_overlapping_request_cannot_be_accepted_too(
    resident_a: User, neighbour_a: User, drill: Post, in_a: None
) -> None:
    first = _ask(drill, neighbour_a, 2, 4)
    other = _ask(drill, UserFactory.create(), 4, 6)
    lending.accept_loan(first, by=resident_a)
    with pytest.raises(ExchangeError, match="déjà accepté un prêt"):
        lending.accept_loan(other, by=resident_a)
    other.refresh_from_db()
    assert other.status == "requested"


def test_lent_then_returned_frees_the_dates(
    town_a: Collectivite, resident_a: User, neighbour_a: User, drill: Post, in_a: None
) -> None:
    loan = _ask(drill, neighbour_a, 0, 2)
    with pytest.raises(ExchangeError, match="Acceptez la demande"):
        lending.mark_lent(loan, by=resident_a)
    lending.accept_loan(loan, by=resident_a)
    lending.mark_lent(loan, by=resident_a)
    with pytest.raises(ExchangeError, match="ne peut plus être annulée"):
        lending.cancel_loan_request(loan, by=neighbour_a)
    lending.mark_returned(loan, by=resident_a)
    loan.refresh_from_db()
    assert loan.status == "returned" and loan.lent_at and loan.returned_at
    assert lending.taken_periods(drill) == []
    assert _ask(drill, UserFactory.create(), 0, 2).status == "requested"
    assert audit_codes(town_a, "loan.") == [
        "loan.ask",
        "loan.accept",
        "loan.lend",
        "loan.return",
        "loan.ask",
    ]
    titles = told(neighbour_a, "mutual_aid.loan")
    assert len(titles) == 3 and "vous est prêté" in titles[1] and "a récupéré" in titles[2]


def test_refusing_tells_the_borrower(
    resident_a: User, neighbour_a: User, drill: Post, in_a: None
) -> None:
    loan = lending.refuse_loan(_ask(drill, neighbour_a, 1, 1), by=resident_a)
    assert loan.status == "refused"
    assert "ne peut pas vous prêter" in told(neighbour_a, "mutual_aid.loan")[-1]


def test_the_borrower_cancels_before_it_is_lent_and_the_owner_is_told(
    resident_a: User, neighbour_a: User, drill: Post, in_a: None
) -> None:
    loan = _ask(drill, neighbour_a, 1, 3)
    lending.accept_loan(loan, by=resident_a)
    lending.cancel_loan_request(loan, by=neighbour_a)
    loan.refresh_from_db()
    assert loan.status == "cancelled"
    assert "n’a plus besoin" in told(resident_a, "mutual_aid.loan")[-1]
    assert lending.taken_periods(drill) == []


def test_only_the_owner_decides(
    resident_a: User, neighbour_a: User, drill: Post, in_a: None
) -> None:
    loan = _ask(drill, neighbour_a, 1, 3)
    stranger = UserFactory.create()
    for step in (lending.accept_loan, lending.refuse_loan, lending.mark_lent):
        with pytest.raises(Exception, match="Seul l’auteur"):
            step(loan, by=neighbour_a)
        with pytest.raises(Exception, match="Seul l’auteur"):
            step(loan, by=stranger)
    with pytest.raises(ExchangeError, match="Seule la personne"):
        lending.cancel_loan_request(loan, by=stranger)
    loan.refresh_from_db()
    assert loan.status == "requested"


# --- The post's page ----------------------------------------------------------------------


def test_the_page_shows_the_taken_days_and_the_owner_the_requests(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    neighbour_a: User,
    drill: Post,
) -> None:
    with schema_context(town_a.schema_name):
        lending.accept_loan(_ask(drill, neighbour_a, 1, 2), by=resident_a)
        asked = _ask(drill, UserFactory.create(display_name="Chantal"), 5, 6)
    url = reverse("mutual_aid:detail", args=[drill.pk])
    owner_page = body(client_for(town_a, resident_a).get(url))
    assert f"du {_long(1)} au {_long(2)}" in owner_page
    assert owner_page.count("calendar__taken") == 2
    assert "Bernard Voisin" in owner_page and "Chantal" in owner_page
    assert reverse("mutual_aid:loan_accept", args=[asked.pk]) in owner_page
    assert neighbour_a.email not in owner_page
    neighbour_page = body(client_for(town_a, neighbour_a).get(url))
    assert neighbour_page.count("calendar__taken") == 2
    assert "Chantal" not in neighbour_page  # other borrowers are the owner's business
    assert "Mes demandes" in neighbour_page and "Envoyer ma demande" in neighbour_page


def test_the_owner_accepts_lends_and_gets_back_through_the_buttons(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    neighbour_a: User,
    drill: Post,
) -> None:
    with schema_context(town_a.schema_name):
        loan = _ask(drill, neighbour_a, 0, 1)
    owner = client_for(town_a, resident_a)
    for name, status in [
        ("mutual_aid:loan_accept", "accepted"),
        ("mutual_aid:loan_lent", "lent"),
        ("mutual_aid:loan_returned", "returned"),
    ]:
        response = owner.post(reverse(name, args=[loan.pk]))
        assert response.status_code == 302
        with schema_context(town_a.schema_name):
            loan.refresh_from_db()
        assert loan.status == status
    assert "L’objet est indiqué comme rendu." in body(owner.get(response["Location"]))


def test_a_refused_step_says_why_on_the_page(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    neighbour_a: User,
    drill: Post,
) -> None:
    with schema_context(town_a.schema_name):
        loan = _ask(drill, neighbour_a, 0, 1)
    owner = client_for(town_a, resident_a)
    response = owner.post(reverse("mutual_aid:loan_returned", args=[loan.pk]), follow=True)
    assert "Seul un objet prêté peut être rendu." in body(response)


def test_an_object_is_lent_with_its_photo_and_a_false_photo_keeps_what_was_typed(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, media_root: Any
) -> None:
    client = client_for(town_a, resident_a)
    fake = photo_upload("perceuse.jpg", b"not a picture at all")
    response = client.post(NEW_LOAN, {**FORM, "photo": fake})
    assert response.status_code == 400
    assert 'value="Perceuse à percussion"' in body(response)
    with schema_context(town_a.schema_name):
        assert not Post.objects.exists()
    response = client.post(
        NEW_LOAN, {**FORM, "photo": photo_upload(), "photo_description": "La perceuse rouge"}
    )
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        (photo,) = Photo.objects.filter(post__title="Perceuse à percussion")
        assert photo.description == "La perceuse rouge"
