"""The unread count in every page's header: one query, for signed-in people on a town's site."""

from __future__ import annotations

import logging

from django.db import DatabaseError
from django.http import HttpRequest

from notifications.services import unread_count
from tenants import schema

logger = logging.getLogger(__name__)


def _count_or_none(request: HttpRequest) -> int | None:
    try:
        return unread_count(request.user)  # type: ignore[arg-type]
    except DatabaseError:
        # The header loses its count; the page itself still renders.
        logger.warning("unread notifications count failed", exc_info=True)
        return None


def unread_notifications(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    if schema.is_public() or user is None or not user.is_authenticated:
        return {}
    # Counted at once, not lazily: every page of the site shows it in its header, and the
    # template does arithmetic on it (plural forms), which a lazy object does not support.
    return {"notifications_unread": _count_or_none(request)}
