"""Stripe's payment errors as short French messages: one table, for the server and the browser.

Stripe's own messages are English and technical ("Bad request", "Your card was declined."): we
never show them. An error is told by its code (Stripe's API codes, and those Stripe.js gives
for what it checks in the browser), else by its type, else by a general message. The payment
page hands the same table to payment.js, so both sides say the same thing.
"""

from __future__ import annotations

from typing import Any

import stripe
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_NUMBER = _("The card number is not right. Please check it.")
_EXPIRY = _("The expiry date is not right. Please check it.")
_CVC = _("The security code is not right: it is the 3 digits on the back of the card.")
_POSTCODE = _("The postcode is not right. Please check it.")
_DECLINED = _("Your bank refused this card. Try another card or another way to pay.")
_PROCESSING = _("The card could not be checked just now. Please try again in a moment.")
_AUTHENTICATION = _("Your bank could not confirm it was you. Please try again.")
_IBAN = _("The IBAN is not right. Please check it.")
_INVALID = _("The payment details are not right. Please check them and try again.")
_CONNECTION = _("The payment service could not be reached. Check your connection and try again.")
_DEFAULT = _("The payment details could not be checked. Please try again.")

BY_CODE: dict[str, Promise] = {
    "card_declined": _DECLINED,
    "insufficient_funds": _DECLINED,
    "lost_card": _DECLINED,
    "stolen_card": _DECLINED,
    "card_not_supported": _DECLINED,
    "expired_card": _("This card has expired. Try another card."),
    "incorrect_number": _NUMBER,
    "invalid_number": _NUMBER,
    "incomplete_number": _NUMBER,
    "invalid_expiry_month": _EXPIRY,
    "invalid_expiry_year": _EXPIRY,
    "invalid_expiry_month_past": _EXPIRY,
    "invalid_expiry_year_past": _EXPIRY,
    "incomplete_expiry": _EXPIRY,
    "incorrect_cvc": _CVC,
    "invalid_cvc": _CVC,
    "incomplete_cvc": _CVC,
    "incorrect_zip": _POSTCODE,
    "incomplete_zip": _POSTCODE,
    "processing_error": _PROCESSING,
    "authentication_required": _AUTHENTICATION,
    "setup_intent_authentication_failure": _AUTHENTICATION,
    "payment_intent_authentication_failure": _AUTHENTICATION,
    "invalid_iban": _IBAN,
    "incomplete_iban": _IBAN,
    "invalid_bank_account_iban": _IBAN,
}

BY_TYPE: dict[str, Promise] = {
    "card_error": _DECLINED,
    "invalid_request_error": _INVALID,  # Stripe's "Bad request"
    "validation_error": _INVALID,  # Stripe.js, before anything is sent
    "api_connection_error": _CONNECTION,
    "api_error": _PROCESSING,
    "rate_limit_error": _PROCESSING,
}


def message_for(code: str | None, error_type: str | None = None) -> str:
    """The French message for a Stripe error, by its code, else its type."""
    found = BY_CODE.get(code or "") or BY_TYPE.get(error_type or "") or _DEFAULT
    return str(found)


def message_for_stripe_error(error: stripe.StripeError) -> str:
    body: Any = error.json_body if isinstance(error.json_body, dict) else {}
    details = body.get("error") or {}
    error_type = details.get("type") or ""
    if not error_type and isinstance(error, stripe.CardError):
        error_type = "card_error"
    return message_for(error.code or details.get("code"), error_type)


def table_for_browser() -> dict[str, str]:
    """The same messages for payment.js: codes as they are, types as "type:<type>"."""
    table = {code: str(message) for code, message in BY_CODE.items()}
    table.update({f"type:{name}": str(message) for name, message in BY_TYPE.items()})
    table["default"] = str(_DEFAULT)
    return table
