"""The tenant page's domains section: the town's addresses, read in one query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django import template
from django.conf import settings

from tenants.models import Collectivite, Domain

register = template.Library()


@dataclass(frozen=True)
class Address:
    domain: Domain
    is_subdomain: bool  # ours (<slug>.ROOT_DOMAIN, current or former): never removed
    redirects: bool
    added_at: datetime | None


@register.simple_tag
def tenant_addresses(tenant: Collectivite) -> list[Address]:
    root = f".{settings.ROOT_DOMAIN}"
    rows = Domain.objects.filter(tenant=tenant).order_by("-is_primary", "domain")
    return [
        Address(
            domain=row,
            is_subdomain=row.domain.endswith(root),
            redirects=not row.is_primary and row.redirects_when_secondary,
            added_at=row.added_at,
        )
        for row in rows
    ]
