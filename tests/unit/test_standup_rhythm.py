"""Whether a team keeps its planned stand-up rhythm."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from lean.shared.rhythm import planned_weekdays, rhythm_kept

HELSINKI = ZoneInfo("Europe/Helsinki")
# Wednesday 2026-11-25 12:00 in Helsinki.
WEDNESDAY_NOON = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def at(day: int, hour: int) -> datetime:
    return datetime(2026, 11, day, hour, 0, tzinfo=HELSINKI)


def test_weekdays_setting_ignores_nonsense():
    assert planned_weekdays("1, 3,x,9,3") == [1, 3]
    assert planned_weekdays("") == []


@pytest.mark.parametrize(
    ("last", "kept"),
    [
        (None, False),
        (at(23, 9), True),  # Monday's stand-up held on Monday
        (at(23, 15), True),  # …or later that day
        (at(16, 9), False),  # only the week before
    ],
)
def test_weekly_monday_rhythm(last, kept):
    assert rhythm_kept("1", time(9, 0), last, WEDNESDAY_NOON, HELSINKI) is kept


def test_no_rhythm_means_no_verdict():
    assert rhythm_kept("", None, None, WEDNESDAY_NOON, HELSINKI) is None


def test_a_stand_up_planned_for_today_is_not_missed_yet():
    # Last Wednesday's was held; today's at 9:00 still has its grace day at noon.
    assert rhythm_kept("3", time(9, 0), at(18, 9), WEDNESDAY_NOON, HELSINKI) is True
