"""The network dashboard's chart of spread over time, drawn on the server as plain SVG shapes."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import format_date

from lean.network.queries import MonthPoint

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, BOTTOM, TOP = 40, 10, 30, 10


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    label: str
    value: int


@dataclass
class Chart:
    width: int
    height: int
    baseline: float
    bars: list[Bar]
    ticks: list[tuple[float, int]]  # (y, value) of the scale's lines


def spread_chart(points: list[MonthPoint]) -> Chart:
    """Adoptions made so far, month by month: each bar is the running total at that month's end."""
    top_value = max([point.total_adoptions for point in points] + [1])
    plot_height = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT - RIGHT) / max(len(points), 1)
    bars = []
    for index, point in enumerate(points):
        height = plot_height * point.total_adoptions / top_value
        bars.append(
            Bar(
                x=round(LEFT + index * slot + slot * 0.15, 1),
                y=round(TOP + plot_height - height, 1),
                width=round(slot * 0.7, 1),
                height=round(height, 1),
                # The month's short name; the table under the chart names the year too.
                label=format_date(point.month, "LLL"),
                value=point.total_adoptions,
            )
        )
    steps = sorted({0, top_value // 2, top_value})
    ticks = [(round(TOP + plot_height - plot_height * v / top_value, 1), v) for v in steps]
    return Chart(WIDTH, HEIGHT, TOP + plot_height, bars, ticks)
