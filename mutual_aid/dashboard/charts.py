"""Horizontal bar charts drawn on the server as SVG (no JavaScript, no chart library): the
geometry here, the drawing in mutual_aid/dashboard/_bar_chart.html. Each chart is shown with
its data table, which is what screen readers and people at high zoom read."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

LABEL_WIDTH = 150  # room for a category's name or a month, left of the bars
BAR_AREA = 230
VALUE_ROOM = 40  # the value written after each bar
BAR_HEIGHT = 16
BAR_GAP = 3
GROUP_GAP = 12
TOP = 8


@dataclass(frozen=True)
class Series:
    key: str  # css modifier: chart__bar--<key>
    label: str


@dataclass(frozen=True)
class Bar:
    series: Series
    value: int
    y: int
    width: int


@dataclass(frozen=True)
class Group:
    label: str
    label_y: int
    bars: list[Bar]


@dataclass(frozen=True)
class BarChart:
    title: str
    series: list[Series]
    groups: list[Group]
    width: int
    height: int
    label_width: int = LABEL_WIDTH

    @property
    def value_x(self) -> int:
        return self.label_width + 4


def bar_chart(
    title: str, series: Sequence[Series], rows: Sequence[tuple[str, Sequence[int]]]
) -> BarChart:
    """`rows` is (label, one value per series). Bars share one scale, the largest value full."""
    largest = max((value for _label, values in rows for value in values), default=0) or 1
    groups, y = [], TOP
    for label, values in rows:
        bars = []
        for index, one_series in enumerate(series):
            value = values[index]
            width = round(BAR_AREA * value / largest)
            bars.append(Bar(series=one_series, value=value, y=y, width=width))
            y += BAR_HEIGHT + BAR_GAP
        group_height = len(series) * (BAR_HEIGHT + BAR_GAP) - BAR_GAP
        groups.append(Group(label=label, label_y=y - BAR_GAP - group_height // 2, bars=bars))
        y += GROUP_GAP - BAR_GAP
    return BarChart(
        title=title,
        series=list(series),
        groups=groups,
        width=LABEL_WIDTH + BAR_AREA + VALUE_ROOM,
        height=y + TOP,
    )
