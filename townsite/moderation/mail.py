"""Moderation's emails, sent as the town: a warning to a resident, an alert to moderators."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import translation

from accounts.mail import from_email_named, send_templated
from accounts.models import User
from tenants import schema
from tenants.addresses import town_url
from tenants.models import Collectivite
from tenants.names import signature
from townsite.residents.placeholders import is_placeholder_email


def _current_town() -> Collectivite:
    town = schema.current_tenant()
    if isinstance(town, Collectivite):
        return town
    # schema_context() (a command, a task) activates a stand-in: find the real town.
    return Collectivite.objects.get(schema_name=schema.current_schema())


def _town_context() -> dict[str, Any]:
    town = _current_town()
    with translation.override("fr"):
        return {
            "town_name": town.name,
            "town_slug": town.slug,
            "signature": signature(town),
            "site_url": town_url(town.slug, "/"),
        }


def can_be_mailed(user: User) -> bool:
    return user.is_active and bool(user.email) and not is_placeholder_email(user.email)


def send_to_resident(user: User, *, template: str, **context: Any) -> None:
    """A message from the moderators (a warning, a suspension): queued once the transaction
    commits, whatever the person's email preferences, as a notice of a decision about them."""
    if not can_be_mailed(user):
        return
    full = {**_town_context(), "name": user.display_name, **context}
    send_templated(
        f"townsite/moderation/email/{template}",
        full,
        [user.email],
        subject_prefix=f"[{full['town_name']}] ",
        from_email=from_email_named(full["town_name"]),
    )


def send_new_report_alert(moderators: list[User], *, open_count: int) -> None:
    context = _town_context()
    context = {
        **context,
        "open_count": open_count,
        "queue_url": town_url(context["town_slug"], reverse("townsite:moderation_queue")),
    }
    for moderator in moderators:
        if not can_be_mailed(moderator):
            continue
        send_templated(
            "townsite/moderation/email/new_report",
            {**context, "name": moderator.display_name},
            [moderator.email],
            subject_prefix=f"[{context['town_name']}] ",
            from_email=from_email_named(context["town_name"]),
        )
