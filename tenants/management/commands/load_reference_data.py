"""Load the official directory (départements, communes, EPCI) from tenants/data/ into public."""

from __future__ import annotations

import gzip
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django_tenants.utils import schema_context

from tenants.directory_search import normalize_search_text
from tenants.models import Commune, Departement, Epci, ReferenceDataVersion

BATCH_SIZE = 2000
EXTRACT_GLOB = "*.json.gz"
DEPARTEMENT_FIELDS = ["name", "search_name"]
EPCI_FIELDS = ["name", "kind", "population"]
COMMUNE_FIELDS = [
    "name",
    "search_name",
    "siren",
    "postcodes",
    "departement",
    "region",
    "population",
    "epci",
]


def data_dir() -> Path:
    return Path(apps.get_app_config("tenants").path) / "data"


def _version_key(path: Path) -> tuple[tuple[int, int | str], ...]:
    """'decoupage-administratif-6.10.0.json.gz' sorts after '...-6.9.1.json.gz'."""
    match = re.search(r"-(\d[\w.\-]*)\.json\.gz$", path.name)
    parts = re.split(r"[.\-]", match.group(1)) if match else []
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in parts)


def newest_extract(directory: Path | None = None) -> Path:
    directory = directory or data_dir()
    extracts = sorted(directory.glob(EXTRACT_GLOB), key=lambda p: (_version_key(p), p.name))
    if not extracts:
        raise CommandError(
            f"No extract in {directory}: run scripts/build_reference_extract.py first."
        )
    return extracts[-1]


def read_extract(path: Path) -> dict[str, Any]:
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            extract = json.load(handle)
    except (OSError, ValueError) as exc:
        raise CommandError(f"Cannot read the extract {path}: {exc}") from exc
    missing = {"source", "version", "epcis", "communes"} - set(extract)
    if missing:
        raise CommandError(f"{path} is not a directory extract (missing {sorted(missing)}).")
    return extract


@dataclass(frozen=True)
class LoadResult:
    source: str
    version: str
    communes: int
    epcis: int
    written: int  # rows (EPCI + communes) new or changed, hence sent to the database
    skipped_communes: list[str]  # INSEE codes whose values do not fit the model
    seconds: float
    loaded: bool  # False when the same version was already there


def _fits(value: str, field_name: str) -> bool:
    field = Commune._meta.get_field(field_name)
    max_length = getattr(field, "max_length", None)
    return max_length is None or len(value) <= max_length


def _fitting_communes(extract: dict[str, Any]) -> tuple[list[list[Any]], list[str]]:
    """Split the extract's communes into those the model can hold and the others' codes."""
    kept, skipped = [], []
    for row in extract["communes"]:
        insee, _name, _siren, _postcodes, departement, region, _population, _epci = row
        # A few collectivités d'outre-mer have 3-character region codes (975, 987...).
        if _fits(departement, "departement") and _fits(region, "region"):
            kept.append(row)
        else:
            skipped.append(insee)
    return kept, skipped


def _departement_objects(extract: dict[str, Any]) -> list[Departement]:
    # Extracts made before départements were added have none: the table then stays as it is.
    return [
        Departement(code=code, name=name, search_name=normalize_search_text(name))
        for code, name in extract.get("departements", [])
    ]


def _epci_objects(extract: dict[str, Any]) -> list[Epci]:
    return [
        Epci(siren=siren, name=name, kind=kind, population=population)
        for siren, name, kind, population in extract["epcis"]
    ]


def _commune_objects(rows: list[list[Any]]) -> list[Commune]:
    return [
        Commune(
            insee_code=insee,
            name=name,
            search_name=normalize_search_text(name),
            siren=siren or "",
            postcodes=list(postcodes),
            departement=departement,
            region=region,
            population=population or 0,
            epci_id=epci,
        )
        for insee, name, siren, postcodes, departement, region, population, epci in rows
    ]


def _changed[M: (Departement, Epci, Commune)](
    model: type[M], rows: list[M], fields: list[str]
) -> list[M]:
    """The rows that are new or differ from the database: only those are written."""
    attname_of = {field.name: field.attname for field in model._meta.concrete_fields}
    attnames = [attname_of[name] for name in fields]
    current = {
        values[0]: values[1:]
        for values in model.objects.values_list(model._meta.pk.attname, *attnames)
    }
    return [
        row
        for row in rows
        if current.get(row.pk) != tuple(getattr(row, attname) for attname in attnames)
    ]


