"""The town's look (main colour, logo, welcome) for every template of its site.

Read lazily, from the cache: at most one query, and only on a cache miss.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from tenants import schema
from townsite.setup.queries import site_look


def town_site(request: HttpRequest) -> dict[str, object]:
    if schema.is_public() or getattr(request, "tenant", None) is None:
        return {}
    return {"town_site": SimpleLazyObject(site_look)}
