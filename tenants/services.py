"""Everything that creates or changes a collectivité goes through here."""

from __future__ import annotations

import re
import unicodedata

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tenants.utils import schema_context

from tenants.models import Collectivite, Domain

RESERVED_SLUGS = frozenset(
    {
        "www",
        "api",
        "admin",
        "ops",
        "static",
        "media",
        "mail",
        "smtp",
        "imap",
        "pop",
        "webmail",
        "ftp",
        "app",
        "assets",
        "cdn",
        "status",
        "help",
        "aide",
        "support",
        "docs",
        "blog",
        "billing",
        "stripe",
        "public",
        "placette",
        "test",
        "demo",
        "beta",
        "dev",
        "staging",
        "prod",
        "auth",
        "login",
        "compte",
        "comptes",
        "root",
        "postgres",
    }
)


def ascii_slug(text: str, max_length: int = 63) -> str:
    """'Saint-Étienne-du-Rouvray' -> 'saint-etienne-du-rouvray', fit for a DNS label."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")
    return slug[:max_length].rstrip("-")


def schema_name_for(slug: str) -> str:
    # Schemas are named after the slug but can never collide with PostgreSQL's own.
    return "t_" + slug.replace("-", "_")


@transaction.atomic
def provision_collectivite(
    *,
    name: str,
    kind: str,
    official_code: str,
    slug: str,
    siren: str = "",
    population: int = 0,
) -> Collectivite:
    """Create the collectivité, its schema (cloned from the template) and its domain, set it up
    (settings.TENANT_NEW_TOWN_SETUP), and open it.

    All in one transaction: a failure leaves neither row nor schema behind.
    """
    collectivite = Collectivite(
        name=name,
        kind=kind,
        official_code=official_code,
        siren=siren,
        population=population,
        slug=slug,
        schema_name=schema_name_for(slug),
        status=Collectivite.Status.PROVISIONING,
    )
    collectivite.save(verbosity=0)
    Domain.objects.create(
        domain=f"{slug}.{settings.ROOT_DOMAIN}", tenant=collectivite, is_primary=True
    )
    with schema_context(collectivite.schema_name):
        import_string(settings.TENANT_NEW_TOWN_SETUP)(collectivite)
    collectivite.status = Collectivite.Status.READY
    collectivite.save(update_fields=["status"])
    return collectivite


def set_status(collectivite: Collectivite, status: str) -> None:
    """Suspend, deactivate or reopen a town's site. Data is never touched."""
    collectivite.status = status
    collectivite.save(update_fields=["status"])


def set_verified(collectivite: Collectivite, via: str) -> bool:
    """Mark the site as run by the collectivité itself (`via`: Collectivite.Verification).

    The caller holds the row's lock and writes the audit entry; False if it was already verified.
    """
    if collectivite.verified_at is not None:
        return False
    collectivite.verified_at = timezone.now()
    collectivite.verified_via = via
    collectivite.save(update_fields=["verified_at", "verified_via"])
    return True
