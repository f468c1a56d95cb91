"""Dates as people read them: "1er mars 2027" in French, "1 March 2027" in English."""

from __future__ import annotations

import datetime

from django.utils import formats, timezone, translation


def long_date(value: datetime.date | datetime.datetime | None) -> str:
    """The day, month and year; French writes the first of the month as an ordinal ("1er")."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    text = formats.date_format(value, "j F Y")
    if value.day == 1 and (translation.get_language() or "").startswith("fr"):
        text = "1er" + text[1:]
    return text
