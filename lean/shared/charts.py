"""Charts as plain geometry for inline SVG, drawn by one macro module (_macros/charts.html).

No chart library: each chart is a list of bars with their numbers, and the template draws them
with a title, a legend in words and a data table. The dashboard and the network dashboard use
the same two shapes, so both read alike: labels at least 13 px, whole team names, axis labels
level (on one line or two) when the columns can be made wide enough, turned only when not.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

FONT_PX = 13
# An average character of the system sans-serif at 13 px; a safe overestimate for Finnish text.
CHARACTER_PX = 7.6
LINE_PX = 16
PLOT_WIDTH = 420
ROW_HEIGHT = 30
BAR_HEIGHT = 20
COLUMN_PLOT_HEIGHT = 160
PLOT_TOP = 18  # room above the tallest column for its number
SCALE_WIDTH = 36  # left of the columns, for the scale's numbers
MAX_LABEL_WIDTH = 220  # longer row names wrap onto a second line
MAX_GROUP_WIDTH = 110  # a column group widens up to this to keep its name level
MAX_PLOT_WIDTH = 560  # ...as long as the columns together fit a dashboard panel on a laptop


def text_width(text: str) -> float:
    return len(text) * CHARACTER_PX


def wrap(text: str, width: float) -> list[str]:
    """A label in lines no wider than `width`, broken between words (at most two lines)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > 2:
        lines = [lines[0], " ".join(lines[1:])]
    return lines or [""]


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
        return self.value > 0 and self.width >= 8 + len(str(self.value)) * 8 and self.height >= 16


@dataclass
class Row:
    label: str
    y: float  # the row's top (stacked rows) or the group's centre (columns)
    total: int
    segments: list[Segment] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # the label as drawn


@dataclass
class Chart:
    width: float
    height: float
    rows: list[Row]
    maximum: int
    baseline: float = 0  # where the columns of a column chart stand
    label_width: float = 0  # the row names' column of a bar chart
    turned_labels: bool = False  # column names drawn at an angle, so that they never overlap
    ticks: list[tuple[float, int]] = field(default_factory=list)  # (y, value) of the scale
    row_height: float = ROW_HEIGHT


def stacked_rows(rows: list[tuple[str, list[tuple[str, str, int]]]]) -> Chart:
    """Horizontal stacked bars: rows of (name, [(css class, series name, value)]).

    The name column is as wide as the longest name needs (up to a limit; longer names wrap
    onto two lines), so names are never cut.
    """
    maximum = max((sum(value for _c, _l, value in parts) for _n, parts in rows), default=0)
    longest = max((text_width(name) for name, _parts in rows), default=0)
    label_width = min(MAX_LABEL_WIDTH, max(60, longest)) + 10
    wraps = any(text_width(name) > MAX_LABEL_WIDTH for name, _parts in rows)
    row_height = ROW_HEIGHT + (LINE_PX if wraps else 0)
    scale = PLOT_WIDTH / maximum if maximum else 0
    drawn = []
    for index, (name, parts) in enumerate(rows):
        top = index * row_height
        y = top + (row_height - BAR_HEIGHT) / 2
        row = Row(name, top, sum(value for _c, _l, value in parts))
        row.lines = wrap(name, MAX_LABEL_WIDTH)
        x = label_width
        for css_class, label, value in parts:
            width = value * scale
            if value:
                row.segments.append(Segment(x, y, width, BAR_HEIGHT, css_class, label, value))
            x += width
        drawn.append(row)
    width = label_width + PLOT_WIDTH + 10 + text_width(str(maximum))
    height = max(row_height, len(rows) * row_height)
    return Chart(width, height, drawn, maximum, label_width=label_width, row_height=row_height)


def grouped_columns(
    groups: list[tuple[str, list[tuple[str, str, int]]]],
    *,
    min_group_width: float = 44,
    max_plot_width: float = MAX_PLOT_WIDTH,
) -> Chart:
    """Vertical bars side by side in groups: [(group name, [(css class, series name, value)])].

    Group names stay level: the groups widen to fit each name on one line ("marras 2026") or,
    failing that, on two ("31–60" over "päivää"). Only when that would make the chart too wide
    are they drawn turned by 45 degrees, the chart growing downwards to make room for them.
    """
    maximum = max((value for _n, parts in groups for _c, _l, value in parts), default=0)
    scale = COLUMN_PLOT_HEIGHT / maximum if maximum else 0
    per_group = max((len(parts) for _n, parts in groups), default=1) or 1
    bar_width = 22.0 if per_group > 1 else 30.0
    names = [name for name, _parts in groups]
    narrowest = max(per_group * bar_width + 14, min_group_width)
    group_width, lines = _level_labels(names, narrowest, max_plot_width)
    turned = lines is None
    widest = max((text_width(name) for name in names), default=0)
    # A label turned by 45 degrees takes its length times sin(45°) downwards.
    if lines is None:
        axis_room = widest * math.sin(math.pi / 4) + LINE_PX
    else:
        axis_room = LINE_PX * max(len(label) for label in lines) + 8
    baseline = PLOT_TOP + COLUMN_PLOT_HEIGHT
    drawn = []
    for index, (name, parts) in enumerate(groups):
        x0 = SCALE_WIDTH + index * group_width + (group_width - per_group * bar_width) / 2
        row = Row(name, x0 + (per_group * bar_width) / 2, sum(v for _c, _l, v in parts))
        row.lines = [name] if lines is None else lines[index]
        for number, (css_class, label, value) in enumerate(parts):
            height = value * scale
            row.segments.append(
                Segment(
                    x0 + number * bar_width,
                    baseline - height,
                    bar_width - 2,
                    height,
                    css_class,
                    label,
                    value,
                )
            )
        drawn.append(row)
    # Turned labels hang to the left of their column: the first one needs room there too.
    left_room = widest * math.cos(math.pi / 4) - SCALE_WIDTH if turned else 0
    width = max(200, SCALE_WIDTH + len(groups) * group_width + 10)
    ticks: list[tuple[float, int]] = [(baseline, 0)]
    if maximum:
        ticks += [(baseline - COLUMN_PLOT_HEIGHT / 2, maximum // 2)] if maximum >= 4 else []
        ticks.append((baseline - COLUMN_PLOT_HEIGHT, maximum))
    chart = Chart(
        width,
        baseline + axis_room,
        drawn,
        maximum,
        baseline,
        turned_labels=turned,
        ticks=ticks,
    )
    if left_room > 0:
        chart.width += left_room
        for row in drawn:
            row.y += left_room
            for segment in row.segments:
                segment.x += left_room
        chart.label_width = left_room
    return chart


def _level_labels(
    names: list[str], narrowest: float, max_plot_width: float
) -> tuple[float, list[list[str]] | None]:
    """The group width that keeps every name level, and each name's lines; no lines when even
    two lines per name would make the columns wider than max_plot_width."""
    if not names:
        return narrowest, []
    one_line = max(narrowest, max(text_width(name) for name in names) + 10)
    if one_line <= MAX_GROUP_WIDTH and one_line * len(names) <= max_plot_width:
        return one_line, [[name] for name in names]
    words = [word for name in names for word in name.split()]
    two_lines = max(narrowest, max(text_width(word) for word in words) + 10)
    wrapped = [wrap(name, two_lines - 10) for name in names]
    fits = all(text_width(line) <= two_lines - 10 for lines in wrapped for line in lines)
    if fits and two_lines <= MAX_GROUP_WIDTH and two_lines * len(names) <= max_plot_width:
        return two_lines, wrapped
    return narrowest, None
