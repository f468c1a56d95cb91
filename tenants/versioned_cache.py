"""Entries made stale at once by a version number, read with their version in one round trip.

A reader fetches the version and its entries together (one MGET). Each entry is stored with
the version it was computed under, and is used only while that is still the current one. A
writer bumps the version once its transaction commits (before, another request could compute
the old rows again and store them under the new number), so no reader keeps a stale entry:

    reader: reads version 7, computes from the database (old rows)
    writer: commits, bumps the version to 8
    reader: stores (7, old rows)   -> the next reader sees 8 != 7 and computes again

A lifetime bounds what no bump sees (bulk updates, time passing). The default cache fails
soft (tenants.cache): while Redis does not answer, every read computes from the database and
nothing is stored. Keys go through the cache's key function, which adds the schema: a town
never reads another's entries.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import translation
from redis.exceptions import RedisError

logger = logging.getLogger("placette.cache")


def read(
    version_key: str, entries: Mapping[str, Callable[[], Any]], *, seconds: int
) -> dict[str, Any]:
    """Each entry's value: from the cache when computed under the current version, else
    computed now (and stored). `entries` maps a key to what computes its value."""
    found = cache.get_many([version_key, *entries])
    version = found.get(version_key)
    if version is None:
        # A fresh number, not 1: after Redis loses its keys, no entry stored before comes back.
        cache.add(version_key, time.time_ns(), None)
        version = cache.get(version_key)
    values, missing = {}, {}
    for key, compute in entries.items():
        stored = found.get(key)
        if version is not None and isinstance(stored, tuple) and stored[0] == version:
            values[key] = stored[1]
        else:
            values[key] = missing[key] = compute()
    if version is not None and missing:
        cache.set_many({key: (version, value) for key, value in missing.items()}, seconds)
    return values


def read_parts[T](
    version_key: str, namespace: str, parts: Mapping[str, Callable[[], T]], *, seconds: int
) -> dict[str, T]:
    """`read` for parts of a page named by what they show (filters, page number...): each
    keyed by namespace, language and a digest of its name. A lifetime of 0 (tests) renders
    every part without the cache."""
    if seconds <= 0:
        return {name: render() for name, render in parts.items()}
    language = translation.get_language() or settings.LANGUAGE_CODE
    keys = {
        f"{namespace}:{language}:{hashlib.sha256(name.encode()).hexdigest()[:32]}": name
        for name in parts
    }
    found = read(version_key, {key: parts[name] for key, name in keys.items()}, seconds=seconds)
    return {name: found[key] for key, name in keys.items()}


def bump(*version_keys: str) -> None:
    """Make every entry under these versions stale, once the current transaction commits.
    The keys are made now, in the schema of the change (the commit may come after the code
    has left that schema)."""
    made = [cache.make_key(key) for key in version_keys]
    if made:
        transaction.on_commit(lambda: _incr(made))


def _incr(made_keys: list[str]) -> None:
    """One round trip for all the keys. A missing version starts at 1: its entries were lost
    with it. Fails soft, as the default cache does: the entries' lifetime bounds the harm."""
    try:
        client = cache.client.get_client(write=True)  # type: ignore[attr-defined]  # django-redis
        with client.pipeline(transaction=False) as pipeline:
            for key in made_keys:
                pipeline.incr(key)
            pipeline.execute()
    except (RedisError, OSError):
        logger.warning("Could not bump %s cache versions", len(made_keys), exc_info=True)
