"""Column charts keep their names level when they can: one line, then two, turned last."""

from lean.shared import charts


def columns(names, **options):
    groups = [(name, [("chart-bar", "Cards", 1)]) for name in names]
    return charts.grouped_columns(groups, **options)


def test_short_names_stay_on_one_line():
    chart = columns(["elo 2026", "syys 2026", "loka 2026", "marras 2026"])
    assert not chart.turned_labels
    assert [row.lines for row in chart.rows][-1] == ["marras 2026"]


def test_names_too_long_for_one_line_wrap_onto_two_between_words():
    bins = ["0–7 päivää", "8–14 päivää", "15–30 päivää", "31–60 päivää", "61–90 päivää"]
    chart = columns([*bins, "yli 90 päivää"])
    assert not chart.turned_labels
    assert chart.rows[-1].lines == ["yli 90", "päivää"]
    # Each name fits within its column, so neighbours never touch.
    group = chart.rows[1].y - chart.rows[0].y
    widest = max(charts.text_width(line) for row in chart.rows for line in row.lines)
    assert widest < group


def test_a_wider_chart_may_keep_more_names_level():
    months = [f"{month} 2026" for month in ["tammi", "helmi", "maalis", "huhti", "touko", "kesä"]]
    months += [f"{month} 2026" for month in ["heinä", "elo", "syys", "loka", "marras", "joulu"]]
    assert columns(months).turned_labels
    assert not columns(months, max_plot_width=1000).turned_labels
