"""Counting tries in the cache (keys carry the schema, so towns never share counters)."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest


def hit(key: str, *, limit: int, window_seconds: int) -> bool:
    """Count one try under `key`; False once more than `limit` were made in the window."""
    cache.add(key, 0, timeout=window_seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        count = 1
    return count <= limit


def client_ip(request: HttpRequest) -> str:
    # The proxy sets REMOTE_ADDR through gunicorn's forwarded_allow_ips (deploy/).
    return str(request.META.get("REMOTE_ADDR", ""))
