"""A person's data as one JSON document: a dict of sections, each made by a registered callable.

Other modules add their own section at start-up (in their AppConfig.ready()):

    from townsite.residents.export import register_export_section
    register_export_section("mutual_aid_offers", offers_of)   # offers_of(user) -> JSON-able

Each callable gets the user and returns plain JSON data (dates may stay datetimes).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from allauth.account.models import EmailAddress
from django.utils import timezone

from accounts.models import User
from notifications.models import Notification, Preference
from tenants import schema
from townsite.models import ResidentProfile
from townsite.residents.placeholders import is_placeholder_email

ExportSection = Callable[[User], Any]

# (name, callable), in the order the sections appear in the file.
EXPORT_SECTIONS: list[tuple[str, ExportSection]] = []


def register_export_section(name: str, build: ExportSection) -> None:
    """Add (or replace) the section `name` of every export."""
    for index, (existing, _build) in enumerate(EXPORT_SECTIONS):
        if existing == name:
            EXPORT_SECTIONS[index] = (name, build)
            return
    EXPORT_SECTIONS.append((name, build))


def build_export(user: User) -> dict[str, Any]:
    tenant = schema.current_tenant()
    data: dict[str, Any] = {
        "exported_at": timezone.now(),
        "site": {
            "name": getattr(tenant, "name", ""),
            "address": getattr(tenant, "primary_host", ""),
        },
    }
    for name, build in EXPORT_SECTIONS:
        data[name] = build(user)
    return data


def account_section(user: User) -> dict[str, Any]:
    return {
        "email": None if is_placeholder_email(user.email) else user.email,
        "display_name": user.display_name,
        "role": user.role,
        "date_joined": user.date_joined,
        "last_login": user.last_login,
        "has_password": user.has_usable_password(),
    }


def profile_section(user: User) -> dict[str, Any] | None:
    profile = ResidentProfile.objects.select_related("neighbourhood").filter(user=user).first()
    if profile is None:
        return None
    return {
        "neighbourhood": profile.neighbourhood.name if profile.neighbourhood else None,
        "charter_accepted_at": profile.charter_accepted_at,
        "phone": profile.phone,
        "registered_at_town_hall_desk": profile.assisted_at is not None,
        "registered_at_town_hall_desk_on": profile.assisted_at,
    }


def email_addresses_section(user: User) -> list[dict[str, Any]]:
    return [
        {"email": address.email, "verified": address.verified, "primary": address.primary}
        for address in EmailAddress.objects.filter(user=user).order_by("email")
        if not is_placeholder_email(address.email)
    ]


def notifications_section(user: User) -> dict[str, Any]:
    return {
        "email_preferences": dict(
            Preference.objects.filter(user=user).order_by("kind").values_list("kind", "frequency")
        ),
        "notifications": [
            {
                "kind": item.kind,
                "title": item.title,
                "sent_at": item.created_at,
                "read_at": item.read_at,
                "emailed_at": item.emailed_at,
            }
            for item in Notification.objects.filter(recipient=user).order_by("created_at", "pk")
        ],
    }


register_export_section("account", account_section)
register_export_section("profile", profile_section)
register_export_section("email_addresses", email_addresses_section)
register_export_section("notifications", notifications_section)
