"""The official directory of communes and EPCI: the committed extract and its loader."""

from __future__ import annotations

import gzip
import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from tenants.directory_search import normalize_search_text
from tenants.management.commands.load_reference_data import newest_extract, read_extract
from tenants.models import Commune, Departement, Epci, ReferenceDataVersion

SOURCE = "@etalab/decoupage-administratif"


def small_extract(version: str = "0.0.1-test", gally_name: str = "CC Gally Mauldre") -> dict:
    return {
        "source": SOURCE,
        "version": version,
        "license": "Licence Ouverte 2.0 / MIT",
        "epcis": [
            ["200034130", gally_name, "CC", 22529],
            ["200058519", "Saint-Étienne Métropole", "METRO", 404000],
        ],
        "communes": [
            ["42218", "Saint-Étienne", "214202186", ["42000", "42100"], "42", "84", 173000,
             "200058519"],
            ["78152", "Chavenay", "217801521", ["78450"], "78", "11", 1723, "200034130"],
            ["78192", "Crespières", "217801927", ["78121"], "78", "11", 1600, "200034130"],
            ["22016", "Île-de-Bréhat", "212200166", ["22870"], "22", "53", 380, None],
        ],
    }  # fmt: skip


def write_extract(directory: Path, extract: dict[str, Any]) -> Path:
    path = directory / f"decoupage-administratif-{extract['version']}.json.gz"
    path.write_bytes(gzip.compress(json.dumps(extract).encode(), mtime=0))
    return path


def load(path: Path, *args: str) -> str:
    out = StringIO()
    call_command("load_reference_data", "--file", str(path), *args, stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Saint-Étienne", "saint etienne"),
        ("L'Haÿ-les-Roses", "l hay les roses"),
        ("  Île-de-Bréhat  ", "ile de brehat"),
        ("Œuilly", "oeuilly"),
        ("Val d’Oronaye", "val d oronaye"),
        ("CHAVENAY", "chavenay"),
    ],
)
def test_normalize_search_text(text: str, expected: str) -> None:
    assert normalize_search_text(text) == expected


def test_load_small_extract_creates_communes_with_their_epci(db, tmp_path: Path) -> None:
    output = load(write_extract(tmp_path, small_extract()))

    assert "4 communes, 2 EPCI" in output
    chavenay = Commune.objects.select_related("epci").get(insee_code="78152")
    assert chavenay.name == "Chavenay"
    assert chavenay.search_name == "chavenay"
    assert chavenay.postcodes == ["78450"]
    assert (chavenay.departement, chavenay.region) == ("78", "11")
    assert chavenay.siren == "217801521"
    assert chavenay.epci is not None and chavenay.epci.siren == "200034130"
    assert chavenay.epci.members.count() == 2
    assert Commune.objects.get(insee_code="42218").search_name == "saint etienne"
    assert Commune.objects.get(insee_code="22016").epci is None
    assert Epci.objects.get(siren="200058519").kind == "METRO"
    version = ReferenceDataVersion.objects.get(source=SOURCE)
    assert (version.version, version.communes, version.epcis) == ("0.0.1-test", 4, 2)


def test_loading_twice_skips_then_updates_without_duplicates(db, tmp_path: Path) -> None:
    load(write_extract(tmp_path, small_extract()))
    communes_before, epcis_before = Commune.objects.count(), Epci.objects.count()

    # Same version: nothing to do.
    assert "déjà à jour" in load(write_extract(tmp_path, small_extract()))

    # A changed name in the same version is applied with --force.
    renamed = small_extract(gally_name="Communauté de communes Gally-Mauldre")
    renamed["communes"][1][1] = "Chavenay-le-Neuf"
    output = load(write_extract(tmp_path, renamed), "--force")
    assert "Référentiel chargé" in output
    assert "2 lignes nouvelles ou modifiées" in output
    chavenay = Commune.objects.select_related("epci").get(insee_code="78152")
    assert (chavenay.name, chavenay.search_name) == ("Chavenay-le-Neuf", "chavenay le neuf")
    assert chavenay.epci is not None
    assert chavenay.epci.name == "Communauté de communes Gally-Mauldre"

    # A newer version is loaded without --force; rows are updated, never duplicated.
    newer = small_extract(version="0.0.2-test")
    newer["communes"][2][6] = 1700
    load(write_extract(tmp_path, newer))
    assert Commune.objects.get(insee_code="78192").population == 1700
    assert Commune.objects.get(insee_code="78152").name == "Chavenay"
    assert Commune.objects.count() == communes_before
    assert Epci.objects.count() == epcis_before
    assert ReferenceDataVersion.objects.filter(version__endswith="-test").count() == 2
    current = ReferenceDataVersion.objects.filter(source=SOURCE).latest("loaded_at")
    assert current.version == "0.0.2-test"


def test_communes_missing_from_a_newer_extract_are_kept(db, tmp_path: Path) -> None:
    load(write_extract(tmp_path, small_extract()))
    newer = small_extract(version="0.0.2-test")
    del newer["communes"][3]
    load(write_extract(tmp_path, newer))
    assert Commune.objects.filter(insee_code="22016").exists()


def test_newest_extract_is_picked_by_version(tmp_path: Path) -> None:
    for version in ("6.9.1", "6.10.0", "6.2.0"):
        write_extract(tmp_path, small_extract(version=version))
    assert newest_extract(tmp_path).name == "decoupage-administratif-6.10.0.json.gz"


def test_committed_extract_covers_france_and_chavenay() -> None:
    extract = read_extract(newest_extract())

    assert extract["source"] == SOURCE
    assert len(extract["communes"]) > 34_000
    assert len(extract["epcis"]) > 1_200
    communes = {row[0]: row for row in extract["communes"]}
    assert len(communes) == len(extract["communes"])
    epcis = {row[0]: row for row in extract["epcis"]}
    chavenay = communes["78152"]
    assert chavenay[1] == "Chavenay"
    assert chavenay[4] == "78"
    assert chavenay[7] in epcis
    # Every EPCI link points to an EPCI of the extract, and every EPCI has members.
    linked = {row[7] for row in extract["communes"] if row[7]}
    assert linked <= set(epcis)
    assert linked == set(epcis)


def test_the_committed_extract_names_every_departement_of_its_communes() -> None:
    extract = read_extract(newest_extract())
    names = dict(extract["departements"])
    assert names["32"] == "Gers" and names["2A"] == "Corse-du-Sud" and names["974"] == "La Réunion"
    assert {row[4] for row in extract["communes"]} <= set(names)


def test_departements_added_to_an_extract_already_loaded_are_loaded(db, tmp_path: Path) -> None:
    path = write_extract(tmp_path, small_extract())
    load(path)
    with_departements = {**small_extract(), "departements": [["78", "Yvelines"]]}
    load(write_extract(tmp_path, with_departements))  # same version, one thing more
    yvelines = Departement.objects.get(code="78")
    assert (yvelines.name, yvelines.search_name) == ("Yvelines", "yvelines")
    assert "déjà à jour" in load(path)  # and then nothing more to do
