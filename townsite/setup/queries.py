"""What the set-up pages read: the town's profile, its neighbourhoods, its staff. Never writes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from accounts.tokens import token_hashes
from tenants import request_memo
from tenants.models import Collectivite, Commune, Epci
from townsite.defaults import DEFAULT_CHARTER
from townsite.models import DEFAULT_PRIMARY_COLOUR, Invitation, Neighbourhood, TownProfile
from townsite.setup.contrast import normalise_hex

# The town's look and welcome, read on every page: cached per schema (the cache's key function
# adds the schema), forgotten by the services whenever the profile changes. The default cache
# fails soft (tenants.cache): while Redis is down every page reads the profile from the database.
LOOK_CACHE_KEY = "townsite:look"
LOOK_CACHE_SECONDS = 60 * 60


def current_profile() -> TownProfile:
    """The saved profile, or a new town's defaults (unsaved: reading writes nothing)."""
    return TownProfile.objects.filter(pk=1).first() or TownProfile(pk=1, charter=DEFAULT_CHARTER)


def site_look() -> dict[str, Any]:
    """What every page of the town's site shows of its set-up. One query on a cache miss, and
    one read of the cache per request (tenants.request_memo)."""
    return dict(request_memo.get_or_compute(LOOK_CACHE_KEY, _cached_look))


def _cached_look() -> dict[str, Any]:
    look = cache.get(LOOK_CACHE_KEY)
    if look is None:
        row = TownProfile.objects.filter(pk=1).values(*_LOOK_FIELDS).first()
        if row is None:
            default = TownProfile(charter=DEFAULT_CHARTER)
            row = {field: getattr(default, field) for field in _LOOK_FIELDS}
        logo = str(row.pop("logo") or "")
        completed_at = row.pop("setup_completed_at")
        look = {
            **row,
            # Re-checked so that whatever the column holds, only a colour reaches the CSS.
            "primary_colour": normalise_hex(row["primary_colour"]) or DEFAULT_PRIMARY_COLOUR,
            "logo_url": logo_url(logo),
            "setup_completed": completed_at is not None,
        }
        cache.set(LOOK_CACHE_KEY, look, LOOK_CACHE_SECONDS)
    return look


_LOOK_FIELDS = (
    "primary_colour",
    "logo",
    "welcome_text",
    "mutual_aid_enabled",
    "consultations_enabled",
    "ideas_enabled",
    "setup_completed_at",
)


def logo_url(name: str) -> str:
    if not name:
        return ""
    # A new logo gets a new address, so browsers may keep the old one in cache for long.
    version = hashlib.sha256(name.encode()).hexdigest()[:12]
    return f"{reverse('townsite:logo')}?v={version}"


# --- The dashboard's checklist ------------------------------------------------------------


@dataclass(frozen=True)
class ChecklistItem:
    label: str | Promise
    done: bool
    url: str


def setup_checklist(profile: TownProfile) -> list[ChecklistItem]:
    """Each set-up step, done or not, judged from what is saved. Modules and charter start with
    sensible defaults: they count as done once the admin has gone through the whole wizard."""
    reviewed = profile.setup_completed_at is not None
    return [
        ChecklistItem(
            _("Logo and main colour"),
            bool(profile.logo) or profile.primary_colour != DEFAULT_PRIMARY_COLOUR,
            reverse("townsite:setup_look"),
        ),
        ChecklistItem(
            _("Welcome text"), bool(profile.welcome_text.strip()), reverse("townsite:setup_welcome")
        ),
        ChecklistItem(
            _("Neighbourhoods"),
            Neighbourhood.objects.exists(),
            reverse("townsite:setup_neighbourhoods"),
        ),
        ChecklistItem(_("Modules"), reviewed, reverse("townsite:setup_modules")),
        ChecklistItem(
            _("Contact details"),
            any(
                (
                    profile.contact_address.strip(),
                    profile.contact_phone,
                    profile.contact_email,
                    profile.contact_website,
                )
            ),
            reverse("townsite:setup_contact"),
        ),
        ChecklistItem(_("Moderation charter"), reviewed, reverse("townsite:setup_charter")),
        ChecklistItem(
            _("A moderator or a second administrator"),
            User.objects.filter(role__in=STAFF_ROLES).count() > 1 or pending_invitations().exists(),
            reverse("townsite:team"),
        ),
    ]


# --- Neighbourhoods and member communes ---------------------------------------------------


def neighbourhoods() -> QuerySet[Neighbourhood]:
    return Neighbourhood.objects.annotate(resident_count=Count("residents"))


def epci_of(tenant: Collectivite) -> Epci | None:
    """The directory's EPCI an intercommunalité's site belongs to (None for a commune)."""
    if not tenant.is_intercommunalite:
        return None
    return Epci.objects.filter(siren=tenant.official_code).first()


def member_communes(epci: Epci) -> QuerySet[Commune]:
    return Commune.objects.filter(epci_id=epci.siren).order_by("name")


def member_communes_to_add(epci: Epci) -> list[Commune]:
    """The member communes not yet among the neighbourhoods (by INSEE code or by name)."""
    present = Neighbourhood.objects.values_list("commune_insee", "name")
    codes = {code for code, _name in present if code}
    names = {name.casefold() for _code, name in present}
    return [
        commune
        for commune in member_communes(epci)
        if commune.insee_code not in codes and commune.name.casefold() not in names
    ]


# --- Staff and invitations ----------------------------------------------------------------

STAFF_ROLES = (User.Role.ADMIN, User.Role.MODERATOR)


def staff_members() -> QuerySet[User]:
    # "admin" sorts before "moderator": administrators first.
    return User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by(
        "role", "display_name"
    )


def pending_invitations() -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")


# What an invitation link's token is for (accounts.tokens binds it to the town's schema).
INVITATION_PURPOSE = "townsite.invitation"


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation of this town's schema the link's token opens, whatever its state."""
    if not token or len(token) > 100:
        return None
    hashes = token_hashes(token, purpose=INVITATION_PURPOSE)
    return Invitation.objects.filter(token_hash__in=hashes).first()


def invitation_state(invitation: Invitation) -> str:
    """`pending`, `accepted`, `revoked` or `expired`."""
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.expires_at <= timezone.now():
        return "expired"
    return "pending"


def account_for_email(email: str) -> User | None:
    return User.objects.filter(email__iexact=email).first()
