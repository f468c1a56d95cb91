"""What moderation decides for every module: may this person take part, are two people blocked.

The first version answers from the account alone; suspensions, verification and blocks are
built on top (the moderation work of issue 9) without the modules' calls changing.
"""

from __future__ import annotations

from typing import Any

from accounts.models import User


class ContributionRefused(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def ensure_may_contribute(user: User | Any) -> None:
    """Raises a refusal (its message for the person) when they may not post or write now."""
    return None


def is_verified(user: User | Any) -> bool:
    """Whether the town has verified this resident (in person, at the town hall)."""
    return False


def is_blocked_between(first: User | Any, second: User | Any) -> bool:
    """Whether either person blocked the other."""
    return False
