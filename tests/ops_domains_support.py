"""Helpers of the console's domain actions tests: post an action, confirmed or not."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext

from tenants.models import AuditEntry, Domain

REASON = "Demande de la mairie"


def action_url(name: str, *args: Any) -> str:
    return reverse(f"ops:{name}", settings.PUBLIC_SCHEMA_URLCONF, args=args)


def confirm(console: Client, url: str, **data: Any) -> Any:
    """The confirmed POST of an action (what the confirmation page's button sends)."""
    return console.post(url, {"reason": REASON, **data, "confirmed": "1"})


def french(message: str, **values: Any) -> str:
    """The French words of a message, as a page shows them (escaped)."""
    with translation.override("fr"):
        text = gettext(message)
    return escape(text % values if values else text)


def state() -> tuple[list[tuple[str, int, bool, bool]], int]:
    """Every domain (host, town, primary, redirects) and the audit log's size."""
    domains = list(
        Domain.objects.order_by("domain").values_list(
            "domain", "tenant_id", "is_primary", "redirects_when_secondary"
        )
    )
    return domains, AuditEntry.objects.count()
