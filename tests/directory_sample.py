"""A few rows of the official directory, enough for the sign-up tests (the full load is slow)."""

from __future__ import annotations

from tenants.directory_search import normalize_search_text
from tenants.models import Commune, Departement, Epci

GALLY_MAULDRE = "200034130"
ROWS = [
    # insee, name, siren, postcodes, département, region, population, epci
    ("78152", "Chavenay", "217801521", ["78450"], "78", "11", 1723, GALLY_MAULDRE),
    ("78206", "Feucherolles", "217802065", ["78810"], "78", "11", 2900, GALLY_MAULDRE),
    ("78380", "Maule", "217803808", ["78580"], "78", "11", 6200, GALLY_MAULDRE),
    ("91226", "Étréchy", "219102266", ["91580"], "91", "11", 6700, None),
    ("17369", "Saint-Martin-de-Ré", "211703692", ["17410"], "17", "75", 2300, None),
    ("32398", "Saint-Martin", "213203980", ["32300"], "32", "76", 300, None),
    ("66181", "Saint-Martin", "216601815", ["66220"], "66", "76", 150, None),
]


DEPARTEMENTS = [
    ("17", "Charente-Maritime"),
    ("32", "Gers"),
    ("66", "Pyrénées-Orientales"),
    ("78", "Yvelines"),
    ("91", "Essonne"),
]


def load_directory_sample() -> None:
    for code, name in DEPARTEMENTS:
        Departement.objects.update_or_create(
            code=code, defaults={"name": name, "search_name": normalize_search_text(name)}
        )
    Epci.objects.update_or_create(
        siren=GALLY_MAULDRE,
        defaults={"name": "CC Gally Mauldre", "kind": "CC", "population": 22529},
    )
    for insee, name, siren, postcodes, dep, region, population, epci in ROWS:
        Commune.objects.update_or_create(
            insee_code=insee,
            defaults={
                "name": name,
                "search_name": normalize_search_text(name),
                "siren": siren,
                "postcodes": postcodes,
                "departement": dep,
                "region": region,
                "population": population,
                "epci_id": epci,
            },
        )


def remove_directory_sample() -> None:
    Commune.objects.filter(insee_code__in=[row[0] for row in ROWS]).delete()
    Epci.objects.filter(siren=GALLY_MAULDRE).delete()
