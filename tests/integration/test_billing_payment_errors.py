"""Payment errors reach the town admin in French, never in Stripe's English."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from billing.models import BillingAccount
from tests.stripe_support import StripeStub, confirm_setup_as_stripe_js

pytestmark = pytest.mark.django_db
PAGE = "/administration/abonnement/"


def _payment_page(client: Client) -> str:
    response = client.post(
        PAGE + "souscrire/", {"period": "monthly", "method": "card", "token": "t"}
    )
    assert response.status_code == 200
    return response.content.decode()


def test_a_card_refused_when_subscribing_is_told_in_french(
    client_for, town_a, admin_a, trial_over, stripe_stub: StripeStub
) -> None:
    client = client_for(town_a, admin_a)
    secret = re.search(r'data-client-secret="([^"]+)"', _payment_page(client))
    assert secret
    intent = confirm_setup_as_stripe_js(secret.group(1))
    stripe_stub.decline_next("post", "/v1/subscriptions")
    response = client.post(PAGE + "confirmer/", {"setup_intent": intent, "token": "t"}, follow=True)

    page = response.content.decode()
    assert (
        "Votre banque a refusé cette carte. Essayez une autre carte ou un autre moyen de paiement."
        in page
    )
    assert "declined" not in page.lower()
    account = BillingAccount.objects.get(pk=trial_over.pk)
    assert (account.status, account.stripe_subscription_id) == (BillingAccount.Status.READ_ONLY, "")


def test_the_payment_page_gives_payment_js_the_french_messages(
    client_for, town_a, admin_a, stripe_stub: StripeStub
) -> None:
    page = _payment_page(client_for(town_a, admin_a))
    table = re.search(
        r'<script id="payment-error-messages" type="application/json">(.*?)</script>', page
    )
    assert table, "the table payment.js reads"
    assert '"card_declined": "Votre banque a refus\\u00e9 cette carte.' in table.group(1)
    assert '"type:invalid_request_error": "Les informations de paiement' in table.group(1)
    for name in ("number", "exp-month", "exp-year", "cvc", "postal-code"):
        assert f"data-label-{name}=" in page  # the card fields' French names
    assert 'data-label-number="Numéro de carte"' in page
