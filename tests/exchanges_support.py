"""Shared by the exchange tests: days from today, a refused contribution, the notifications."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification
from tenants.models import AuditEntry, Collectivite

SCRIPT = "<script>alert('x')</script>"
SCRIPT_SHOWN = "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;"
SUSPENDED = "Votre compte est suspendu : vous pouvez lire le site, pas y participer."


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def iso_in_days(days: int) -> str:
    return in_days(days).isoformat()


def suspend_everyone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Moderation's decision (a placeholder in main, built by its own helper) says no."""
    from townsite.moderation import access as moderation

    def refuse(user: Any) -> None:
        raise moderation.ContributionRefused(SUSPENDED)

    monkeypatch.setattr(moderation, "ensure_may_contribute", refuse)


def told(person: User, kind: str) -> list[str]:
    """The titles of the notifications this person got of this kind, oldest first."""
    found = Notification.objects.filter(recipient=person, kind=kind).order_by("pk")
    return list(found.values_list("title", flat=True))


def audit_codes(town: Collectivite, prefix: str) -> list[str]:
    entries = AuditEntry.objects.filter(collectivite=town, action__startswith=prefix)
    return list(entries.order_by("pk").values_list("action", flat=True))


def read_only(town: Collectivite) -> None:
    town.site_access = Collectivite.Access.READ_ONLY
    town.save(update_fields=["site_access"])
