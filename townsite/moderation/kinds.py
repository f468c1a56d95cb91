"""The notification kinds moderation sends (registered from TownsiteConfig.ready())."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from notifications.kinds import Kind, register

OUTCOME = "moderation.outcome"
WARNING = "moderation.warning"
NEW_REPORT = "moderation.new_report"


def register_kinds() -> None:
    register(
        Kind(
            code=OUTCOME,
            label=_("What became of my reports"),
            description=_("The moderators tell you what they decided about what you reported."),
        )
    )
    register(
        Kind(
            code=WARNING,
            label=_("Messages from the moderators"),
            description=_(
                "Warnings and decisions about your account. They are always sent by email too."
            ),
        )
    )
    register(
        Kind(
            code=NEW_REPORT,
            label=_("New reports to examine"),
            description=_("At most one email an hour while reports wait in the queue."),
            staff_only=True,
        )
    )
