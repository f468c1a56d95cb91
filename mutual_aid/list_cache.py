"""The browse page's results, rendered once and shared by every member for a few seconds.

The results are the same for every member of the town (the list never shows what only its
author or a moderator may see), so the rendered fragment is cached per town (the cache's key
function adds the schema), language, filters and page. A version number, bumped whenever a
post, its photos, a category, a place or a person's name or badge changes, makes every cached
page stale at once; the short lifetime covers what no signal sees (a post reaching its expiry,
bulk updates). The default cache fails soft: without Redis, every request renders the page.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

VERSION_KEY = "mutual_aid:list_version"


def lifetime() -> int:
    return int(getattr(settings, "MUTUAL_AID_LIST_CACHE_SECONDS", 30))


def _version() -> int | None:
    """The current version, made on first use; None when the cache cannot be used."""
    version = cache.get(VERSION_KEY)
    if version is None:
        # A fresh number (not 1): after Redis loses its keys, no old page comes back.
        cache.add(VERSION_KEY, time.time_ns(), None)
        version = cache.get(VERSION_KEY)
    return int(version) if version is not None else None


def bump(*args: Any, **kwargs: Any) -> None:
    """Make every cached results page stale once the change is committed (before, another
    request could cache the old rows again under the new version). A signal receiver, or
    a moderation hook."""
    transaction.on_commit(_bump_now)


def _bump_now() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # no version yet, or the fail-soft cache lost it
        cache.set(VERSION_KEY, time.time_ns(), None)


def results(query: str, render: Callable[[], str]) -> SafeString:
    """The rendered results for these filters and page: from the cache, or rendered now."""
    seconds = lifetime()
    version = _version() if seconds > 0 else None
    if version is None:
        return mark_safe(render())  # noqa: S308  (see below)
    language = translation.get_language() or settings.LANGUAGE_CODE
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    key = f"mutual_aid:results:{version}:{language}:{digest}"
    html = cache.get(key)
    if html is None:
        html = render()
        cache.set(key, html, seconds)
    return mark_safe(html)  # noqa: S308  (our own template's output, escaped when rendered)


def connect() -> None:
    from accounts.models import User
    from mutual_aid.models import Category, Photo, Post
    from townsite.models import Neighbourhood, ResidentProfile

    for model in (Post, Photo, Category, Neighbourhood, User, ResidentProfile):
        for signal in (post_save, post_delete):
            signal.connect(bump, sender=model, dispatch_uid=f"mutual_aid_list_{model.__name__}")
