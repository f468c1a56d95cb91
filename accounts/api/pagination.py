"""Pages of API lists: by cursor, so that page 250 costs what page 1 does and no count is run."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import CursorPagination

PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


class CursorPage(CursorPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "page_size"
    page_size_query_description = _("How many results per page (at most 100).")  # type: ignore[assignment]
    cursor_query_description = _("Where the page starts: the `next` or `previous` link gives it.")  # type: ignore[assignment]
    max_page_size = MAX_PAGE_SIZE
    invalid_cursor_message = _("This page link is not valid.")  # type: ignore[assignment]
    # Each view says its own order; this one is the fallback.
    ordering: str | tuple[str, ...] = "-pk"
