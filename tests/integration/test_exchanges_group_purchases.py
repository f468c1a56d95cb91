"""Group purchases: quantities committed until the deadline, progress for all, a told outcome."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from decimal import Decimal

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import User
from mutual_aid.exchanges import group_purchases
from mutual_aid.exchanges.common import ExchangeError
from mutual_aid.factories import GroupPurchaseDetailsFactory, GroupPurchasePostFactory
from mutual_aid.models import Commitment, GroupPurchaseDetails, Post
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

pytestmark = pytest.mark.django_db

NEW_PURCHASE = reverse("mutual_aid:new_group_purchase")
FORM = {
    "product": "Pommes du verger",
    "supplier": "Verger de la Mauldre",
    "unit": "cagette",
    "unit_price": "9,50",
    "target_quantity": "20",
    "deadline": iso_in_days(10),
}


@pytest.fixture
def in_a(town_a: Collectivite) -> Iterator[None]:
    with schema_context(town_a.schema_name):
        yield


@pytest.fixture
def buyer_a(town_a: Collectivite) -> User:
    with schema_context(town_a.schema_name):
        return UserFactory.create(display_name="Gisèle Acheteuse")


def _purchase(town: Collectivite, organiser: User, target: int = 10, **details: object) -> Post:
    with schema_context(town.schema_name):
        post = GroupPurchasePostFactory.create(
            author=organiser, group_purchase=None, title="Pommes"
        )
        GroupPurchaseDetailsFactory.create(post=post, target_quantity=target, **details)
        return post


def _commit_url(post: Post) -> str:
    return reverse("mutual_aid:purchase_commit", args=[post.pk])


# --- Starting one -------------------------------------------------------------------------


def test_the_new_purchase_page_publishes_it(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    client = client_for(town_a, resident_a)
    assert client.get(NEW_PURCHASE).status_code == 200
    assert client.post(NEW_PURCHASE, FORM).status_code == 302
    with schema_context(town_a.schema_name):
        post = Post.objects.get()
        details = GroupPurchaseDetails.objects.get(post=post)
        assert (post.type, post.category.slug, post.title) == (
            "group_purchase",
            "achat-groupe",
            "Pommes du verger",
        )
        assert (details.unit_price, details.target_quantity) == (Decimal("9.50"), 20)
        assert details.deadline == in_days(10)
        assert audit_codes(town_a, "post.") == ["post.create"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"deadline": iso_in_days(-1)}, "La date limite ne peut pas être dans le passé."),
        ({"target_quantity": "0"}, "Indiquez un nombre entier entre 1 et 99999."),
        ({"unit_price": "-3"}, "Indiquez un montant supérieur à 0 €."),
        ({"unit_price": "gratuit"}, "Indiquez un montant en euros, par exemple 12,50."),
        ({"product": ""}, "Indiquez le produit."),
        ({"supplier": "x" * 10_000}, "au plus 120 caractères"),
    ],
)
def test_bad_purchases_are_refused_in_french_and_keep_what_was_typed(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    changes: dict[str, str],
    message: str,
) -> None:
    response = client_for(town_a, resident_a).post(NEW_PURCHASE, {**FORM, **changes})
    assert response.status_code == 400
    page = body(response)
    assert message in page
    assert 'value="cagette"' in page
    with schema_context(town_a.schema_name):
        assert not Post.objects.exists()


def test_html_in_a_purchase_is_shown_as_text(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User
) -> None:
    client = client_for(town_a, resident_a)
    fields = {"product": SCRIPT, "supplier": SCRIPT, "unit": "<b>kg</b>", "description": SCRIPT}
    assert client.post(NEW_PURCHASE, {**FORM, **fields}).status_code == 302
    with schema_context(town_a.schema_name):
        post = Post.objects.get()
    page = body(client.get(reverse("mutual_aid:detail", args=[post.pk])))
    assert SCRIPT not in page and "<b>kg</b>" not in page
    assert page.count(SCRIPT_SHOWN) >= 4 and "&lt;b&gt;kg&lt;/b&gt;" in page


def test_a_suspended_resident_cannot_start_nor_join_one(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    buyer_a: User,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    purchase = _purchase(town_a, resident_a)
    suspend_everyone(monkeypatch)
    assert client_for(town_a, resident_a).post(NEW_PURCHASE, FORM).status_code == 403
    joined = client_for(town_a, buyer_a).post(_commit_url(purchase), {"purchase-quantity": "2"})
    assert joined.status_code == 400 and SUSPENDED in body(joined)
    with schema_context(town_a.schema_name):
        assert Post.objects.count() == 1 and not Commitment.objects.exists()


def test_nothing_is_committed_on_a_read_only_site(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, buyer_a: User
) -> None:
    purchase = _purchase(town_a, resident_a)
    read_only(town_a)
    assert client_for(town_a, resident_a).post(NEW_PURCHASE, FORM).status_code == 403
    joined = client_for(town_a, buyer_a).post(_commit_url(purchase), {"purchase-quantity": "2"})
    assert joined.status_code == 403
    with schema_context(town_a.schema_name):
        assert not Commitment.objects.exists()


# --- Committing ---------------------------------------------------------------------------


def test_committing_tells_the_organiser_and_shows_the_progress(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, buyer_a: User
) -> None:
    purchase = _purchase(town_a, resident_a, target=20)
    buyer = client_for(town_a, buyer_a)
    response = buyer.post(_commit_url(purchase), {"purchase-quantity": "12"})
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        assert Commitment.objects.get().quantity == 12
        assert told(resident_a, "mutual_aid.group_purchase") == [
            "Gisèle Acheteuse s’engage pour 12 cagette dans « Pommes » (12 sur 20)"
        ]
    page = body(buyer.get(response["Location"]))
    assert "12 sur 20 cagette commandés (60 %)" in page
    assert '<progress class="exchange__progress" max="20" value="12"' in page
    assert "Vous participez pour 12 cagette." in page


WHOLE = "Indiquez un nombre entier entre 1 et 9999."


@pytest.mark.parametrize(
    ("quantity", "message"),
    [("-3", WHOLE), ("0", WHOLE), ("trois", WHOLE), ("2.5", WHOLE), ("10000", WHOLE)],
)
def test_a_negative_zero_or_written_quantity_is_refused_in_french(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    resident_a: User,
    buyer_a: User,
    quantity: str,
    message: str,
) -> None:
    purchase = _purchase(town_a, resident_a)
    response = client_for(town_a, buyer_a).post(
        _commit_url(purchase), {"purchase-quantity": quantity}
    )
    assert response.status_code == 400
    page = body(response)
    assert message in page
    assert f'name="purchase-quantity" value="{quantity}"' in page  # kept as typed
    with schema_context(town_a.schema_name):
        assert not Commitment.objects.exists()


def test_the_service_refuses_a_negative_quantity(
    resident_a: User, buyer_a: User, town_a: Collectivite, in_a: None
) -> None:
    purchase = _purchase(town_a, resident_a)
    with pytest.raises(ExchangeError, match="nombre entier"):
        group_purchases.commit_quantity(purchase, buyer_a, quantity=-3)
    assert not Commitment.objects.exists()


def test_a_quantity_is_changed_then_withdrawn(
    town_a: Collectivite, resident_a: User, buyer_a: User, in_a: None
) -> None:
    purchase = _purchase(town_a, resident_a)
    group_purchases.commit_quantity(purchase, buyer_a, quantity=2)
    group_purchases.commit_quantity(purchase, buyer_a, quantity=2)  # the same: nothing written
    group_purchases.commit_quantity(purchase, buyer_a, quantity=5)
    assert group_purchases.progress(purchase).total == 5
    group_purchases.withdraw_commitment(purchase, buyer_a)
    assert group_purchases.progress(purchase).total == 0
    assert audit_codes(town_a, "purchase.") == [
        "purchase.commit",
        "purchase.change",
        "purchase.withdraw",
    ]
    assert "ne participe plus" in told(resident_a, "mutual_aid.group_purchase")[-1]


def test_after_the_deadline_quantities_no_longer_change(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, buyer_a: User
) -> None:
    purchase = _purchase(town_a, resident_a, deadline=in_days(1))
    with schema_context(town_a.schema_name):
        group_purchases.commit_quantity(purchase, buyer_a, quantity=2)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2)):
        with schema_context(town_a.schema_name):
            with pytest.raises(ExchangeError, match="date limite"):
                group_purchases.commit_quantity(purchase, buyer_a, quantity=3)
            with pytest.raises(ExchangeError, match="date limite"):
                group_purchases.withdraw_commitment(purchase, buyer_a)
        page = body(
            client_for(town_a, buyer_a).get(reverse("mutual_aid:detail", args=[purchase.pk]))
        )
        assert "La date limite est passée" in page
    with schema_context(town_a.schema_name):
        assert Commitment.objects.get().quantity == 2


# --- Closing ------------------------------------------------------------------------------


def test_a_purchase_that_reaches_its_target_goes_ahead_and_everyone_is_told(
    client_for: Callable[..., Client], town_a: Collectivite, resident_a: User, buyer_a: User
) -> None:
    purchase = _purchase(town_a, resident_a, target=5)
    with schema_context(town_a.schema_name):
        second = UserFactory.create()
        group_purchases.commit_quantity(purchase, buyer_a, quantity=3)
        group_purchases.commit_quantity(purchase, second, quantity=2)
    organiser = client_for(town_a, resident_a)
    page = body(organiser.get(reverse("mutual_aid:detail", args=[purchase.pk])))
    assert "L’objectif est atteint !" in page and "Gisèle Acheteuse" in page
    response = organiser.post(
        reverse("mutual_aid:purchase_close", args=[purchase.pk]), {"outcome": "go_ahead"}
    )
    assert response.status_code == 302
    with schema_context(town_a.schema_name):
        details = GroupPurchaseDetails.objects.get(post=purchase)
        assert details.outcome == "reached" and details.closed_at is not None
        assert Post.objects.get(pk=purchase.pk).status == "closed"
        outcome = "L’achat groupé « Pommes » se fait : l’objectif est atteint."
        assert told(buyer_a, "mutual_aid.group_purchase") == [outcome]
        assert told(second, "mutual_aid.group_purchase") == [outcome]
        assert audit_codes(town_a, "purchase.close") == ["purchase.close"]
        with pytest.raises(ExchangeError, match="clos"):
            group_purchases.commit_quantity(purchase, buyer_a, quantity=4)
    shown = body(client_for(town_a, buyer_a).get(reverse("mutual_aid:detail", args=[purchase.pk])))
    assert "Clos : l’objectif est atteint, l’achat se fait." in shown


def test_below_its_target_a_purchase_can_only_be_cancelled(
    town_a: Collectivite, resident_a: User, buyer_a: User, in_a: None
) -> None:
    purchase = _purchase(town_a, resident_a, target=5)
    group_purchases.commit_quantity(purchase, buyer_a, quantity=3)
    with pytest.raises(ExchangeError, match="pas encore atteint"):
        group_purchases.close_purchase(purchase, by=resident_a, go_ahead=True)
    assert GroupPurchaseDetails.objects.get(post=purchase).closed_at is None
    group_purchases.close_purchase(purchase, by=resident_a, go_ahead=False)
    assert GroupPurchaseDetails.objects.get(post=purchase).outcome == "cancelled"
    assert told(buyer_a, "mutual_aid.group_purchase") == ["L’achat groupé « Pommes » est annulé."]
    # Closing again changes nothing and tells nobody twice.
    group_purchases.close_purchase(purchase, by=resident_a, go_ahead=False)
    assert len(told(buyer_a, "mutual_aid.group_purchase")) == 1


def test_only_the_organiser_closes(
    town_a: Collectivite, resident_a: User, buyer_a: User, in_a: None
) -> None:
    purchase = _purchase(town_a, resident_a, target=1)
    group_purchases.commit_quantity(purchase, buyer_a, quantity=1)
    with pytest.raises(Exception, match="Seul l’auteur"):
        group_purchases.close_purchase(purchase, by=buyer_a, go_ahead=True)
    assert GroupPurchaseDetails.objects.get(post=purchase).closed_at is None
