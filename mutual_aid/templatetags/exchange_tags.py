"""The exchange panel of a post's page: {% exchange_panel post %} (lending, carpooling, group
purchases), an inclusion tag computing its own context from the post and the person."""

from __future__ import annotations

from typing import Any

from django import template

from mutual_aid.exchanges.panels import panel_for

register = template.Library()


@register.inclusion_tag("mutual_aid/exchanges/panel.html", takes_context=True)
def exchange_panel(context: template.Context, post: Any) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    # A form sent back with its errors (the exchange's own pages) keeps what was typed.
    return {"user": user, **panel_for(post, user, context.get("exchange_form"))}
