"""Shared set-up of the mutual aid conversation tests: moderation's answers, made to order.

Moderation's suspensions and blocks are built in parallel (townsite.moderation); until they
are in, these tests make its two checks answer as a suspension or a block would.
"""

from __future__ import annotations

from typing import Any

import pytest

from townsite.moderation import access as moderation


def suspend(monkeypatch: pytest.MonkeyPatch, *people: Any) -> None:
    suspended = {person.pk for person in people}

    def check(user: Any) -> None:
        if user.pk in suspended:
            raise moderation.ContributionRefused("Votre compte est suspendu.")

    monkeypatch.setattr(moderation, "ensure_may_contribute", check)


def block(monkeypatch: pytest.MonkeyPatch, first: Any, second: Any) -> None:
    pair = {first.pk, second.pk}
    monkeypatch.setattr(moderation, "is_blocked_between", lambda a, b: {a.pk, b.pk} == pair)


def verified(monkeypatch: pytest.MonkeyPatch, *people: Any) -> None:
    ids = {person.pk for person in people}
    monkeypatch.setattr(moderation, "is_verified", lambda user: user.pk in ids)
