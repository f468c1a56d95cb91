"""Setting up a town's site: look, welcome, neighbourhoods, modules, contact, charter.

The only code that writes the town's profile and neighbourhoods. Staff and invitations are in
`townsite.setup.team`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from tenants import audit, request_memo
from tenants.models import Commune, Epci
from townsite.models import Neighbourhood, ResidentProfile, TownProfile
from townsite.setup import queries
from townsite.setup.contrast import MIN_TEXT_CONTRAST, WHITE, contrast_ratio, normalise_hex
from townsite.setup.logos import CheckedLogo, reencoded


class SetupError(Exception):
    """Something the admin can fix; the message is for them (French)."""


def forget_look() -> None:
    """Every page shows the new look at once, and again once the change is committed (a page
    rendered meanwhile may have cached the old one)."""
    request_memo.forget(queries.LOOK_CACHE_KEY)
    cache.delete(queries.LOOK_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(queries.LOOK_CACHE_KEY))


def locked_profile() -> TownProfile:
    """The town's profile, locked: set-up and team changes of one town go one at a time."""
    TownProfile.load()
    return TownProfile.objects.select_for_update().get(pk=1)


def _save_changes(
    profile: TownProfile, old: dict[str, Any], action: str, *, by: User | None
) -> TownProfile:
    """Save the fields that differ from `old` and record them; nothing changed, nothing
    written (no save, no entry, the cached look stays)."""
    before, after = audit.changes(profile, old, list(old))
    if not after:
        return profile
    profile.save(update_fields=[*after, "updated_at"])
    # The target is the site itself: the entry's town says which.
    audit.record(action, actor=by, before=before, after=after)
    forget_look()
    return profile


def _values(profile: TownProfile, *fields: str) -> dict[str, Any]:
    return {field: getattr(profile, field) for field in fields}


# --- Step by step -------------------------------------------------------------------------


@transaction.atomic
def save_look(
    *,
    by: User | None,
    primary_colour: str,
    logo: CheckedLogo | None = None,
    remove_logo: bool = False,
) -> TownProfile:
    """The main colour (white text on it must stay readable) and the logo, new or removed."""
    colour = normalise_hex(primary_colour)
    if colour is None or contrast_ratio(colour, WHITE) < MIN_TEXT_CONTRAST:
        raise SetupError(_("This colour is too light for white text."))
    profile = locked_profile()
    old = {"primary_colour": profile.primary_colour, "logo": profile.logo.name or ""}
    old_logo = profile.logo.path if profile.logo else None
    profile.primary_colour = colour
    if logo is not None:
        content = reencoded(logo)
        profile.logo.save(content.name or "logo", content, save=False)
    elif remove_logo:
        profile.logo = ""
    else:
        old_logo = None
    if old_logo:
        # The replaced file goes only once the new profile is saved for good.
        transaction.on_commit(lambda: Path(old_logo).unlink(missing_ok=True))
    # The logo compares and is recorded by its file's name.
    return _save_changes(profile, old, "settings.look", by=by)


@transaction.atomic
def save_welcome_text(text: str, *, by: User | None) -> TownProfile:
    profile = locked_profile()
    old = _values(profile, "welcome_text")
    profile.welcome_text = text.strip()
    return _save_changes(profile, old, "settings.welcome", by=by)


@transaction.atomic
def save_modules(
    *, by: User | None, mutual_aid: bool, consultations: bool, ideas: bool
) -> TownProfile:
    if not (mutual_aid or consultations or ideas):
        raise SetupError(_("Choose at least one module."))
    profile = locked_profile()
    old = _values(profile, "mutual_aid_enabled", "consultations_enabled", "ideas_enabled")
    profile.mutual_aid_enabled = mutual_aid
    profile.consultations_enabled = consultations
    profile.ideas_enabled = ideas
    return _save_changes(profile, old, "settings.modules", by=by)


@transaction.atomic
def save_contact(
    *, by: User | None, address: str, phone: str, email: str, website: str, opening_hours: str
) -> TownProfile:
    profile = locked_profile()
    old = _values(
        profile,
        "contact_address",
        "contact_phone",
        "contact_email",
        "contact_website",
        "opening_hours",
    )
    profile.contact_address = address.strip()
    profile.contact_phone = phone.strip()
    profile.contact_email = email.strip()
    profile.contact_website = website.strip()
    profile.opening_hours = opening_hours.strip()
    return _save_changes(profile, old, "settings.contact", by=by)


@transaction.atomic
def save_charter(text: str, *, by: User | None) -> TownProfile:
    """The rules residents accept when they join: the journal keeps each version."""
    text = text.strip()
    if not text:
        raise SetupError(_("The charter cannot be empty: residents accept it when they join."))
    profile = locked_profile()
    old = _values(profile, "charter")
    profile.charter = text
    return _save_changes(profile, old, "settings.charter", by=by)


