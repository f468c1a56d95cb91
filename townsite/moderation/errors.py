"""Moderation's refusals: their message is for the person, in their language."""

from __future__ import annotations


class ModerationError(Exception):
    """Something the person can act on; `message` is shown as is."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ContributionRefused(ModerationError):
    """This person may not post or write (suspended, or not signed in)."""


class AlreadyReported(ModerationError):
    """The reporter has an open report on this target already."""
