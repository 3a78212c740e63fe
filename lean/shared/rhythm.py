"""Whether a team keeps its planned stand-up rhythm (e.g. every Monday at 9:00).

A planned stand-up counts as missed once a day has passed after it without any stand-up
started since the beginning of its day: teams move a huddle by some hours, and that is fine.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

GRACE = timedelta(days=1)


def planned_weekdays(weekdays: str) -> list[int]:
    """ISO weekdays (1 = Monday) from a team's "1,3,5" setting; nonsense is ignored."""
    days = {int(part) for part in weekdays.split(",") if part.strip().isdigit()}
    return sorted(day for day in days if 1 <= day <= 7)


def last_planned_standup(
    weekdays: str, at: time | None, now: datetime, zone: ZoneInfo
) -> datetime | None:
    """The latest planned stand-up whose grace day has passed by `now`, or None."""
    days = planned_weekdays(weekdays)
    if not days:
        return None
    planned_time = at or time(9, 0)
    local_deadline = (now - GRACE).astimezone(zone)
    for back in range(8):
        day = local_deadline.date() - timedelta(days=back)
        if day.isoweekday() in days:
            planned = datetime.combine(day, planned_time, tzinfo=zone)
            if planned <= local_deadline:
                return planned
    return None


def rhythm_kept(
    weekdays: str,
    at: time | None,
    last_standup_at: datetime | None,
    now: datetime,
    zone: ZoneInfo,
) -> bool | None:
    """True when no planned stand-up was missed, False when one was, None without a rhythm."""
    if not planned_weekdays(weekdays):
        return None
    planned = last_planned_standup(weekdays, at, now, zone)
    if planned is None:
        return True
    start_of_day = datetime.combine(planned.date(), time(0, 0), tzinfo=zone)
    return last_standup_at is not None and last_standup_at >= start_of_day
