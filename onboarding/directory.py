"""Finding a collectivité in the official directory: by name, postcode, INSEE code or SIREN."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db.models import Q

from tenants.directory_search import normalize_search_text
from tenants.models import Collectivite, Commune, Epci

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
    def is_epci(self) -> bool:
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
    matching = [e for e in Epci.objects.all() if text in normalize_search_text(e.name)][:5]
    return [_epci_entry(e, e.members.count()) for e in matching] + entries


def find(kind: str, code: str) -> Entry | None:
    if kind == Collectivite.Kind.COMMUNE:
        commune = Commune.objects.select_related("epci").filter(insee_code=code).first()
        return _commune_entry(commune) if commune else None
    if kind == Collectivite.Kind.INTERCOMMUNALITE:
        epci = Epci.objects.filter(siren=code).first()
        return _epci_entry(epci, epci.members.count()) if epci else None
    return None


def has_homonyms(entry: Entry) -> bool:
    if entry.is_epci:
        return False
    name = normalize_search_text(entry.name)
    return Commune.objects.filter(search_name=name).exclude(insee_code=entry.code).exists()


def member_communes(epci_siren: str) -> list[Commune]:
    return list(Commune.objects.filter(epci_id=epci_siren).order_by("name"))
