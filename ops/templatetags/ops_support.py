"""The tenant page's support section: the town's live grant, its past grants and their uses."""

from __future__ import annotations

from typing import Any

from django import template

from ops.models import SupportGrant, SupportUse
from tenants.models import Collectivite

register = template.Library()
SHOWN = 20


@register.inclusion_tag("ops/tenant/_support_section.html")
def support_section(tenant: Collectivite) -> dict[str, Any]:
    grants = SupportGrant.objects.filter(collectivite=tenant)
    return {
        "tenant": tenant,
        "live": grants.live().first(),
        "grants": list(grants[:SHOWN]),
        "uses": list(SupportUse.objects.filter(grant__collectivite=tenant)[:SHOWN]),
    }
