"""Charts as plain geometry for inline SVG, drawn by one macro module (_macros/charts.html).

No chart library: each chart is a list of bars with their numbers, and the template draws them
with a title, a legend in words and a data table. The dashboard and the network dashboard use
the same two shapes, so both read alike: labels at least 13 px, whole team names, axis labels
level (on one line or two) when the columns can be made wide enough, turned only when not.

Each chart has two drawings. The wide one (bars beside their names, columns over theirs) is
drawn in its own units with a viewBox and shown where its box holds it at full size
(`Chart.fits_rem`), so its text is never drawn smaller than 13 px. In a narrower box, a
phone's, the narrow drawing (`Chart.narrow`) is shown instead: each bar lies under its name,
placed in percentages of the box's width, so it fills any box and its text stays 13 px.
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
# A dashboard chart panel on a laptop holds 34rem: the wide drawings are made to fit it.
PANEL_WIDTH = 544
MAX_PLOT_WIDTH = PANEL_WIDTH - SCALE_WIDTH - 10
# The box widths (in rem) at which a wide drawing is shown, the smallest that holds it.
FITS_REM = (24, 34, 40, 48, 56, 66)
REM_PX = 16
# The narrow drawing is laid out for the chart box of a 320 px phone; a wider box only
# lengthens its bars.
NARROW_WIDTH = 270
NARROW_ROW_GAP = 10


def text_width(text: str) -> float:
    return len(text) * CHARACTER_PX


def wrap(text: str, width: float, max_lines: int = 2) -> list[str]:
    """A label in lines no wider than `width`, broken between words (at most `max_lines`)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], " ".join(lines[max_lines - 1 :])]
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
    unit_px: float = 1  # pixels per unit of x and width (a narrow bar's are percentages)

    @property
    def shows_value(self) -> bool:
        """Only segments wide (or tall) enough carry their number; the table has them all."""
        wide_enough = self.width * self.unit_px >= 8 + len(str(self.value)) * 8
        return self.value > 0 and wide_enough and self.height >= 16


@dataclass
class Row:
    label: str
    y: float  # the row's top (stacked rows) or the group's centre (columns)
    total: int
    segments: list[Segment] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # the label as drawn


@dataclass
class ListedRow:
    """A row of the narrow drawing: its name's lines over its bar, whose segments are placed
    in percentages, and the bar's total after its end."""

    label: str
    lines: list[str]
    baseline: float  # of the name's first line
    y: float  # the bar's top
    total: int
    end: float = 0  # where the bar ends, in percent of the drawing's width
    segments: list[Segment] = field(default_factory=list)


@dataclass
class BarList:
    height: float
    rows: list[ListedRow]


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
    narrow: BarList = field(default_factory=lambda: BarList(0, []))

    @property
    def fits_rem(self) -> int:
        """The smallest box width, in rem, that holds the wide drawing at its full size."""
        return next((rem for rem in FITS_REM if rem * REM_PX >= self.width), FITS_REM[-1])


def bar_list(rows: list[tuple[str, list[tuple[str, str, int]]]]) -> BarList:
    """The narrow drawing: each name over its stacked bar [(css class, series name, value)].

    The longest bar leaves room after it for its number in a 320 px phone's box; positions
    across are percentages of the drawing's width, downwards pixels.
    """
    maximum = max((sum(value for _c, _l, value in parts) for _n, parts in rows), default=0)
    room = text_width(str(maximum)) + 8
    scale = (100 - 100 * room / NARROW_WIDTH) / maximum if maximum else 0
    drawn = []
    y = 0.0
    for name, parts in rows:
        lines = wrap(name, NARROW_WIDTH, max_lines=3)
        top = y + len(lines) * LINE_PX + 4
        row = ListedRow(name, lines, y + FONT_PX, top, sum(value for _c, _l, value in parts))
        for css_class, label, value in parts:
            width = value * scale
            if value:
                row.segments.append(
                    Segment(
                        row.end,
                        top,
                        width,
                        BAR_HEIGHT,
                        css_class,
                        label,
                        value,
                        unit_px=NARROW_WIDTH / 100,
                    )
                )
            row.end += width
        drawn.append(row)
        y = top + BAR_HEIGHT + NARROW_ROW_GAP
    return BarList(max(y, LINE_PX), drawn)


def stacked_rows(rows: list[tuple[str, list[tuple[str, str, int]]]]) -> Chart:
    """Horizontal stacked bars: rows of (name, [(css class, series name, value)]).

    The name column is as wide as the longest name needs (up to a limit; longer names wrap
    onto two lines), so names are never cut; the bars take the rest of a dashboard panel.
    """
    maximum = max((sum(value for _c, _l, value in parts) for _n, parts in rows), default=0)
    longest = max((text_width(name) for name, _parts in rows), default=0)
    label_width = min(MAX_LABEL_WIDTH, max(60, longest)) + 10
    wraps = any(text_width(name) > MAX_LABEL_WIDTH for name, _parts in rows)
    row_height = ROW_HEIGHT + (LINE_PX if wraps else 0)
    plot_width = min(PLOT_WIDTH, PANEL_WIDTH - label_width - 10 - text_width(str(maximum)))
    scale = plot_width / maximum if maximum else 0
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
    width = label_width + plot_width + 10 + text_width(str(maximum))
    height = max(row_height, len(rows) * row_height)
    return Chart(
        width,
        height,
        drawn,
        maximum,
        label_width=label_width,
        row_height=row_height,
        narrow=bar_list(rows),
    )


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
        # On a phone a group's columns lie stacked in one bar, like a bar chart's.
        narrow=bar_list(groups),
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
