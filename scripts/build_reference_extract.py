#!/usr/bin/env python3
"""Build the committed extract of the official directory of French communes and EPCI.

Downloads the npm package ``@etalab/decoupage-administratif`` (``npm pack``, so npm must be
installed and the registry reachable), reads ``data/communes.json``, ``data/epci.json`` and
``data/departements.json``, and
writes a compact, deterministic ``tenants/data/decoupage-administratif-<version>.json.gz``:

    {"source": ..., "version": ..., "license": ...,
     "departements": [[code, name], ...],
     "epcis": [[siren, name, kind, population], ...],
     "communes": [[insee, name, siren, [postcodes], departement, region, population,
                   epci_siren_or_null], ...]}

Only current communes (type ``commune-actuelle``) are kept. Rows are sorted by code and the gzip
header carries no timestamp nor file name, so running the script twice gives the same bytes.

Standard library only:  python3 scripts/build_reference_extract.py [--version 6.0.0]
Then load it with:       python manage.py load_reference_data
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess  # noqa: S404
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

PACKAGE = "@etalab/decoupage-administratif"
DEFAULT_VERSION = "6.0.0"
LICENSE = "Licence Ouverte 2.0 / MIT"
DATA_DIR = Path(__file__).resolve().parent.parent / "tenants" / "data"


def fetch_package(version: str, workdir: Path) -> Path:
    """Run ``npm pack`` in ``workdir``; return the path of the downloaded tarball."""
    npm = shutil.which("npm")
    if npm is None:
        sys.exit("npm is required to download the package (https://nodejs.org/).")
    result = subprocess.run(  # noqa: S603
        [npm, "pack", f"{PACKAGE}@{version}", "--silent"],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    return workdir / result.stdout.strip().splitlines()[-1]


def read_json(archive: tarfile.TarFile, name: str) -> Any:
    """Read ``package/<name>`` from the npm tarball without extracting anything to disk."""
    handle = archive.extractfile(f"package/{name}")
    if handle is None:
        sys.exit(f"{name} is missing from the package.")
    with handle:
        return json.loads(handle.read().decode("utf-8"))


def build_extract(tarball: Path, version: str) -> dict[str, Any]:
    with tarfile.open(tarball) as archive:
        package_version = read_json(archive, "package.json")["version"]
        if package_version != version:
            sys.exit(f"npm gave version {package_version}, expected {version}.")
        raw_communes = read_json(archive, "data/communes.json")
        raw_epcis = read_json(archive, "data/epci.json")
        raw_departements = read_json(archive, "data/departements.json")

    communes = {c["code"]: c for c in raw_communes if c.get("type") == "commune-actuelle"}

    epci_of: dict[str, str] = {}
    epcis = []
    for epci in raw_epcis:
        siren = epci["code"]
        members = [m["code"] for m in epci.get("membres", [])]
        for code in members:
            if code in epci_of:
                sys.exit(f"Commune {code} belongs to two EPCI: {epci_of[code]} and {siren}.")
            if code not in communes:
                sys.exit(f"EPCI {siren} lists {code}, which is not a current commune.")
            epci_of[code] = siren
        population = epci.get("populationMunicipale")
        if population is None:
            population = sum(communes[code].get("population") or 0 for code in members)
        epcis.append([siren, epci["nom"], epci["type"], int(population)])
    epcis.sort()

    rows = []
    for code in sorted(communes):
        commune = communes[code]
        rows.append(
            [
                code,
                commune["nom"],
                commune.get("siren") or "",
                sorted(commune.get("codesPostaux") or []),
                commune["departement"],
                commune["region"],
                int(commune.get("population") or 0),
                epci_of.get(code),
            ]
        )

    departements = sorted([d["code"], d["nom"]] for d in raw_departements)
    return {
        "source": PACKAGE,
        "version": version,
        "license": LICENSE,
        "departements": departements,
        "epcis": epcis,
        "communes": rows,
    }


def write_extract(extract: dict[str, Any], target: Path) -> None:
    payload = json.dumps(extract, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    # mtime=0 and no file name in the header: reruns are byte-identical.
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", default=DEFAULT_VERSION, help="package version to extract")
    parser.add_argument("--output-dir", type=Path, default=DATA_DIR, help="where to write")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="decoupage-") as tmp:
        tarball = fetch_package(args.version, Path(tmp))
        extract = build_extract(tarball, args.version)

    target = args.output_dir / f"decoupage-administratif-{args.version}.json.gz"
    write_extract(extract, target)
    linked = sum(1 for row in extract["communes"] if row[7])
    print(
        f"{target}: {len(extract['communes'])} communes ({linked} in an EPCI), "
        f"{len(extract['epcis'])} EPCI, {target.stat().st_size:,} bytes"
    )


if __name__ == "__main__":
    main()
