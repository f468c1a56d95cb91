"""A person's moderation data in their export: their reports, whom they block, their status."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from townsite.models import ResidentProfile
from townsite.moderation.models import Block, Report
from townsite.residents.export import register_export_section


def moderation_section(user: User) -> dict[str, Any]:
    profile = ResidentProfile.objects.filter(user=user).first()
    return {
        "verified_on": profile.verified_at if profile else None,
        "suspended_on": profile.suspended_at if profile else None,
        "suspension_reason": profile.suspension_reason if profile else "",
        "reports_made": [
            {
                "about": f"{item.target_kind} {item.target_id}",
                "reason": item.reason,
                "details": item.details,
                "made_on": item.created_at,
                "status": item.status,
            }
            for item in Report.objects.filter(reporter=user).order_by("created_at", "pk")
        ],
        "people_blocked": [
            {"name": item.blocked.display_name, "since": item.created_at}
            for item in Block.objects.filter(blocker=user).select_related("blocked")
        ],
    }


def register_sections() -> None:
    register_export_section("moderation", moderation_section)
