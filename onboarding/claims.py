"""Who may speak for a collectivité: official email domains, second claims, our staff's queue.

Anyone may open the site of any collectivité, at once; it stays unverified until the signer's
email is on one of the collectivité's official domains or our staff checked. Someone else who
claims the same collectivité meanwhile is recorded and flagged to our staff, never refused.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from accounts.mail import send_templated
from accounts.models import User
from onboarding.directory import Entry
from onboarding.errors import SignupError
from onboarding.models import OfficialEmailDomain, SignerRole, SignupRequest, SiteClaim
from tenants.addresses import town_url
from tenants.models import Collectivite


@dataclass(frozen=True)
class Signer:
    """Who signs or claims, as they typed it in the form."""

    name: str
    role: str
    role_other: str
    email: str
    phone: str

    def cleaned(self) -> Signer:
        """As we keep it: trimmed, the email in lowercase, "which role" only for "Other"."""
        return Signer(
            name=self.name.strip(),
            role=self.role,
            role_other=self.role_other.strip() if self.role == SignerRole.OTHER else "",
            email=self.email.strip().lower(),
            phone=self.phone,
        )


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower().rstrip(".")


def on_official_domain(kind: str, official_code: str, email: str) -> bool:
    """Whether the address is on one of the collectivité's official domains (or under one:
    `mairie.chavenay.fr` is under `chavenay.fr`)."""
    domain = email_domain(email)
    if not domain:
        return False
    known = OfficialEmailDomain.objects.filter(kind=kind, official_code=official_code)
    return any(
        domain == official or domain.endswith("." + official)
        for official in known.values_list("domain", flat=True)
    )


def _ops(template: str, context: dict[str, object]) -> None:
    send_templated(template, context, [settings.OPS_EMAIL], subject_prefix="[ops] ")


# --- Claims from the public site ----------------------------------------------------------


def record_claim(
    entry: Entry,
    signer: Signer,
    *,
    town: Collectivite | None = None,
    pending: SignupRequest | None = None,
    message: str = "",
) -> SiteClaim:
    """Record a claim on a collectivité whose site is unverified (`town`) or whose request
    waits (`pending`), and tell our staff. The same person claiming again updates their claim.
    Runs in the caller's transaction."""
    email = signer.email.strip().lower()
    if town is not None and _is_admin_of(town, email):
        raise SignupError(
            _(
                "This address is already an administrator of the site of %(name)s: log in at "
                "%(address)s."
            )
            % {"name": town.name, "address": town.primary_host}
        )
    details = {
        "name": entry.name,
        "collectivite": town,
        "competes_with": pending,
        "claimant_name": signer.name.strip(),
        "claimant_role": signer.role,
        "claimant_role_other": signer.role_other.strip(),
        "phone": signer.phone,
        "message": message.strip(),
        "on_official_domain": on_official_domain(entry.kind, entry.code, email),
    }
    claim = (
        SiteClaim.objects.select_for_update()
        .filter(
            kind=entry.kind, official_code=entry.code, email=email, status=SiteClaim.Status.OPEN
        )
        .first()
    )
    if claim is not None:
        changed = [name for name, value in details.items() if getattr(claim, name) != value]
        for name in changed:
            setattr(claim, name, details[name])
        claim.save(update_fields=changed)
        return claim
    claim = SiteClaim.objects.create(
        kind=entry.kind, official_code=entry.code, email=email, **details
    )
    signup = pending or _opening_request(town)
    _ops(
        "onboarding/email/ops_second_claim",
        {
            "claim": claim,
            "town": town,
            "signup": signup,
            "site": town_url(town.slug) if town else "",
        },
    )
    return claim


def _is_admin_of(town: Collectivite, email: str) -> bool:
    with schema_context(town.schema_name):
        return User.objects.filter(email=email, role=User.Role.ADMIN, is_active=True).exists()


def _opening_request(town: Collectivite | None) -> SignupRequest | None:
    if town is None:
        return None
    return SignupRequest.objects.filter(collectivite=town).first()


def attach_waiting_claims(town: Collectivite, signup: SignupRequest) -> None:
    """Claims made while the request waited now compete with the site it opened."""
    SiteClaim.objects.filter(
        kind=town.kind,
        official_code=town.official_code,
        collectivite__isnull=True,
        status=SiteClaim.Status.OPEN,
    ).update(collectivite=town)


def tell_staff_of_unverified_site(town: Collectivite, signup: SignupRequest) -> None:
    _ops(
        "onboarding/email/ops_unverified_site",
        {
            "town": town,
            "signup": signup,
            "site": town_url(town.slug),
            "domain": email_domain(signup.email),
        },
    )


# --- Our staff's queue --------------------------------------------------------------------


@dataclass(frozen=True)
class QueueItem:
    """A site waiting for our staff: opened by `signup`, with the claims competing with it.

    `town` is None while the first request still waits for its confirmation."""

    kind: str
    official_code: str
    name: str
    town: Collectivite | None
    signup: SignupRequest | None
    claims: list[SiteClaim]
    since: datetime


def queue() -> list[QueueItem]:
    """Unverified sites, and every collectivité with an open claim, the oldest first."""
    towns = {
        (town.kind, town.official_code): town
        for town in Collectivite.objects.filter(verified_at__isnull=True).exclude(
            status=Collectivite.Status.DEACTIVATED
        )
    }
    claims: dict[tuple[str, str], list[SiteClaim]] = defaultdict(list)
    for claim in SiteClaim.objects.filter(status=SiteClaim.Status.OPEN).select_related(
        "competes_with", "collectivite"
    ):
        claims[(claim.kind, claim.official_code)].append(claim)
        if claim.collectivite is not None:
            towns.setdefault((claim.kind, claim.official_code), claim.collectivite)
    openers = {
        signup.collectivite_id: signup
        for signup in SignupRequest.objects.filter(collectivite__in=list(towns.values()))
    }
    items = []
    for key in towns.keys() | claims.keys():
        town, mine = towns.get(key), claims.get(key, [])
        if town is not None:
            signup, name, since = openers.get(town.pk), town.name, town.created_at
        else:
            signup, name, since = mine[0].competes_with, mine[0].name, mine[0].created_at
        items.append(QueueItem(key[0], key[1], name, town, signup, mine, since))
    return sorted(items, key=lambda item: item.since)


def open_claims_for(town: Collectivite) -> list[SiteClaim]:
    return list(
        SiteClaim.objects.filter(
            kind=town.kind, official_code=town.official_code, status=SiteClaim.Status.OPEN
        )
    )
