"""Reading the audit log in tests: a town's entries, and the one entry an action must write."""

from __future__ import annotations

from datetime import datetime

from tenants.models import AuditEntry, Collectivite
from townsite.setup.audit_labels import ACTIONS


def clear_journal(*towns: Collectivite) -> None:
    """Start a test from an empty log (entries committed by the session's set-up, e.g. the
    towns' trials, go with the test's transaction)."""
    AuditEntry.objects.filter(collectivite__in=towns).delete()


def entries(town: Collectivite) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(collectivite=town).order_by("pk"))


def only_entry(town: Collectivite, action: str) -> AuditEntry:
    """The town's log holds exactly one entry, of this action, which has a label for people."""
    found = entries(town)
    assert [entry.action for entry in found] == [action]
    assert action in ACTIONS, f"{action} has no label in townsite.setup.audit_labels"
    return found[0]


def iso(moment: datetime | None) -> str:
    """A date as the log keeps it."""
    assert moment is not None
    return moment.isoformat()
