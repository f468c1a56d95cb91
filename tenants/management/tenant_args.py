"""The one way management commands name a collectivité: --tenant <subdomain or schema>."""

from __future__ import annotations

from typing import Any

from django.core.management.base import CommandError, CommandParser

from tenants.models import Collectivite


def add_tenant_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--tenant", required=True, help="The collectivité's subdomain (e.g. chavenay) or schema."
    )


def get_tenant(options: dict[str, Any]) -> Collectivite:
    name = options["tenant"]
    tenant = Collectivite.objects.filter(slug=name).first() or (
        Collectivite.objects.filter(schema_name=name).first()
    )
    if tenant is None:
        raise CommandError(f"No collectivité with the subdomain or schema {name!r}.")
    return tenant
