"""The notifications the idea box sends (registered by participation.ideas.wiring.ready)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from notifications.kinds import Kind

ANSWER = Kind(
    "ideas.answer",
    _("The town answers an idea I proposed or follow"),
    description=_("Status changes, official answers and merged ideas."),
)
