"""Simple horizontal bar charts drawn as inline SVG on the server (no scripts, no external images)."""

from __future__ import annotations

from dataclasses import dataclass

BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 190
PLOT_WIDTH = 320


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | int
    y: int
    width: int


@dataclass(frozen=True)
class BarChart:
    title: str
    bars: list[Bar]
    height: int
    label_width: int = LABEL_WIDTH
    plot_width: int = PLOT_WIDTH


def bar_chart(title: str, values: list[tuple[str, float | int | None]]) -> BarChart:
    """Bars scaled to the largest value; a missing value draws no bar (its label still shows)."""
    largest = max((value for _, value in values if value), default=0.0)
    bars = [
        Bar(
            label=label,
            value=value or 0,
            y=index * (BAR_HEIGHT + GAP),
            width=round(PLOT_WIDTH * (value or 0.0) / largest) if largest else 0,
        )
        for index, (label, value) in enumerate(values)
    ]
    return BarChart(title=title, bars=bars, height=max(len(bars), 1) * (BAR_HEIGHT + GAP))
