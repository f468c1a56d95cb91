"""Setting up a town's site: look, welcome, neighbourhoods, modules, contact, charter.

The only code that writes the town's profile and neighbourhoods. Staff and invitations are in
`townsite.setup.team`.
"""

from __future__ import annotations

from pathlib import Path

from django.core.cache import cache
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

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
    cache.delete(queries.LOOK_CACHE_KEY)
    transaction.on_commit(lambda: cache.delete(queries.LOOK_CACHE_KEY))


def _locked_profile() -> TownProfile:
    TownProfile.load()
    return TownProfile.objects.select_for_update().get(pk=1)


def _save(profile: TownProfile, *fields: str) -> TownProfile:
    profile.save(update_fields=[*fields, "updated_at"])
    forget_look()
    return profile


# --- Step by step -------------------------------------------------------------------------


@transaction.atomic
def save_look(
    *, primary_colour: str, logo: CheckedLogo | None = None, remove_logo: bool = False
) -> TownProfile:
    """The main colour (white text on it must stay readable) and the logo, new or removed."""
    colour = normalise_hex(primary_colour)
    if colour is None or contrast_ratio(colour, WHITE) < MIN_TEXT_CONTRAST:
        raise SetupError(_("This colour is too light for white text."))
    profile = _locked_profile()
    profile.primary_colour = colour
    old_logo = profile.logo.path if profile.logo else None
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
    return _save(profile, "primary_colour", "logo")


@transaction.atomic
def save_welcome_text(text: str) -> TownProfile:
    profile = _locked_profile()
    profile.welcome_text = text.strip()
    return _save(profile, "welcome_text")


@transaction.atomic
def save_modules(*, mutual_aid: bool, consultations: bool, ideas: bool) -> TownProfile:
    if not (mutual_aid or consultations or ideas):
        raise SetupError(_("Choose at least one module."))
    profile = _locked_profile()
    profile.mutual_aid_enabled = mutual_aid
    profile.consultations_enabled = consultations
    profile.ideas_enabled = ideas
    return _save(profile, "mutual_aid_enabled", "consultations_enabled", "ideas_enabled")


@transaction.atomic
def save_contact(
    *, address: str, phone: str, email: str, website: str, opening_hours: str
) -> TownProfile:
    profile = _locked_profile()
    profile.contact_address = address.strip()
    profile.contact_phone = phone.strip()
    profile.contact_email = email.strip()
    profile.contact_website = website.strip()
    profile.opening_hours = opening_hours.strip()
    return _save(
        profile,
        "contact_address",
        "contact_phone",
        "contact_email",
        "contact_website",
        "opening_hours",
    )


@transaction.atomic
def save_charter(text: str) -> TownProfile:
    text = text.strip()
    if not text:
        raise SetupError(_("The charter cannot be empty: residents accept it when they join."))
    profile = _locked_profile()
    profile.charter = text
    return _save(profile, "charter")


@transaction.atomic
def complete_setup() -> TownProfile:
    """The end of the wizard: the first time is remembered, later visits keep that date."""
    profile = _locked_profile()
    if profile.setup_completed_at is None:
        profile.setup_completed_at = timezone.now()
    return _save(profile, "setup_completed_at")


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


@transaction.atomic
def add_neighbourhood(name: str, *, commune_insee: str = "") -> Neighbourhood:
    _locked_profile()  # set-up changes of one town go one at a time: no name is added twice
    name = _check_name_free(name)
    return Neighbourhood.objects.create(
        name=name, commune_insee=commune_insee, position=_next_position()
    )


@transaction.atomic
def rename_neighbourhood(neighbourhood: Neighbourhood, name: str) -> Neighbourhood:
    _locked_profile()
    neighbourhood.name = _check_name_free(name, other_than=neighbourhood)
    neighbourhood.save(update_fields=["name"])
    return neighbourhood


@transaction.atomic
def remove_neighbourhood(neighbourhood: Neighbourhood) -> int:
    """Remove it; its residents keep their accounts and simply have no neighbourhood. Returns
    how many were detached."""
    detached = ResidentProfile.objects.filter(neighbourhood=neighbourhood).update(
        neighbourhood=None
    )
    neighbourhood.delete()
    return detached


@transaction.atomic
def add_member_commune(epci: Epci, insee_code: str) -> Neighbourhood:
    """One member commune of the intercommunalité, from the official directory."""
    commune = Commune.objects.filter(epci_id=epci.siren, insee_code=insee_code).first()
    if commune is None:
        raise SetupError(_("This commune is not a member of the intercommunalité."))
    if Neighbourhood.objects.filter(commune_insee=commune.insee_code).exists():
        raise SetupError(_("%(name)s is already in the list.") % {"name": commune.name})
    return add_neighbourhood(commune.name, commune_insee=commune.insee_code)


@transaction.atomic
def add_member_communes(epci: Epci) -> int:
    """Every member commune not yet in the list, in alphabetical order. Returns how many."""
    _locked_profile()  # a double click adds them once
    communes = list({c.name.casefold(): c for c in queries.member_communes_to_add(epci)}.values())
    position = _next_position()
    Neighbourhood.objects.bulk_create(
        Neighbourhood(name=commune.name, commune_insee=commune.insee_code, position=position + i)
        for i, commune in enumerate(communes)
    )
    return len(communes)
