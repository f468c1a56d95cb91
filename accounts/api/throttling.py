"""The API's request limits: per resident, and per client address for callers not logged in.

Counted with accounts.ratelimit (one atomic counter per window in Redis, keys bound to the
town's schema), not DRF's own throttles, whose history list is read and written back without
a lock and whose address is not tenants.network.client_ip. While Redis does not answer, calls
go through: an outage must not shut the API.
"""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.core.cache import caches
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, throttling
from rest_framework.request import Request

from accounts import ratelimit
from tenants.cache import STRICT
from tenants.network import client_ip

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "60/min" -> (60, 60): requests allowed, window in seconds."""
    count, period = rate.split("/")
    return int(count), PERIODS[period.strip()[0]]


class TooManyRequests(exceptions.Throttled):
    default_detail = _("Too many requests. Please wait a little before trying again.")
    extra_detail_singular = _("Try again in {wait} second.")  # type: ignore[assignment]
    extra_detail_plural = _("Try again in {wait} seconds.")  # type: ignore[assignment]


class _WindowThrottle(throttling.BaseThrottle):
    scope = ""

    def __init__(self) -> None:
        rates = cast(dict[str, dict[str, str]], settings.REST_FRAMEWORK)["DEFAULT_THROTTLE_RATES"]
        self.limit, self.window = parse_rate(rates[self.scope])
        self.key = ""

    def identity(self, request: Request) -> str | None:
        raise NotImplementedError

    def allow_request(self, request: Request, view: Any) -> bool:
        identity = self.identity(request)
        return True if identity is None else self.count(identity)

    def count(self, identity: str) -> bool:
        self.key = f"api:throttle:{self.scope}:{identity}"
        return ratelimit.hit(self.key, limit=self.limit, window_seconds=self.window, fail_open=True)

    def wait(self) -> float | None:
        try:
            remaining = caches[STRICT].ttl(self.key)  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001  (only the hint in the message is lost)
            return None
        return float(remaining) if remaining and remaining > 0 else float(self.window)


class ResidentThrottle(_WindowThrottle):
    """Calls of one logged-in resident (session or key), whatever their address."""

    scope = "resident"

    def identity(self, request: Request) -> str | None:
        user = request.user
        return str(user.pk) if user and user.is_authenticated else None


class AddressThrottle(_WindowThrottle):
    """Calls without a logged-in resident, per client address behind our proxies: to the
    endpoints open to all (DRF checks limits after permissions), and every bad key."""

    scope = "anonymous"

    def identity(self, request: Request) -> str | None:
        user = request.user
        if user and user.is_authenticated:
            return None
        return address_of(request)


def address_of(request: Request) -> str:
    return client_ip(request._request) or "unknown"


def count_bad_key(request: Request) -> None:
    """A call with a key that opens nothing counts against its address: keys are not guessed
    by the thousand. Raises TooManyRequests past the limit. (Called while authenticating:
    request.user is not known yet, and must not be asked.)"""
    throttle = AddressThrottle()
    if not throttle.count(address_of(request)):
        raise TooManyRequests(throttle.wait())
