"""The browse page's results, rendered once and shared by every member for a few seconds.

The results are the same for every member of the town (the list never shows what only its
author or a moderator may see), so the rendered fragment is cached per town (the cache's key
function adds the schema), language, filters and page. A version number, bumped whenever a
post, its photos, a category, a place or a person's name or badge changes, makes every cached
page stale at once (tenants.versioned_cache); the short lifetime covers what no signal sees (a
post reaching its expiry, bulk updates). Without Redis, every request renders the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.utils.safestring import SafeString, mark_safe

from tenants import versioned_cache

VERSION_KEY = "mutual_aid:list_version"


def lifetime() -> int:
    return int(getattr(settings, "MUTUAL_AID_LIST_CACHE_SECONDS", 30))


def bump(*args: Any, **kwargs: Any) -> None:
    """Make every cached page stale once the change is committed. A signal receiver, or a
    moderation hook."""
    versioned_cache.bump(VERSION_KEY)


def fragments(renderers: Mapping[str, Callable[[], str]]) -> dict[str, SafeString]:
    """The rendered fragments (named by what they show: filters and page), from the cache or
    rendered now, with the version in one round trip to the cache."""
    found = versioned_cache.read_parts(
        VERSION_KEY, "mutual_aid:fragment", renderers, seconds=lifetime()
    )
    # Our own templates' output, escaped when rendered.
    return {name: mark_safe(html) for name, html in found.items()}  # noqa: S308


def connect() -> None:
    from accounts.models import User
    from mutual_aid.models import Category, Photo, Post
    from townsite.models import Neighbourhood, ResidentProfile

    for model in (Post, Photo, Category, Neighbourhood, User, ResidentProfile):
        for signal in (post_save, post_delete):
            signal.connect(bump, sender=model, dispatch_uid=f"mutual_aid_list_{model.__name__}")