@transaction.atomic
def complete_setup(*, by: User | None) -> TownProfile:
    """The end of the wizard: the first time is remembered, later visits keep that date."""
    profile = locked_profile()
    if profile.setup_completed_at is not None:
        return profile
    old = _values(profile, "setup_completed_at")
    profile.setup_completed_at = timezone.now()
    return _save_changes(profile, old, "settings.setup_completed", by=by)


# --- Neighbourhoods -----------------------------------------------------------------------


def _check_name_free(name: str, *, other_than: Neighbourhood | None = None) -> str:
    name = " ".join(name.split())
    if not name:
        raise SetupError(_("Give a name."))
    same = Neighbourhood.objects.filter(name__iexact=name)
    if other_than is not None:
        same = same.exclude(pk=other_than.pk)
    if same.exists():
        raise SetupError(_("There is already a neighbourhood called “%(name)s”.") % {"name": name})
    return name


def _next_position() -> int:
    highest = Neighbourhood.objects.aggregate(highest=Max("position"))["highest"]
    return 0 if highest is None else highest + 1


def _add(name: str, commune_insee: str, *, by: User | None) -> Neighbourhood:
    name = _check_name_free(name)
    neighbourhood = Neighbourhood.objects.create(
        name=name, commune_insee=commune_insee, position=_next_position()
    )
    audit.record("neighbourhood.added", actor=by, target=neighbourhood, after={"name": name})
    return neighbourhood


@transaction.atomic
def add_neighbourhood(name: str, *, by: User | None) -> Neighbourhood:
    locked_profile()  # set-up changes of one town go one at a time: no name is added twice
    return _add(name, "", by=by)


def _locked_neighbourhood(neighbourhood: Neighbourhood) -> Neighbourhood | None:
    """Re-read under the town's lock: another admin may have renamed or removed it since the
    page was shown."""
    locked_profile()
    return Neighbourhood.objects.select_for_update().filter(pk=neighbourhood.pk).first()


@transaction.atomic
def rename_neighbourhood(
    neighbourhood: Neighbourhood, name: str, *, by: User | None
) -> Neighbourhood:
    current = _locked_neighbourhood(neighbourhood)
    if current is None:
        raise SetupError(_("This neighbourhood was removed meanwhile."))
    name = _check_name_free(name, other_than=current)
    if name == current.name:
        return current
    old = {"name": current.name}
    current.name = name
    current.save(update_fields=["name"])
    before, after = audit.changes(current, old, ["name"])
    audit.record("neighbourhood.renamed", actor=by, target=current, before=before, after=after)
    return current


@transaction.atomic
def remove_neighbourhood(neighbourhood: Neighbourhood, *, by: User | None) -> int:
    """Remove it; its residents keep their accounts and simply have no neighbourhood. Returns
    how many were detached (0 when someone else removed it first)."""
    current = _locked_neighbourhood(neighbourhood)
    if current is None:
        return 0
    detached = ResidentProfile.objects.filter(neighbourhood=current).update(neighbourhood=None)
    audit.record(
        "neighbourhood.removed",
        actor=by,
        target=current,
        before={"name": current.name, "resident_count": detached},
    )
    current.delete()
    return detached


@transaction.atomic
def add_member_commune(epci: Epci, insee_code: str, *, by: User | None) -> Neighbourhood:
    """One member commune of the intercommunalité, from the official directory."""
    locked_profile()
    commune = Commune.objects.filter(epci_id=epci.siren, insee_code=insee_code).first()
    if commune is None:
        raise SetupError(_("This commune is not a member of the intercommunalité."))
    if Neighbourhood.objects.filter(commune_insee=commune.insee_code).exists():
        raise SetupError(_("%(name)s is already in the list.") % {"name": commune.name})
    return _add(commune.name, commune.insee_code, by=by)


@transaction.atomic
def add_member_communes(epci: Epci, *, by: User | None = None) -> int:
    """Every member commune not yet in the list, in alphabetical order. Returns how many.

    `by` is None when a new intercommunalité's site is made: the system adds them."""
    locked_profile()  # a double click adds them once
    communes = list({c.name.casefold(): c for c in queries.member_communes_to_add(epci)}.values())
    if not communes:
        return 0
    position = _next_position()
    Neighbourhood.objects.bulk_create(
        Neighbourhood(name=commune.name, commune_insee=commune.insee_code, position=position + i)
        for i, commune in enumerate(communes)
    )
    audit.record(
        "neighbourhood.communes_added",
        actor=by,
        target_label=epci.name,
        after={"names": [commune.name for commune in communes]},
    )
    return len(communes)
