"""Horizontal bar charts drawn on the server (no JavaScript, no chart library): each bar is a
small SVG scaled to its share of the largest value, its label and value are HTML text beside
it (so they zoom, wrap and keep their contrast like the rest of the page). Each chart is shown
with its data table, which is what screen readers read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Series:
    key: str  # css modifier: chart__bar--<key>
    label: str


@dataclass(frozen=True)
class Bar:
    series: Series
    value: int
    percent: float  # of the largest value of the chart, 0 to 100


@dataclass(frozen=True)
class Group:
    label: str
    bars: list[Bar]


@dataclass(frozen=True)
class BarChart:
    title: str
    series: list[Series]
    groups: list[Group]


def bar_chart(
    title: str, series: Sequence[Series], rows: Sequence[tuple[str, Sequence[int]]]
) -> BarChart:
    """`rows` is (label, one value per series). Bars share one scale, the largest value full."""
    largest = max((value for _label, values in rows for value in values), default=0) or 1
    groups = [
        Group(
            label=label,
            bars=[
                Bar(series=one, value=value, percent=round(100 * value / largest, 1))
                for one, value in zip(series, values, strict=True)
            ],
        )
        for label, values in rows
    ]
    return BarChart(title=title, series=list(series), groups=groups)
