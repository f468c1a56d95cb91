"""Every action code the code writes to the audit log has a French label on the town's page."""

from __future__ import annotations

import re
from pathlib import Path

from django.apps import apps

from townsite.setup.audit_labels import ACTIONS, KINDS

ROOT = Path(__file__).resolve().parents[2]
APPS = (
    "tenants",
    "accounts",
    "billing",
    "onboarding",
    "notifications",
    "ops",
    "townsite",
    "mutual_aid",
    "participation",
)


def _codes_in_source() -> set[str]:
    prefixes = "|".join(
        re.escape(prefix.rstrip(".")) for _label, group in KINDS.values() for prefix in group
    )
    literal = re.compile(rf'"((?:{prefixes})\.[a-z_]+)"')
    return {
        code
        for app in APPS
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts and path.name != "audit_labels.py"
        for code in literal.findall(path.read_text())
    }


def _is_model_label(code: str) -> bool:
    """ "account.emailconfirmation" names a model (e.g. in the export's list of secrets)."""
    try:
        apps.get_model(code)
    except (LookupError, ValueError):
        return False
    return True


def test_every_action_written_has_a_label() -> None:
    codes = {code for code in _codes_in_source() if not _is_model_label(code)}
    assert {"billing.cancel", "member.role_change", "collectivite.created"} <= codes
    assert sorted(codes - set(ACTIONS)) == []
