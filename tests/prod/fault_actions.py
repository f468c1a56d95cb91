"""The app's side of prod-check's faults, run with production's settings (like seed.py).

python tests/prod/fault_actions.py export SLUG       a data export of the town, asked as
                                                     its admins ask it; prints its id
python tests/prod/fault_actions.py export-state ID   the export's state, attempts, file
python tests/prod/fault_actions.py kept-tasks        how many tasks wait for the broker
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

from tenants import exports  # noqa: E402
from tenants.models import Collectivite, DataExport, KeptTask  # noqa: E402


def export(slug: str) -> dict[str, object]:
    town = Collectivite.objects.get(slug=slug)
    asked = exports.request_export(
        town, actor=None, via=DataExport.Via.TOWN, reason="prod-check: a worker killed mid-task"
    )
    return {"id": asked.pk, "schema": town.schema_name}


def export_state(export_id: int) -> dict[str, object]:
    row = DataExport.objects.get(pk=export_id)
    return {"state": row.state, "attempts": row.attempts, "file_name": row.file_name}


def main(argv: list[str]) -> None:
    command, *args = argv
    if command == "export":
        answer: object = export(args[0])
    elif command == "export-state":
        answer = export_state(int(args[0]))
    elif command == "kept-tasks":
        answer = {"kept": KeptTask.objects.count()}
    else:
        raise SystemExit(__doc__)
    print(json.dumps(answer))


if __name__ == "__main__":
    main(sys.argv[1:])
