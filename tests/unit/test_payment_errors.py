"""Stripe's payment errors are told in short French, the same on the server and in the page."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import stripe
from django.utils import translation

from billing.payment_errors import (
    BY_CODE,
    BY_TYPE,
    message_for,
    message_for_stripe_error,
    table_for_browser,
)

DECLINED = (
    "Votre banque a refusé cette carte. Essayez une autre carte ou un autre moyen de paiement."
)
INVALID = "Les informations de paiement ne sont pas bonnes. Vérifiez-les et réessayez."


@pytest.fixture(autouse=True)
def _french() -> Iterator[None]:
    with translation.override("fr"):
        yield


@pytest.mark.parametrize(
    ("code", "error_type", "french"),
    [
        ("card_declined", "card_error", DECLINED),
        ("incorrect_number", "card_error", "Le numéro de carte n’est pas bon. Vérifiez-le."),
        ("expired_card", "card_error", "Cette carte a expiré. Essayez une autre carte."),
        (
            "incorrect_cvc",
            "card_error",
            "Le code de sécurité n’est pas bon : ce sont les 3 chiffres au dos de la carte.",
        ),
        (
            "processing_error",
            "card_error",
            "La carte n’a pas pu être vérifiée pour le moment. Réessayez dans un instant.",
        ),
        (None, "invalid_request_error", INVALID),  # Stripe's "Bad request", with no code
        ("incomplete_number", "validation_error", "Le numéro de carte n’est pas bon. Vérifiez-le."),
        ("some_new_code", "card_error", DECLINED),  # a code we don't know: by its type
        (
            None,
            None,
            "Les informations de paiement n’ont pas pu être vérifiées. Réessayez.",
        ),
    ],
)
def test_each_error_has_its_french_message(
    code: str | None, error_type: str | None, french: str
) -> None:
    assert message_for(code, error_type) == french


def test_every_message_is_translated_into_french() -> None:
    for key, message in {**BY_CODE, **BY_TYPE}.items():
        with translation.override("en"):
            english = str(message)
        assert str(message) != english, f"{key}: no French for {english!r}"


def test_an_sdk_card_error_is_told_by_its_code() -> None:
    error = stripe.CardError("Your card has expired.", param="number", code="expired_card")
    assert message_for_stripe_error(error) == "Cette carte a expiré. Essayez une autre carte."


def test_an_sdk_bad_request_is_told_without_stripe_s_words() -> None:
    body = {"error": {"type": "invalid_request_error", "message": "Bad request"}}
    error = stripe.InvalidRequestError("Bad request", param=None, json_body=body)
    assert message_for_stripe_error(error) == INVALID


def test_the_page_gets_the_same_table() -> None:
    table = table_for_browser()
    assert table["card_declined"] == message_for("card_declined")
    assert table["type:invalid_request_error"] == INVALID
    assert table["default"] == message_for(None)
    assert set(table) == {*BY_CODE, *(f"type:{name}" for name in BY_TYPE), "default"}
    assert not any("request" in text.lower() or "card" in text.lower() for text in table.values())
