"""Notification kinds for the tests: registered for one test, as an app's ready() would."""

from __future__ import annotations

from typing import Any

import pytest

from notifications import kinds
from notifications.kinds import Frequency, Kind

MESSAGE = Kind("tests.message", "Messages for you", Frequency.IMMEDIATE, "A neighbour writes")
NEW_POST = Kind("tests.new_post", "New posts", Frequency.DAILY)
WEEKLY_NEWS = Kind("tests.weekly_news", "Town news", Frequency.WEEKLY)
REPORTS = Kind("tests.reports", "New reports to moderate", Frequency.IMMEDIATE, staff_only=True)
TEST_KINDS = (MESSAGE, NEW_POST, WEEKLY_NEWS, REPORTS)


@pytest.fixture
def notification_kinds(monkeypatch: Any) -> tuple[Kind, ...]:
    # Only these: the pages list every registered kind, and the apps' own kinds come and go.
    monkeypatch.setattr(kinds, "_KINDS", {kind.code: kind for kind in TEST_KINDS})
    return TEST_KINDS
