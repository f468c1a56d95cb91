"""The error pages (400, 403, 404, 500, 503): in French, in the look of the site that failed.

They render from the request's tenant, already in memory, with no context processor: no
session, no database and no cache, since any of these may be what failed. A database that
does not answer (OperationalError, InterfaceError) or a full disk gets a 503 asking to come back
shortly.
"""

from __future__ import annotations

import sys
from typing import Any

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template import loader

from tenants.addresses import root_url
from tenants.storage import is_disk_full

# Seconds a browser or a crawler is asked to wait before trying again when the database is away.
RETRY_AFTER_SECONDS = 30


def _render(request: HttpRequest, template: str, status: int, **context: Any) -> HttpResponse:
    tenant = getattr(request, "tenant", None)
    is_town = tenant is not None and getattr(tenant, "schema_name", "public") != "public"
    page = loader.get_template(template).render(
        {"collectivite": tenant if is_town else None, "root_url": root_url(), **context}
    )
    return HttpResponse(page, status=status)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "400.html", 400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "403.html", 403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form posted without its site's token (an old page, or another site's form)."""
    return _render(request, "403.html", 403, csrf=True)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _render(request, "404.html", 404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this while handling the exception, which sys.exc_info() still holds.
    error = sys.exc_info()[1]
    # The database away, or the disk full (a file upload): nothing was saved, come back later.
    if _database_unavailable(error) or is_disk_full(error):
        response = _render(request, "503.html", 503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return _render(request, "500.html", 500)


def _database_unavailable(error: BaseException | None) -> bool:
    seen = 0
    while error is not None and seen < 10:  # the error itself, or what it was raised from
        if isinstance(error, OperationalError | InterfaceError):
            return True
        error = error.__cause__ or error.__context__
        seen += 1
    return False
