"""The address of the person behind a request: the one function every per-address limit uses."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's IP address, as the proxies we run (TRUSTED_PROXY_COUNT of them) saw it.

    Each proxy appends the address it received the connection from to X-Forwarded-For, so the
    entry written by our outermost proxy is the N-th from the right; whatever stands to its left
    was sent by the client and proves nothing. With no trusted proxy the header is ignored.
    """
    remote = _clean(str(request.META.get("REMOTE_ADDR", "")))
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    header = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    forwarded = header.split(",") if header.strip() else []
    if len(forwarded) < count:
        # It did not come through every proxy (the container health check asks gunicorn
        # directly): its own peer is all we know, and cannot be forged.
        return remote
    return _clean(forwarded[-count]) or remote


def _clean(value: str) -> str:
    """A normalised IP address, or "" for anything else (a port is dropped: "1.2.3.4:5")."""
    value = value.strip()
    if value.startswith("[") and "]" in value:  # "[2001:db8::1]:443"
        value = value[1 : value.index("]")]
    elif value.count(":") == 1:  # "203.0.113.5:443"
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return ""
