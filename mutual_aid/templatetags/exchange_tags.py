"""The exchange panel of a post's page: {% exchange_panel post %}."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def exchange_panel(context: dict[str, Any], post: Any) -> str:
    """Filled in by the exchanges part of mutual aid."""
    return ""
