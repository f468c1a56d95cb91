"""Counting tries in the cache (keys carry the schema, so towns never share counters).

Counters live in the strict cache alias, so that a Redis outage is seen here: each caller says
with `fail_open` whether its limit lets tries through meanwhile or refuses them (tenants.cache).
Per-address limits key on `tenants.network.client_ip`, the client's address behind our proxy.
"""

from __future__ import annotations

import logging

from django.core.cache import caches
from redis.exceptions import RedisError

from tenants.cache import STRICT

logger = logging.getLogger(__name__)


def hit(key: str, *, limit: int, window_seconds: int, fail_open: bool) -> bool:
    """Count one try under `key`; False once more than `limit` were made in the window.

    While Redis does not answer nothing is counted: True if `fail_open`, else False.
    """
    cache = caches[STRICT]
    try:
        cache.add(key, 0, timeout=window_seconds)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=window_seconds)
            count = 1
    except RedisError as error:
        outcome = "let through" if fail_open else "refused"
        logger.warning("Rate limit %s not counted, try %s: %s", key, outcome, error)
        return fail_open
    return count <= limit
