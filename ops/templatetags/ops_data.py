"""The tenant page's exports: the last archives asked for, with their links while kept."""

from __future__ import annotations

from typing import Any

from django import template

from tenants import exports
from tenants.models import Collectivite

register = template.Library()


@register.inclusion_tag("ops/tenant/_exports.html")
def tenant_exports(tenant: Collectivite) -> dict[str, Any]:
    return {"tenant": tenant, "exports": exports.exports_of(tenant, limit=10)}