def _current_version(source: str) -> ReferenceDataVersion | None:
    return ReferenceDataVersion.objects.filter(source=source).order_by("-loaded_at").first()


def _already_loaded(
    source: str, version: str, communes: int, epcis: int, departements: int
) -> bool:
    record = _current_version(source)
    return (
        record is not None
        and record.version == version
        and record.communes == communes
        and record.epcis == epcis
        # Rows from older extracts are kept, so the tables may hold more, never fewer.
        and Commune.objects.count() >= communes
        and Epci.objects.count() >= epcis
        and Departement.objects.count() >= departements
    )


def load_extract(path: Path, *, force: bool = False) -> LoadResult:
    """Upsert the extract's EPCI and communes into the public schema (never deletes)."""
    started = time.monotonic()
    extract = read_extract(path)
    source, version = str(extract["source"]), str(extract["version"])
    commune_rows, skipped = _fitting_communes(extract)
    n_communes, n_epcis = len(commune_rows), len(extract["epcis"])

    written = 0
    with schema_context("public"), transaction.atomic():
        departement_rows = _departement_objects(extract)
        loaded = force or not _already_loaded(
            source, version, n_communes, n_epcis, len(departement_rows)
        )
        if loaded:
            departements = _changed(Departement, departement_rows, DEPARTEMENT_FIELDS)
            Departement.objects.bulk_create(
                departements,
                update_conflicts=True,
                unique_fields=["code"],
                update_fields=DEPARTEMENT_FIELDS,
            )
            epcis = _changed(Epci, _epci_objects(extract), EPCI_FIELDS)
            communes = _changed(Commune, _commune_objects(commune_rows), COMMUNE_FIELDS)
            written = len(departements) + len(epcis) + len(communes)
            Epci.objects.bulk_create(
                epcis,
                batch_size=BATCH_SIZE,
                update_conflicts=True,
                unique_fields=["siren"],
                update_fields=EPCI_FIELDS,
            )
            Commune.objects.bulk_create(
                communes,
                batch_size=BATCH_SIZE,
                update_conflicts=True,
                unique_fields=["insee_code"],
                update_fields=COMMUNE_FIELDS,
            )
            # One row per source and version; the most recently loaded one is current.
            ReferenceDataVersion.objects.update_or_create(
                source=source,
                version=version,
                defaults={"communes": n_communes, "epcis": n_epcis},
            )

    return LoadResult(
        source=source,
        version=version,
        communes=n_communes,
        epcis=n_epcis,
        written=written,
        skipped_communes=skipped,
        seconds=time.monotonic() - started,
        loaded=loaded,
    )


def _n(number: int) -> str:
    return f"{number:,}".replace(",", " ")


class Command(BaseCommand):
    help = (
        "Load the official directory of French communes and EPCI (newest extract in "
        "tenants/data/) into the public schema. Idempotent; rows are never deleted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--file", type=Path, help="load this extract (.json.gz) instead of the newest one"
        )
        parser.add_argument(
            "--force", action="store_true", help="reload even if this version is already loaded"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["file"] or newest_extract()
        if not path.is_file():
            raise CommandError(f"No such extract: {path}")
        result = load_extract(path, force=options["force"])

        if result.skipped_communes:
            codes = ", ".join(result.skipped_communes[:5])
            self.stderr.write(
                self.style.WARNING(
                    f"{_n(len(result.skipped_communes))} communes skipped: their région or "
                    f"département code is longer than the Commune model allows ({codes}...)."
                )
            )
        counts = (
            f"{_n(result.communes)} communes, {_n(result.epcis)} EPCI "
            f"({result.source} {result.version})"
        )
        if result.loaded:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Référentiel chargé : {counts} en {result.seconds:.1f} s "
                    f"({_n(result.written)} lignes nouvelles ou modifiées)"
                )
            )
        else:
            self.stdout.write(
                f"Référentiel déjà à jour : {counts}, rien à faire (--force pour recharger)."
            )
