"""A town's addresses: custom domains (entraide.ville.fr) added to its site, and its primary one."""

from __future__ import annotations

import ipaddress
import re
from typing import Any

import idna
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tenants import audit
from tenants.models import Collectivite, Domain

_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?")
# Special-use names (RFC 6761, 6762, 7686, 8375 and the .internal TLD): never on the public DNS,
# so no certificate could be issued for them and no resident could reach them.
_RESERVED_SUFFIXES = (
    "localhost",
    "local",
    "localdomain",
    "test",
    "example",
    "invalid",
    "onion",
    "internal",
    "arpa",
    "example.com",
    "example.net",
    "example.org",
)


class DomainError(ValueError):
    """A custom domain that cannot be added or made primary; the message says why, in French."""


def _ascii_host(text: str) -> str:
    host = text.strip().rstrip(".")
    if not host:
        raise DomainError(_("Type the address, for example entraide.ville.fr."))
    if any(char in host for char in "/:@?#[] \\") or "://" in host:
        raise DomainError(
            _("Type the address alone, without http://, a slash or a port: entraide.ville.fr.")
        )
    try:
        host = idna.encode(host, uts46=True).decode("ascii")
    except idna.IDNAError as error:
        raise DomainError(_("This is not a valid web address.")) from error
    return host


def lookup_form(text: str) -> str | None:
    """The form a host is stored and looked up in, or None when it cannot be a host at all."""
    try:
        host = _ascii_host(text)
    except DomainError:
        return None
    return host if len(host) <= 253 else None


def normalise_host(text: str) -> str:
    """'Entraide.Évreux.fr.' -> 'entraide.xn--vreux-9ra.fr', or DomainError.

    Only a bare host name: no scheme, port, path or address; internationalised names become
    their ASCII (punycode) form, which is what browsers send in the Host header.
    """
    host = _ascii_host(text)
    _check_shape(host)
    return host


def _check_shape(host: str) -> None:
    labels = host.split(".")
    if (
        len(host) > 253
        or len(labels) < 2
        or not all(_LABEL.fullmatch(label) for label in labels)
        or labels[-1].isdigit()
        or _is_ip_address(host)
    ):
        raise DomainError(_("This is not a valid web address."))


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_ours(host: str) -> bool:
    root = settings.ROOT_DOMAIN
    return host == root or host.endswith(f".{root}")


def _is_reserved(host: str) -> bool:
    return any(host == suffix or host.endswith(f".{suffix}") for suffix in _RESERVED_SUFFIXES)


def require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why you make this change."))
    return reason


@transaction.atomic
def add_custom_domain(actor: Any, collectivite: Collectivite, host: str, *, reason: str) -> Domain:
    """Serve the town's site on `host` too, as is (not as its primary address, nor redirecting
    to it, until set_primary_domain makes it so).

    The host map forgets its entries once this commits (tenants.signals), so the new address
    answers within TENANT_CACHE_CHECK_SECONDS in every process.
    """
    reason = require_reason(reason)
    host = _ascii_host(host)
    if _is_ours(host):
        raise DomainError(
            _(
                "Addresses ending in %(root)s are Placette's own: "
                "change the site's subdomain instead."
            )
            % {"root": settings.ROOT_DOMAIN}
        )
    if _is_reserved(host):
        raise DomainError(_("This address is reserved and cannot be used on the internet."))
    _check_shape(host)
    collectivite = Collectivite.objects.select_for_update().get(pk=collectivite.pk)
    owner = Domain.objects.filter(domain=host).values_list("tenant_id", flat=True).first()
    if owner == collectivite.pk:
        raise DomainError(_("This address is already one of this site's addresses."))
    if owner is not None:
        raise DomainError(_("This address is already used by another site."))
    try:
        with transaction.atomic():  # another request may add the same host meanwhile
            domain = Domain.objects.create(
                domain=host, tenant=collectivite, is_primary=False, redirects_when_secondary=False
            )
    except IntegrityError as error:
        raise DomainError(_("This address is already used by another site.")) from error
    audit.record(
        "collectivite.custom_domain_add",
        actor=actor,
        target=domain,
        after={"host": host},
        reason=reason,
        collectivite=collectivite,
    )
    return domain


def make_primary(domains: list[Domain], chosen: Domain) -> list[Domain]:
    """Move the primary flag of a town (its locked `domains`) to `chosen`; the former primary
    then redirects to it. Returns the former primary (a list: none, or one)."""
    previous = [row for row in domains if row.is_primary and row.pk != chosen.pk]
    for row in previous:  # its links and bookmarks now lead to the new address
        if not row.redirects_when_secondary:
            row.redirects_when_secondary = True
            row.save(update_fields=["redirects_when_secondary"])
    if not chosen.is_primary:
        chosen.is_primary = True
        # DomainMixin.save() takes the flag off the town's other domains in the same statement.
        chosen.save(update_fields=["is_primary"])
    return previous


@transaction.atomic
def set_primary_domain(
    actor: Any, collectivite: Collectivite, domain: Domain, *, reason: str
) -> Domain:
    """Make `domain` the town's primary address: the former primary then redirects to it
    (tenants.middleware), as the town's subdomain does. Nothing is written when it already
    is the primary one."""
    reason = require_reason(reason)
    collectivite = Collectivite.objects.select_for_update().get(pk=collectivite.pk)
    domains = {
        row.pk: row
        for row in Domain.objects.select_for_update().filter(tenant=collectivite).order_by("pk")
    }
    chosen = domains.get(domain.pk)
    if chosen is None:
        raise DomainError(_("This address is not one of this site's addresses."))
    if chosen.is_primary:
        return chosen
    previous = make_primary(list(domains.values()), chosen)
    audit.record(
        "collectivite.primary_domain_change",
        actor=actor,
        target=chosen,
        before={"primary_domain": previous[0].domain if previous else None},
        after={"primary_domain": chosen.domain},
        reason=reason,
        collectivite=collectivite,
    )
    return chosen


@transaction.atomic
def remove_custom_domain(
    actor: Any, collectivite: Collectivite, domain: Domain, *, reason: str
) -> None:
    """Stop serving the town on a custom domain that is not its primary one.

    The town's subdomains (current and former) are never removed: a former one keeps old links
    working, and freeing it would let another town take an address residents know as this one.
    The host map forgets the address once this commits (tenants.signals).
    """
    reason = require_reason(reason)
    collectivite = Collectivite.objects.select_for_update().get(pk=collectivite.pk)
    row = Domain.objects.select_for_update().filter(pk=domain.pk, tenant=collectivite).first()
    if row is None:
        raise DomainError(_("This address is not one of this site's addresses."))
    if _is_ours(row.domain):
        raise DomainError(
            _("The site's own subdomains cannot be removed: they keep old links working.")
        )
    if row.is_primary:
        raise DomainError(
            _("This is the site's primary address: make another one primary before removing it.")
        )
    host = row.domain
    audit.record(
        "collectivite.custom_domain_remove",
        actor=actor,
        target=row,
        before={"host": host},
        reason=reason,
        collectivite=collectivite,
    )
    row.delete()
