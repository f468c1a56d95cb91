"""Finding a collectivité in the official directory: by name, postcode, INSEE code or SIREN."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from django.db.models import Case, Count, QuerySet, Value, When

from tenants.directory_search import normalize_search_text
from tenants.models import Collectivite, Commune, Departement, Epci, ReferenceDataVersion

RESULTS = 20
EPCI_RESULTS = 5
# A département as typed inside a query: "32", "2A", "974" (checked against the directory).
_DEPARTEMENT_CODE = re.compile(r"\d{2,3}|2[AB]", re.IGNORECASE)
_POSTCODE = re.compile(r"\d{5}")


@dataclass(frozen=True)
class Entry:
    """A commune or an EPCI as the sign-up wizard shows it."""

    kind: str  # Collectivite.Kind
    code: str  # INSEE code, or the EPCI's SIREN
    name: str
    siren: str
    population: int
    departement: str = ""
    departement_name: str = ""
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


@dataclass(frozen=True)
class Results:
    """The first matches, the likeliest first, and how many there are in all."""

    entries: list[Entry] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.entries)


@dataclass(frozen=True)
class Query:
    """What someone typed, split into a name and the filters found in it."""

    text: str  # normalised name, possibly empty
    postcode: str = ""
    departement: str = ""  # a département code


def _departements(version: object = None) -> dict[str, Departement]:
    """Every département by code, kept in memory until the directory is reloaded."""
    return _departements_for(version or _directory_version())


@functools.lru_cache(maxsize=1)
def _departements_for(version: object) -> dict[str, Departement]:
    return {d.code: d for d in Departement.objects.all()}


def _commune_entry(commune: Commune, departements: dict[str, Departement]) -> Entry:
    departement = departements.get(commune.departement)
    return Entry(
        kind=Collectivite.Kind.COMMUNE,
        code=commune.insee_code,
        name=commune.name,
        siren=commune.siren,
        population=commune.population,
        departement=commune.departement,
        departement_name=departement.name if departement else "",
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


def parse(query: str, departements: dict[str, Departement] | None = None) -> Query:
    """Split "Saint-Martin 32", "Saint-Martin (Gers)" or "saint martin 32300" into a name
    and filters. A département or postcode is a filter only next to a name."""
    words = normalize_search_text(re.sub(r"[(),;/]", " ", query)).split()
    departements = departements if departements is not None else _departements()
    postcode = departement = ""
    name_words = []
    for word in words:
        if _POSTCODE.fullmatch(word) and not postcode:
            postcode = word
        elif _DEPARTEMENT_CODE.fullmatch(word) and word.upper() in departements and not departement:
            departement = word.upper()
        else:
            name_words.append(word)
    if not departement and len(name_words) > 1:
        # A département's name at the end: "saint martin gers", "saint martin haute garonne".
        by_name = {d.search_name: d.code for d in departements.values()}
        for size in (3, 2, 1):
            tail = " ".join(name_words[-size:])
            if len(name_words) > size and tail in by_name:
                departement = by_name[tail]
                name_words = name_words[:-size]
                break
    return Query(text=" ".join(name_words), postcode=postcode, departement=departement)


def search(query: str) -> Results:
    """Communes and EPCI matching the query: exact names first, then names that start with it,
    then names that contain it (accents and case ignored), the most populated first in each."""
    digits = re.sub(r"\s", "", query)
    communes = Commune.objects.select_related("epci")
    version = _directory_version()
    departements = _departements(version)
    if re.fullmatch(r"\d{5}|2[AB]\d{3}", digits, flags=re.IGNORECASE):
        return _by_code(communes, digits.upper(), departements)
    if re.fullmatch(r"\d{9}", digits):
        found = [_epci_entry(e, e.members.count()) for e in Epci.objects.filter(siren=digits)]
        found += [_commune_entry(c, departements) for c in communes.filter(siren=digits)]
        return Results(found, len(found))

    parsed = parse(query, departements)
    if len(parsed.text) < 2:
        return Results()
    matches = communes.filter(search_name__contains=parsed.text)
    if parsed.postcode:
        matches = matches.filter(postcodes__contains=[parsed.postcode])
    if parsed.departement:
        matches = matches.filter(departement=parsed.departement)
    ranked = matches.annotate(
        rank=Case(
            When(search_name=parsed.text, then=Value(0)),
            When(search_name__startswith=parsed.text, then=Value(1)),
            default=Value(2),
        )
    ).order_by("rank", "-population", "name")
    entries = [_commune_entry(c, departements) for c in ranked[:RESULTS]]
    total = matches.count() if len(entries) == RESULTS else len(entries)

    if parsed.postcode or parsed.departement:
        return Results(entries, total)  # an EPCI has no single postcode nor département
    sirens = [siren for siren, name in _epci_names_for(version) if parsed.text in name]
    epcis = list(
        Epci.objects.filter(siren__in=sirens[:EPCI_RESULTS])
        .annotate(member_count=Count("members"))
        .order_by("-population")
    )
    # Exact commune names stay on top; intercommunalités come right after them.
    exact = [e for e in entries if normalize_search_text(e.name) == parsed.text]
    others = entries[len(exact) :]
    shown = exact + [_epci_entry(e, e.member_count) for e in epcis] + others
    return Results(shown[: RESULTS + EPCI_RESULTS], total + len(sirens))


def _by_code(
    communes: QuerySet[Commune], code: str, departements: dict[str, Departement]
) -> Results:
    """A postcode's communes (by name), then the commune with this INSEE code, if another."""
    by_postcode = list(communes.filter(postcodes__contains=[code]).order_by("name"))
    by_insee = [c for c in communes.filter(insee_code=code) if c not in by_postcode]
    found = [_commune_entry(c, departements) for c in by_postcode + by_insee]
    return Results(found[:RESULTS], len(found))


def _directory_version() -> object:
    loaded = ReferenceDataVersion.objects.order_by("-loaded_at").values_list("loaded_at").first()
    return (loaded, Epci.objects.count(), Departement.objects.count())


def _epci_search_names() -> tuple[tuple[str, str], ...]:
    """(SIREN, normalised name) of every EPCI, kept in memory until the directory is reloaded
    (the search runs at each keystroke; 1,255 names are not worth a table scan each time)."""
    return _epci_names_for(_directory_version())


@functools.lru_cache(maxsize=1)
def _epci_names_for(version: object) -> tuple[tuple[str, str], ...]:
    return tuple(
        (siren, normalize_search_text(name))
        for siren, name in Epci.objects.values_list("siren", "name")
    )


def find(kind: str, code: str) -> Entry | None:
    if kind == Collectivite.Kind.COMMUNE:
        commune = Commune.objects.select_related("epci").filter(insee_code=code).first()
        return _commune_entry(commune, _departements()) if commune else None
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
