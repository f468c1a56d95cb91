"""The payment page's Content-Security-Policy: the site's own, plus what Stripe.js needs.

Stripe's integration security guide lists it: Stripe.js from js.stripe.com (and its
subdomains), its frames (the card field, 3-D Secure on hooks.stripe.com) and its API. Outside
production a local fake Stripe (localstripe) serves both the script and the API from its own
address, which STRIPE_JS_URL and STRIPE_API_BASE name. No other page loads anything from Stripe.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.csp import CSP
from django.views.decorators.csp import csp_override

STRIPE_FRAMES = ["https://js.stripe.com", "https://*.js.stripe.com", "https://hooks.stripe.com"]


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def payment_page_policy() -> dict[str, list[str]]:
    script = _origin(settings.STRIPE_JS_URL)
    api = (
        _origin(settings.STRIPE_API_BASE) if settings.STRIPE_API_BASE else "https://api.stripe.com"
    )
    policy: dict[str, list[str]] = settings.SECURE_CSP
    return {
        **policy,
        "script-src": [*policy["script-src"], script, "https://*.js.stripe.com"],
        "frame-src": STRIPE_FRAMES,
        "connect-src": [CSP.SELF, api],
    }


def allows_stripe(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Django's csp_override with this policy, read at each request (the settings may change)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        return csp_override(payment_page_policy())(view)(request, *args, **kwargs)

    return wrapped
