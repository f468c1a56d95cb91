"""The tenants list's body (its form, rows and pages), rendered once for every staff member
for a few seconds.

What the list shows is the same for every member of our staff, so the rendered body is cached
per language and query string (the cache's key function adds the schema: the public one). A
version number, bumped when a collectivité, its billing account, its domains, its figures or a
plan changes, makes every cached page stale at once (tenants.versioned_cache): an action taken
on the tenant page shows on the list at once. The short lifetime covers what no signal sees
(bulk updates, a trial ending as time passes). Without Redis, every request renders the list.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db.models.signals import post_delete, post_save
from django.http import QueryDict
from django.utils.safestring import SafeString, mark_safe

from tenants import versioned_cache

VERSION_KEY = "ops:tenants-list-version"


def lifetime() -> int:
    return int(getattr(settings, "OPS_TENANTS_LIST_CACHE_SECONDS", 30))


def bump(*args: Any, **kwargs: Any) -> None:
    """Make every cached page of the list stale once the change is committed. A signal
    receiver, or called after a bulk write."""
    versioned_cache.bump(VERSION_KEY)


def body(query: QueryDict, render: Callable[[], str]) -> SafeString:
    """The list's body for this query string, from the cache or rendered now. The parameters
    are sorted, so the same page asked in another order is the same entry. An exception of
    `render` (parameters the list refuses) goes up, and nothing is stored."""
    name = "&".join(f"{key}={value}" for key, values in sorted(query.lists()) for value in values)
    found = versioned_cache.read_parts(
        VERSION_KEY, "ops:tenants-list", {name: render}, seconds=lifetime()
    )
    return mark_safe(found[name])  # noqa: S308  (our own template's output, escaped when rendered)


def connect() -> None:
    from billing.models import BillingAccount, Plan
    from ops.models import TenantFigures
    from tenants.models import Collectivite, Domain

    for model in (Collectivite, BillingAccount, Domain, Plan, TenantFigures):
        for signal in (post_save, post_delete):
            signal.connect(bump, sender=model, dispatch_uid=f"ops_tenants_list_{model.__name__}")
