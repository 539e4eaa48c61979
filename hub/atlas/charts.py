"""Horizontal bar charts as plain geometry for an SVG template: each bar's label sits above it,
and bars grow from the reading direction's start edge (the left in English, the right in Arabic).

Text anchors are logical (`start`, `end`) and the drawing carries the page's `direction`, so a
right-to-left chart aligns its text to the right without any anchor being rewritten.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

# Drawing units. The page shows a chart at most this many pixels wide and narrower on a phone,
# where 480 keeps the labels' 15 units at 11 pixels or more.
WIDTH = 480
FONT_SIZE = 15
ROW_HEIGHT = 46  # a label line and a bar under it
LABEL_BASELINE = 17  # from the top of a row
BAR_TOP = 24  # from the top of a row
BAR_HEIGHT = 14
VALUE_GAP = 6  # between a bar's end and its figure
# Room kept after the longest bar for its figure ("12,345").
VALUE_ROOM = 56
MARGIN = 4  # below the last row


@dataclass(frozen=True)
class Series:
    """One kind of quantity a bar is made of, with its colour."""

    label: str
    colour: str


@dataclass(frozen=True)
class Row:
    label: str
    values: Sequence[int]  # one per series
    lang: str | None = None  # when the label is in another language than the page


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    value: int
    series: Series


@dataclass(frozen=True)
class Bar:
    label: str
    lang: str | None
    total: int
    label_x: float
    label_y: float
    bar_y: float
    value_x: float
    value_y: float
    segments: list[Segment]


@dataclass(frozen=True)
class BarChart:
    id: str  # unique on the page: the SVG's title and the table refer to it
    title: str
    series: list[Series]
    rows: list[Row]  # for the table alternative
    bars: list[Bar]
    width: int
    height: int
    direction: str  # "ltr" or "rtl"
    bar_height: int = BAR_HEIGHT
    font_size: int = FONT_SIZE

    @property
    def stacked(self) -> bool:
        return len(self.series) > 1


def bar_chart(
    chart_id: str, title: str, series: list[Series], rows: list[Row], *, rtl: bool
) -> BarChart:
    """A chart of `rows`, each bar the sum of its values stacked in the order of `series`."""
    largest = max((sum(row.values) for row in rows), default=0)
    unit = (WIDTH - VALUE_ROOM) / largest if largest else 0.0

    def mirrored(x: float, width: float = 0.0) -> float:
        """An x measured from the start edge, as an SVG x (the left end of what is drawn)."""
        return WIDTH - x - width if rtl else x

    bars = []
    for index, row in enumerate(rows):
        top = index * ROW_HEIGHT
        offset, segments = 0.0, []
        for value, kind in zip(row.values, series, strict=True):
            width = value * unit
            if value:
                segments.append(
                    Segment(_round(mirrored(offset, width)), _round(width), value, kind)
                )
            offset += width
        total = sum(row.values)
        bars.append(
            Bar(
                label=row.label,
                lang=row.lang,
                total=total,
                label_x=mirrored(0),
                label_y=top + LABEL_BASELINE,
                bar_y=top + BAR_TOP,
                value_x=_round(mirrored(offset + VALUE_GAP)),
                value_y=top + BAR_TOP + BAR_HEIGHT - 2,
                segments=segments,
            )
        )
    return BarChart(
        id=chart_id,
        title=title,
        series=series,
        rows=rows,
        bars=bars,
        width=WIDTH,
        height=len(rows) * ROW_HEIGHT + MARGIN,
        direction="rtl" if rtl else "ltr",
    )


def _round(value: float) -> float:
    return round(value, 1)
