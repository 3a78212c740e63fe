"""When a recurring card template is due, and how its schedule reads in words.

Two kinds of schedule (lean.models.board.Recurrence): every N weeks on a weekday, counted from
the first such weekday on or after the template's start date; or the first to fourth (or the
last) such weekday of every month, from the start date when one is set. Days are Helsinki days.
"""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from lean.core.i18n import current_language
from lean.models import CardTemplate, Recurrence

# How far back the daily command looks for a date it missed (the server was off, the timer
# failed): a date within this many days is still made, once; an older one is left out.
CATCH_UP_DAYS = 7

WEEKDAY_NAMES = {
    1: _l("Monday"),
    2: _l("Tuesday"),
    3: _l("Wednesday"),
    4: _l("Thursday"),
    5: _l("Friday"),
    6: _l("Saturday"),
    7: _l("Sunday"),
}
WEEKS_OF_MONTH = {
    1: _l("First"),
    2: _l("Second"),
    3: _l("Third"),
    4: _l("Fourth"),
    -1: _l("Last"),
}


def occurs_on(template: CardTemplate, day: date) -> bool:
    """Whether the recurring template makes its card on this day."""
    weekday = template.weekday
    if template.recurrence not in (Recurrence.WEEKS, Recurrence.MONTHDAY) or not weekday:
        return False
    if day.isoweekday() != weekday:
        return False
    if template.starts_on is not None and day < template.starts_on:
        return False
    if template.recurrence == Recurrence.WEEKS:
        if not template.every_weeks or template.starts_on is None:
            return False
        first = template.starts_on + timedelta(days=(weekday - template.starts_on.isoweekday()) % 7)
        return (day - first).days % (7 * template.every_weeks) == 0
    nth = template.week_of_month
    if nth == -1:
        return (day + timedelta(days=7)).month != day.month
    return nth is not None and (day.day - 1) // 7 + 1 == nth


def latest_due_date(template: CardTemplate, today: date, earliest: date) -> date | None:
    """The template's newest date within the catch-up window up to today, not before
    `earliest` (the day the template was made): the one date the daily command may make."""
    start = max(today - timedelta(days=CATCH_UP_DAYS - 1), earliest)
    day = today
    while day >= start:
        if occurs_on(template, day):
            return day
        day -= timedelta(days=1)
    return None


def next_dates(template: CardTemplate, after: date, count: int = 3) -> list[date]:
    """The next dates on which the template makes its card, from `after` on (at most a
    year ahead): shown on the templates page so that a schedule can be checked at a glance."""
    found: list[date] = []
    day = after
    while len(found) < count and day <= after + timedelta(days=366):
        if occurs_on(template, day):
            found.append(day)
        day += timedelta(days=1)
    return found


def describe(recurrence: str, every_weeks: int | None, weekday: int | None, nth: int | None) -> str:
    """The schedule in a sentence: "Every 2 weeks on Monday", "The last Friday of every month".

    Whole sentences per weekday, so that each language can put the day in the form it needs
    (Finnish "maanantaisin", Swedish "på måndagar")."""
    if recurrence == Recurrence.WEEKS and weekday in WEEKDAY_NAMES and every_weeks:
        return _weekly(weekday, every_weeks)
    if recurrence == Recurrence.MONTHDAY and weekday in WEEKDAY_NAMES and nth in WEEKS_OF_MONTH:
        return _monthly(nth, weekday)
    if recurrence in (Recurrence.WEEKS, Recurrence.MONTHDAY):
        return _("The schedule is not complete yet.")
    return _("Not recurring: cards are made from it only by hand.")


def _weekly(weekday: int, weeks: int) -> str:
    sentences = {
        1: lambda: ngettext("Every week on Monday", "Every %(num)d weeks on Monday", weeks),
        2: lambda: ngettext("Every week on Tuesday", "Every %(num)d weeks on Tuesday", weeks),
        3: lambda: ngettext("Every week on Wednesday", "Every %(num)d weeks on Wednesday", weeks),
        4: lambda: ngettext("Every week on Thursday", "Every %(num)d weeks on Thursday", weeks),
        5: lambda: ngettext("Every week on Friday", "Every %(num)d weeks on Friday", weeks),
        6: lambda: ngettext("Every week on Saturday", "Every %(num)d weeks on Saturday", weeks),
        7: lambda: ngettext("Every week on Sunday", "Every %(num)d weeks on Sunday", weeks),
    }
    return sentences[weekday]()


def _monthly(nth: int, weekday: int) -> str:
    # The day's name as the weekday lists say it; Finnish and Swedish write it in lower case
    # inside a sentence ("Joka kuukauden viimeinen perjantai", "Varje månads sista fredag").
    name = str(WEEKDAY_NAMES[weekday])
    if current_language() != "en":
        name = name.lower()
    sentences = {
        1: lambda: _("The first %(weekday)s of every month", weekday=name),
        2: lambda: _("The second %(weekday)s of every month", weekday=name),
        3: lambda: _("The third %(weekday)s of every month", weekday=name),
        4: lambda: _("The fourth %(weekday)s of every month", weekday=name),
        -1: lambda: _("The last %(weekday)s of every month", weekday=name),
    }
    return sentences[nth]()
