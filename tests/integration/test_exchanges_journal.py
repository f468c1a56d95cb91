"""The town's log of actions tells the exchanges' decisions in French, under their own kind."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from accounts.factories import UserFactory
from accounts.models import User
from mutual_aid.exchanges import group_purchases, lending
from mutual_aid.factories import (
    GroupPurchaseDetailsFactory,
    GroupPurchasePostFactory,
    LoanPostFactory,
)
from tenants.models import Collectivite
from tests.audit_support import clear_journal
from tests.exchanges_support import in_days
from tests.helpers import body
from tests.integration.test_town_journal import text_of

pytestmark = pytest.mark.django_db


def test_the_journal_lists_exchange_decisions_under_mutual_aid(
    client_for: Callable[..., Client],
    town_a: Collectivite,
    town_b: Collectivite,
    admin_a: User,
    resident_a: User,
) -> None:
    clear_journal(town_a, town_b)
    with schema_context(town_a.schema_name):
        buyer = UserFactory.create()
        purchase = GroupPurchasePostFactory.create(
            author=resident_a, group_purchase=None, title="Miel"
        )
        GroupPurchaseDetailsFactory.create(post=purchase, target_quantity=5)
        group_purchases.commit_quantity(purchase, buyer, quantity=5)
        group_purchases.close_purchase(purchase, by=resident_a, go_ahead=True)
        drill = LoanPostFactory.create(author=resident_a, title="Perceuse")
        loan = lending.ask_to_borrow(drill, buyer, start_date=in_days(1), end_date=in_days(2))
        lending.accept_loan(loan, by=resident_a)
    page = text_of(
        body(client_for(town_a, admin_a).get("/administration/journal/?kind=mutual_aid"))
    )
    assert "Achat groupé clos par son organisateur" in page
    assert "L’achat se fait : oui" in page and "Quantité visée : 5" in page
    assert "Prêt accepté par le propriétaire" in page
    assert "Quantité engagée dans un achat groupé" in page
    # Another kind of action leaves them out.
    other = text_of(body(client_for(town_a, admin_a).get("/administration/journal/?kind=team")))
    assert "Prêt accepté" not in other
