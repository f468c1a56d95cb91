"""An anonymous audience's "once per browser": a signed cookie naming the browser.

The cookie holds a random id, signed with a salt bound to the town's schema
(accounts.tokens.sign), so town B cannot read or forge town A's; answers keep only its hash.
The limit, said on the page too: someone who clears their cookies, or uses another browser or
a private window, can answer again. The rate limit per address (views) caps how far that
goes; a consultation that must count each person once asks for an account instead.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponseBase

from accounts import tokens

COOKIE = "placette_consultations"
PURPOSE = "consultations.browser"
MAX_AGE = 400 * 24 * 3600  # browsers keep a cookie at most 400 days


def browser_id(request: HttpRequest) -> str:
    """The id of this browser's signed cookie, "" when it has none (or a forged one)."""
    signed = request.COOKIES.get(COOKIE, "")
    if not signed:
        return ""
    try:
        value = tokens.unsign(signed, purpose=PURPOSE, max_age=MAX_AGE)
    except signing.BadSignature:
        return ""
    return value if isinstance(value, str) else ""


def new_browser_id() -> str:
    return secrets.token_urlsafe(18)


def browser_key(identifier: str) -> str:
    """What an answer stores: the id's keyed hash, never the id itself."""
    return tokens.token_hash(identifier, purpose=PURPOSE) if identifier else ""


def remember(response: HttpResponseBase, identifier: str) -> None:
    response.set_cookie(
        COOKIE,
        tokens.sign(identifier, purpose=PURPOSE),
        max_age=MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
