"""Finding a collectivité in the official directory: by name, postcode, INSEE code or SIREN."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from django.db.models import Count, Q

from tenants.directory_search import normalize_search_text
from tenants.models import Collectivite, Commune, Epci, ReferenceDataVersion

RESULTS = 15


@dataclass(frozen=True)
class Entry:
    """A commune or an EPCI as the sign-up wizard shows it."""

    kind: str  # Collectivite.Kind
    code: str  # INSEE code, or the EPCI's SIREN
    name: str
    siren: str
    population: int
    departement: str = ""
    postcodes: tuple[str, ...] = ()
    epci_siren: str = ""
    epci_name: str = ""
    member_count: int = 0

    @property
    def label(self) -> str:
        if self.kind == Collectivite.Kind.COMMUNE:
            return f"{self.name} ({self.departement})"
        return self.name

    @property
    def is_intercommunalite(self) -> bool:
        return self.kind == Collectivite.Kind.INTERCOMMUNALITE


def _commune_entry(commune: Commune) -> Entry:
    return Entry(
        kind=Collectivite.Kind.COMMUNE,
        code=commune.insee_code,
        name=commune.name,
        siren=commune.siren,
        population=commune.population,
        departement=commune.departement,
        postcodes=tuple(commune.postcodes),
        epci_siren=commune.epci_id or "",
        epci_name=commune.epci.name if commune.epci else "",
    )


def _epci_entry(epci: Epci, member_count: int) -> Entry:
    return Entry(
        kind=Collectivite.Kind.INTERCOMMUNALITE,
        code=epci.siren,
        name=epci.name,
        siren=epci.siren,
        population=epci.population,
        member_count=member_count,
    )


def search(query: str) -> list[Entry]:
    """Communes and EPCI matching the query, the likeliest first (accents and case ignored)."""
    query = query.strip()
    digits = re.sub(r"\s", "", query)
    communes = Commune.objects.select_related("epci")
    if re.fullmatch(r"\d{5}|2[AB]\d{3}", digits, flags=re.IGNORECASE):
        found = communes.filter(Q(insee_code=digits.upper()) | Q(postcodes__contains=[digits]))
        return [_commune_entry(c) for c in found.order_by("-population")[:RESULTS]]
    if re.fullmatch(r"\d{9}", digits):
        return [_epci_entry(e, e.members.count()) for e in Epci.objects.filter(siren=digits)] + [
            _commune_entry(c) for c in communes.filter(siren=digits)
        ]
    text = normalize_search_text(query)
    if len(text) < 2:
        return []
    starts = list(communes.filter(search_name__startswith=text).order_by("-population")[:RESULTS])
    seen = {c.insee_code for c in starts}
    contains = [
        c
        for c in communes.filter(search_name__contains=text).order_by("-population")[:RESULTS]
        if c.insee_code not in seen
    ]
    entries = [_commune_entry(c) for c in starts + contains][:RESULTS]
    sirens = [siren for siren, name in _epci_search_names() if text in name][:5]
    epcis = Epci.objects.filter(siren__in=sirens).annotate(member_count=Count("members"))
    return [_epci_entry(e, e.member_count) for e in epcis] + entries


def _epci_search_names() -> tuple[tuple[str, str], ...]:
    """(SIREN, normalised name) of every EPCI, kept in memory until the directory is reloaded
    (the search runs at each keystroke; 1,255 names are not worth a table scan each time)."""
    loaded = ReferenceDataVersion.objects.order_by("-loaded_at").values_list("loaded_at").first()
    return _epci_names_for((loaded, Epci.objects.count()))


@functools.lru_cache(maxsize=1)
def _epci_names_for(version: object) -> tuple[tuple[str, str], ...]:
    return tuple(
        (siren, normalize_search_text(name))
        for siren, name in Epci.objects.values_list("siren", "name")
    )


def find(kind: str, code: str) -> Entry | None:
    if kind == Collectivite.Kind.COMMUNE:
        commune = Commune.objects.select_related("epci").filter(insee_code=code).first()
        return _commune_entry(commune) if commune else None
    if kind == Collectivite.Kind.INTERCOMMUNALITE:
        epci = Epci.objects.filter(siren=code).first()
        return _epci_entry(epci, epci.members.count()) if epci else None
    return None


def has_homonyms(entry: Entry) -> bool:
    if entry.is_intercommunalite:
        return False
    name = normalize_search_text(entry.name)
    return Commune.objects.filter(search_name=name).exclude(insee_code=entry.code).exists()


def member_communes(epci_siren: str) -> list[Commune]:
    return list(Commune.objects.filter(epci_id=epci_siren).order_by("name"))
