"""Dates read as French people write them: "1er mars 2027"."""

from __future__ import annotations

import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.template import engines
from django.utils import translation

from tenants.dates import long_date

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("day", "french", "english"),
    [
        (datetime.date(2027, 3, 1), "1er mars 2027", "1 March 2027"),
        (datetime.date(2027, 3, 2), "2 mars 2027", "2 March 2027"),
        (datetime.date(2027, 3, 11), "11 mars 2027", "11 March 2027"),
        (datetime.date(2027, 3, 21), "21 mars 2027", "21 March 2027"),
    ],
)
def test_the_first_of_the_month_is_an_ordinal_in_french(
    day: datetime.date, french: str, english: str
) -> None:
    with translation.override("fr"):
        assert long_date(day) == french
    with translation.override("en"):
        assert long_date(day) == english


def test_an_instant_is_shown_on_the_day_it_is_in_france() -> None:
    # 23:30 UTC on 28 February is already 1 March in Paris.
    instant = datetime.datetime(2027, 2, 28, 23, 30, tzinfo=ZoneInfo("UTC"))
    with translation.override("fr"):
        assert long_date(instant) == "1er mars 2027"


def test_templates_have_the_filter_without_loading_it() -> None:
    template = engines["django"].from_string("{{ day|long_date }}")
    with translation.override("fr"):
        assert template.render({"day": datetime.date(2027, 1, 1)}) == "1er janvier 2027"


def test_no_template_formats_a_long_date_by_hand() -> None:
    by_hand = [
        str(path.relative_to(ROOT))
        for folder in ("platform", "tenants", "accounts", "billing", "onboarding", "townsite")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in (".html", ".txt") and 'date:"j F Y"' in path.read_text()
    ]
    assert by_hand == []
