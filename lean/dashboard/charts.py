"""Charts as plain geometry for inline SVG drawn by the templates: no chart library anywhere.

Each chart is a list of bars with their numbers; the template draws them with a title, a
legend in words, and a data table that screen readers and printouts read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

LABEL_WIDTH = 170  # room for the row names of horizontal charts
PLOT_WIDTH = 420
ROW_HEIGHT = 26
BAR_HEIGHT = 18
COLUMN_PLOT_HEIGHT = 160
AXIS_ROOM = 36  # below the columns, for their names


@dataclass
class Segment:
    x: float
    y: float
    width: float
    height: float
    css_class: str
    label: str
    value: int

    @property
    def shows_value(self) -> bool:
        """Only segments wide (or tall) enough carry their number; the table has them all."""
        return self.value > 0 and self.width >= 18 and self.height >= 14


@dataclass
class Row:
    label: str
    y: float
    total: int
    segments: list[Segment] = field(default_factory=list)


@dataclass
class Chart:
    width: float
    height: float
    rows: list[Row]
    maximum: int
    baseline: float = 0  # where the columns of a column chart stand


def stacked_rows(rows: list[tuple[str, list[tuple[str, str, int]]]]) -> Chart:
    """Horizontal stacked bars: rows of (name, [(css class, series name, value)])."""
    maximum = max((sum(value for _c, _l, value in parts) for _n, parts in rows), default=0)
    scale = PLOT_WIDTH / maximum if maximum else 0
    drawn = []
    for index, (name, parts) in enumerate(rows):
        y = index * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2
        row = Row(name, y, sum(value for _c, _l, value in parts))
        x = float(LABEL_WIDTH)
        for css_class, label, value in parts:
            width = value * scale
            if value:
                row.segments.append(Segment(x, y, width, BAR_HEIGHT, css_class, label, value))
            x += width
        drawn.append(row)
    width = LABEL_WIDTH + PLOT_WIDTH + 40
    return Chart(width, max(ROW_HEIGHT, len(rows) * ROW_HEIGHT), drawn, maximum)


def grouped_columns(groups: list[tuple[str, list[tuple[str, str, int]]]]) -> Chart:
    """Vertical bars side by side in groups: [(group name, [(css class, series name, value)])]."""
    maximum = max((value for _n, parts in groups for _c, _l, value in parts), default=0)
    scale = COLUMN_PLOT_HEIGHT / maximum if maximum else 0
    per_group = max((len(parts) for _n, parts in groups), default=1) or 1
    bar_width = 22.0 if per_group > 1 else 34.0
    group_width = max(per_group * bar_width + 16, 76)
    drawn = []
    for index, (name, parts) in enumerate(groups):
        x0 = 30 + index * group_width + (group_width - per_group * bar_width) / 2
        row = Row(name, x0 + (per_group * bar_width) / 2, sum(v for _c, _l, v in parts))
        for number, (css_class, label, value) in enumerate(parts):
            height = value * scale
            row.segments.append(
                Segment(
                    x0 + number * bar_width,
                    COLUMN_PLOT_HEIGHT - height + 10,
                    bar_width - 2,
                    height,
                    css_class,
                    label,
                    value,
                )
            )
        drawn.append(row)
    width = max(200, 30 + len(groups) * group_width + 10)
    return Chart(
        width, COLUMN_PLOT_HEIGHT + 10 + AXIS_ROOM, drawn, maximum, COLUMN_PLOT_HEIGHT + 10
    )
