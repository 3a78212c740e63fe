"""The feeds as iCalendar text (RFC 5545), made with the `icalendar` package.

Every event has a UID that stays the same from one download to the next (a calendar app
updates the event it has rather than adding another), the card's address as URL and in the
description, and times in Europe/Helsinki with its VTIMEZONE, so that a stand-up at 9:00
stays at 9:00 across the change to summer time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import cast
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from icalendar import Calendar, Event, Timezone

from lean.calendar.queries import Entry
from lean.core.urls import external_url
from lean.models import Stage
from lean.shared.labels import stage_label
from lean.shared.rhythm import planned_weekdays

ZONE_NAME = "Europe/Helsinki"
ZONE = ZoneInfo(ZONE_NAME)
ICAL_WEEKDAYS = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}
# The EU's rule since 1996: summer time from the last Sunday of March to that of October.
HELSINKI = Timezone.from_ical(
    "\r\n".join(
        (
            "BEGIN:VTIMEZONE",
            f"TZID:{ZONE_NAME}",
            "BEGIN:DAYLIGHT",
            "TZOFFSETFROM:+0200",
            "TZOFFSETTO:+0300",
            "TZNAME:EEST",
            "DTSTART:19960331T030000",
            "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
            "END:DAYLIGHT",
            "BEGIN:STANDARD",
            "TZOFFSETFROM:+0300",
            "TZOFFSETTO:+0200",
            "TZNAME:EET",
            "DTSTART:19961027T040000",
            "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
            "END:STANDARD",
            "END:VTIMEZONE",
        )
    )
)


def calendar(name: str, entries: list[Entry], now: datetime) -> bytes:
    """The feed named `name` with one event per entry, in the language in force."""
    feed = Calendar()
    feed.add("prodid", "-//Vertaa//Calendar feed//EN")
    feed.add("version", "2.0")
    feed.add("calscale", "GREGORIAN")
    feed.add("method", "PUBLISH")
    feed.add("x-wr-calname", name)
    feed.add("x-wr-timezone", ZONE_NAME)
    # How often apps that honour it fetch the feed again.
    feed.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    feed.add("x-published-ttl", "PT1H")
    # A rhythm with no day it recognizes has no stand-up to show.
    entries = [e for e in entries if e.kind != "standup" or planned_weekdays(e.weekdays or "")]
    if any(entry.kind == "standup" for entry in entries):
        feed.add_component(HELSINKI)
    host = urlsplit(external_url("boards.index")).hostname or "vertaa"
    stamp = now.astimezone(UTC)
    for entry in entries:
        feed.add_component(_event(entry, host, stamp, now))
    return feed.to_ical()


def _event(entry: Entry, host: str, stamp: datetime, now: datetime) -> Event:
    event = Event()
    event.add("dtstamp", stamp)
    if entry.kind == "standup":
        link = external_url("standups.current", team_id=entry.team_id)
        event.add("uid", f"standup-team-{entry.id}@{host}")
        event.add("summary", _("Stand-up: %(team)s", team=entry.team_name))
        description = _("The stand-up of %(team)s at its board.", team=entry.team_name)
        days = [ICAL_WEEKDAYS[day] for day in planned_weekdays(entry.weekdays or "")]
        event.add("dtstart", _first_standup(entry, now))
        event.add("duration", timedelta(minutes=entry.minutes or 15))
        event.add("rrule", {"freq": "weekly", "byday": days})
    else:
        day = cast(date, entry.day)  # the query keeps only entries with a date
        if entry.kind == "card":
            link = external_url("boards.detail", improvement_id=entry.card_id)
            event.add("uid", f"improvement-{entry.id}@{host}")
            event.add("summary", entry.title)
            description = _(
                "Due date of a card on the board of %(team)s, now in %(stage)s.",
                team=entry.team_name,
                stage=stage_label(Stage(entry.stage or Stage.IDEA.value)),
            )
        else:
            link = external_url("a3.sheet", improvement_id=entry.card_id)
            event.add("uid", f"a3-action-{entry.id}@{host}")
            event.add("summary", _("A3 action: %(what)s", what=entry.title))
            description = _("An action of an A3 sheet of %(team)s.", team=entry.team_name)
        # An all-day event on the due date.
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
        event.add("transp", "TRANSPARENT")
    event.add("url", link)
    event.add("description", f"{description}\n{link}")
    return event


def _first_standup(entry: Entry, now: datetime) -> datetime:
    """The rhythm's first stand-up from the start of this week on, in Helsinki time."""
    monday = now.astimezone(ZONE).date() - timedelta(days=now.astimezone(ZONE).weekday())
    days = planned_weekdays(entry.weekdays or "")
    first = min(monday + timedelta(days=day - 1) for day in days)
    return datetime.combine(first, cast(time, entry.at), tzinfo=ZONE)  # the query asks for one
