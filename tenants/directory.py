"""Resolve a request's host to its collectivité without a database round trip.

Each web process keeps a small in-memory map host -> tenant. Redis holds the same entries for
all processes, under a shared *generation* number; any change to a collectivité or a domain
bumps the generation (see `tenants.signals`), which empties every process's map within
`TENANT_CACHE_CHECK_SECONDS`. The database is read only on a miss in both.

Redis is read through the strict alias (tenants.cache): while it fails, hosts are resolved from
the database and kept in no map, since a change made meanwhile could not be announced.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import logging
import threading
import time
import uuid
from collections import OrderedDict
from typing import Any, Final

from django.conf import settings
from django.core.cache import caches
from redis.exceptions import RedisError

from tenants import schema
from tenants.cache import STRICT
from tenants.models import Collectivite, Domain

logger = logging.getLogger(__name__)

GENERATION_KEY: Final = "tenancy:generation"
# Cached tenants are pickled model instances: a new column must not meet an old pickle (it would
# be fetched from the database on every request). The key carries the model's shape, and the
# attributes the lookup adds to it.
_SHAPE: Final = hashlib.sha1(
    ",".join([*(f.attname for f in Collectivite._meta.concrete_fields), "redirect_host"]).encode(),
    usedforsecurity=False,
).hexdigest()[:8]
ENTRY_TTL_SECONDS: Final = 60 * 60
UNKNOWN_TTL_SECONDS: Final = 60
LOCAL_MAX_ENTRIES: Final = 20_000

_UNKNOWN: Final = "unknown"


def _cache() -> Any:
    return caches[STRICT]


def _in_public_schema() -> bool:
    return schema.is_public()


def bump_generation() -> None:
    """Forget every cached host, in every process (within TENANT_CACHE_CHECK_SECONDS)."""
    _local.clear()
    try:
        # The key function prefixes keys with the current schema: always speak from public.
        saved = schema.current_tenant()
        schema.activate_public()
        try:
            _cache().set(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
        finally:
            schema.activate(saved)
    except RedisError:
        logger.exception("Could not bump the tenancy cache generation")


class _LocalDirectory:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, Collectivite | str] = OrderedDict()
        self._generation: str | None = None
        self._checked_at = float("-inf")

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._generation = None
            self._checked_at = float("-inf")

    def _current_generation(self) -> str | None:
        now = time.monotonic()
        if now - self._checked_at < settings.TENANT_CACHE_CHECK_SECONDS:
            return self._generation
        try:
            generation = _cache().get(GENERATION_KEY)
            if generation is None:
                _cache().add(GENERATION_KEY, uuid.uuid4().hex, timeout=None)
                generation = _cache().get(GENERATION_KEY)
        except RedisError:
            logger.warning("Redis unavailable: resolving tenants from the database")
            generation = None
        with self._lock:
            if generation is None or generation != self._generation:
                self._entries.clear()
            self._generation = generation
            # Without Redis, ask it again only after the delay; meanwhile read the database.
            self._checked_at = now
        return generation

    def resolve(self, host: str) -> Collectivite | None:
        assert _in_public_schema(), "tenant resolution reads the public schema"
        generation = self._current_generation()
        entry = self._entries.get(host)
        if entry is not None:
            with self._lock, contextlib.suppress(KeyError):
                self._entries.move_to_end(host)  # least recently used goes first
        else:
            entry = self._shared_lookup(host, generation)
            if generation is not None:
                with self._lock:
                    self._entries[host] = entry
                    while len(self._entries) > LOCAL_MAX_ENTRIES:
                        self._entries.popitem(last=False)
        if entry == _UNKNOWN:
            return None
        assert isinstance(entry, Collectivite)
        # Each request gets its own copy: nothing a view sets on it leaks into the next request.
        return copy.copy(entry)

    def _shared_lookup(self, host: str, generation: str | None) -> Collectivite | str:
        key = f"tenancy:{generation}:{_SHAPE}:host:{host}"
        if generation is not None:
            try:
                cached = _cache().get(key)
            except RedisError:
                cached = None
            if cached is not None:
                return cached
        domain = Domain.objects.select_related("tenant").filter(domain=host).first()
        entry: Collectivite | str = _UNKNOWN
        if domain is not None:
            tenant = domain.tenant
            if not domain.is_primary and domain.redirects_when_secondary:
                tenant.redirect_host = _primary_host(domain) or ""
            entry = tenant
        if generation is not None:
            ttl = ENTRY_TTL_SECONDS if domain else UNKNOWN_TTL_SECONDS
            with contextlib.suppress(RedisError):
                _cache().set(key, entry, timeout=ttl)
        return entry


def _primary_host(domain: Domain) -> str | None:
    return (
        Domain.objects.filter(tenant_id=domain.tenant_id, is_primary=True)
        .values_list("domain", flat=True)
        .first()
    )


_local = _LocalDirectory()


def forget_local_hosts() -> None:
    """Empty this process's map (the shared one is emptied by `bump_generation`)."""
    _local.clear()


def resolve_host(host: str) -> Collectivite | None:
    """The collectivité served on `host`, or None. Call with the public schema active."""
    return _local.resolve(host)
