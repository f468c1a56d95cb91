"""The idea list's rendered parts, rendered once and shared by every member for a few seconds.

The list is the same for every member of the town (participation.ideas.access.listed_ideas
shows no one their own hidden ideas, nor moderators theirs), so its rendered fragments are
cached per town (the cache's key function adds the schema), language, filters and page. What
is the viewer's own (the ideas they support, their own ideas) is laid over the shared HTML
afterwards (participation.ideas.list_overlay). A version number, bumped after the commit of
whatever changes what the list shows (an idea, a support, a comment, an answer or a merge, a
moderator's hiding, a category, a place, the threshold, a person's name or badge), makes
every cached page stale at once (tenants.versioned_cache); the short lifetime covers what no
signal sees (bulk updates, the days an idea has been waiting). Without Redis, every request
renders the page.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.conf import settings
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from tenants import versioned_cache

VERSION_KEY = "ideas:list_version"


def lifetime() -> int:
    return int(getattr(settings, "IDEAS_LIST_CACHE_SECONDS", 30))


def bump(*args: Any, **kwargs: Any) -> None:
    """Make every cached part stale once the change is committed. A signal receiver, or
    called by the code that changes rows without a signal (update(), bulk_create())."""
    versioned_cache.bump(VERSION_KEY)


def shared[T](renderers: Mapping[str, Callable[[], T]]) -> dict[str, T]:
    """Each part (named by what it shows: filters and page), from the cache or rendered now,
    with the version in one round trip to the cache."""
    return versioned_cache.read_parts(VERSION_KEY, "ideas:list", renderers, seconds=lifetime())


def _person_saved(sender: Any, instance: Any, update_fields: Any = None, **kwargs: Any) -> None:
    # Every login saves last_login: that shows nowhere on the list.
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    bump()


def connect() -> None:
    from accounts.models import User
    from participation.ideas.models import (
        Idea,
        IdeaAnswer,
        IdeaCategory,
        IdeaComment,
        IdeaSettings,
        IdeaSupport,
    )
    from townsite.models import Neighbourhood, ResidentProfile

    # Supports and comments: no post_delete receiver, so that deleting an idea or an account
    # still deletes their rows in one statement; their services bump when they delete rows.
    saved: tuple[type[Model], ...] = (
        Idea,
        IdeaAnswer,
        IdeaCategory,
        IdeaComment,
        IdeaSettings,
        IdeaSupport,
        Neighbourhood,
    )
    for model in saved:
        post_save.connect(bump, sender=model, dispatch_uid=f"ideas_list_{model.__name__}")
    deleted: tuple[type[Model], ...] = (Idea, IdeaAnswer, IdeaCategory, Neighbourhood)
    for model in deleted:
        post_delete.connect(bump, sender=model, dispatch_uid=f"ideas_list_del_{model.__name__}")
    people: tuple[type[Model], ...] = (User, ResidentProfile)
    for model in people:
        post_save.connect(_person_saved, sender=model, dispatch_uid=f"ideas_list_{model.__name__}")
        post_delete.connect(bump, sender=model, dispatch_uid=f"ideas_list_del_{model.__name__}")
