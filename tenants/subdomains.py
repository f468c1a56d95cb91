"""A town's subdomain (<slug>.ROOT_DOMAIN): which names may be one, and renaming it.

Its rules live here, below onboarding (which offers a subdomain at sign-up) and the ops console
(which renames one), so that both refuse the same names with the same words.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tenants import audit
from tenants.domains import DomainError, make_primary, require_reason
from tenants.models import Collectivite, Domain
from tenants.services import RESERVED_SLUGS

SLUG_PATTERN = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")


def subdomain_host(slug: str) -> str:
    return f"{slug}.{settings.ROOT_DOMAIN}"


def shape_problem(slug: str) -> str | None:
    """Why this name cannot be a subdomain whoever asks, in French, or None."""
    if not SLUG_PATTERN.fullmatch(slug):
        return _(
            "Use only lowercase letters without accents, digits and hyphens (63 at most), "
            "not starting or ending with a hyphen."
        )
    if slug[2:4] == "--":
        # "xn--" and every "??--" prefix are reserved for encoded international names
        # (RFC 5891): such an address would show as another name in the browser.
        return _("An address cannot have two hyphens after its first two characters.")
    if slug in RESERVED_SLUGS:
        return _("This address is reserved. Please choose another one.")
    return None


def is_taken(slug: str, *, by_other_than: Collectivite | None = None) -> bool:
    """Another town's subdomain, now or formerly (a former one still redirects to that town)."""
    towns = Collectivite.objects.filter(slug=slug)
    domains = Domain.objects.filter(domain=subdomain_host(slug))
    if by_other_than is not None:
        towns = towns.exclude(pk=by_other_than.pk)
        domains = domains.exclude(tenant_id=by_other_than.pk)
    return towns.exists() or domains.exists()


def _taken() -> DomainError:
    return DomainError(_("This address is already used by another collectivité."))


@transaction.atomic
def rename_subdomain(town: Collectivite, new_slug: str, *, actor: Any, reason: str) -> Collectivite:
    """Serve the town on <new_slug>.ROOT_DOMAIN: it becomes the primary address unless a custom
    domain is, and the former subdomain keeps redirecting there (its links and bookmarks).

    Only the slug changes: the schema keeps its name (it is no address), and emails' links
    follow the slug (Collectivite.primary_host). The host map forgets its entries once this
    commits (tenants.signals). Renaming back to a former subdomain of the same town reuses it.
    """
    reason = require_reason(reason)
    slug = new_slug.strip().lower()
    problem = shape_problem(slug)
    if problem:
        raise DomainError(problem)
    town = Collectivite.objects.select_for_update().get(pk=town.pk)
    if slug == town.slug:
        raise DomainError(_("This is already the site's subdomain."))
    if is_taken(slug, by_other_than=town):
        raise _taken()
    old_slug = town.slug
    domains = list(Domain.objects.select_for_update().filter(tenant=town).order_by("pk"))
    host = subdomain_host(slug)
    try:
        with transaction.atomic():  # another rename may take the same name meanwhile
            town.slug = slug
            town.save(update_fields=["slug"])
            new = next((row for row in domains if row.domain == host), None)
            if new is None:
                new = Domain.objects.create(
                    domain=host, tenant=town, is_primary=False, redirects_when_secondary=True
                )
                domains.append(new)
    except IntegrityError as error:
        raise _taken() from error
    primary = next((row for row in domains if row.is_primary), None)
    if primary is None or primary.domain == subdomain_host(old_slug):
        make_primary(domains, new)
    else:  # a custom primary stays: the new subdomain redirects to it, as the old one does
        for row in (new, *(r for r in domains if r.domain == subdomain_host(old_slug))):
            if not row.redirects_when_secondary:
                row.redirects_when_secondary = True
                row.save(update_fields=["redirects_when_secondary"])
    audit.record(
        "collectivite.subdomain_rename",
        actor=actor,
        target=town,
        before={"slug": old_slug},
        after={"slug": slug},
        reason=reason,
        collectivite=town,
    )
    return town
