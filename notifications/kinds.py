"""The kinds of notification the site sends, registered by the apps that send them."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise


class Frequency:
    """How often a resident wants email for a kind (the in-site list always gets it)."""

    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"
    NEVER = "never"
    CHOICES = (IMMEDIATE, DAILY, WEEKLY, NEVER)


@dataclass(frozen=True)
class Kind:
    code: str  # "mutual_aid.message", "moderation.outcome", ...
    label: str | Promise  # shown on the preferences page
    default_frequency: str = Frequency.IMMEDIATE
    description: str | Promise = ""
    # Staff-only kinds (e.g. new reports for moderators) are listed only to staff.
    staff_only: bool = False


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Called from an app's ready(); registering the same code twice is a programming error."""
    if kind.code in _KINDS and _KINDS[kind.code] != kind:
        raise ValueError(f"notification kind {kind.code!r} registered twice")
    if kind.default_frequency not in Frequency.CHOICES:
        raise ValueError(f"unknown frequency {kind.default_frequency!r}")
    _KINDS[kind.code] = kind
    return kind


def get(code: str) -> Kind:
    return _KINDS[code]


def all_kinds() -> list[Kind]:
    return sorted(_KINDS.values(), key=lambda kind: kind.code)
