"""Copies of cards and a team's card templates: one function per change, each recording its
Event; and the daily making of recurring templates' cards.

A copy or a card made from a template is a new card in Idea with the source's theme, focus
area, title, problem and checklist (every item unticked); never its history, comments, owner,
files or due date. The request or command that calls these commits once at its end.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from lean.boards import checklists, recurrence
from lean.boards.services import create_improvement
from lean.core.extensions import db
from lean.models import (
    CardTemplate,
    FocusArea,
    Improvement,
    Recurrence,
    Team,
    Theme,
    User,
)
from lean.shared.conflicts import EditConflict
from lean.shared.events import EventKind, jsonable, record_admin_event, record_event

log = logging.getLogger(__name__)

TITLE_LENGTH = 200
CHECKLIST_ITEM_LENGTH = 300
# A template's checklist: at most this many items, so that a pasted document stays a list.
CHECKLIST_ITEMS = 50


def local_today() -> date:
    """Today in the installation's time zone (Helsinki): the day a recurring card is due."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.now(zone).date()


def checklist_lines(text: str) -> list[str]:
    """A template's checklist, one item per non-empty line, each as long as an item may be."""
    lines = (line.strip().lstrip("-*•").strip() for line in (text or "").splitlines())
    return [line[:CHECKLIST_ITEM_LENGTH] for line in lines if line][:CHECKLIST_ITEMS]


def _add_checklist(actor: User | None, improvement: Improvement, texts: list[str]) -> None:
    """The new card's checklist, unticked, in the given order (the checklists' own service,
    so each item has its 'added' event like any other)."""
    if texts:
        # The daily command adds a recurring card's items as no one, as it makes the card.
        checklists.add_checklist_items(cast(User, actor), improvement, texts)


def card_checklist(improvement: Improvement) -> list[str]:
    """A card's checklist texts in their order."""
    return [item.text for item in checklists.checklist_items(improvement)]


# ---- copying a card ----------------------------------------------------------------------


def copy_title(title: str) -> str:
    """The copy's title: "Copy of …" in the copier's language, cut to fit the column."""
    return _("Copy of %(title)s", title=title)[:TITLE_LENGTH].strip()


def copy_improvement(actor: User, original: Improvement) -> Improvement:
    """A new card in Idea of the same team, with the original's theme, focus area, title
    (marked as a copy), problem and checklist; its 'created' and 'copied' events."""
    copy = create_improvement(
        actor,
        original.team,
        title=copy_title(original.title),
        theme=original.theme,
        problem=original.problem,
        focus_area_id=original.focus_area_id,
    )
    _add_checklist(actor, copy, card_checklist(original))
    record_event(actor, EventKind.COPIED, copy, original=original.id, title=original.title)
    db.session.flush()
    return copy


# ---- a team's templates ------------------------------------------------------------------


@dataclass
class TemplateValues:
    """What a template form saves."""

    title: str
    problem: str
    theme: Theme
    focus_area: FocusArea | None
    checklist: str
    recurrence: str = Recurrence.NONE
    every_weeks: int | None = None
    weekday: int | None = None
    week_of_month: int | None = None
    starts_on: date | None = None


TEMPLATE_FIELDS = (
    "title",
    "problem",
    "theme_id",
    "focus_area_id",
    "checklist",
    "recurrence",
    "every_weeks",
    "weekday",
    "week_of_month",
    "starts_on",
)


def _apply(template: CardTemplate, values: TemplateValues) -> dict[str, list]:
    """Set the template's fields; the changed ones as {name: [before, after]}."""
    recurring = values.recurrence in (Recurrence.WEEKS, Recurrence.MONTHDAY)
    new = {
        "title": values.title.strip(),
        "problem": values.problem or "",
        "theme_id": values.theme.id,
        "focus_area_id": values.focus_area.id if values.focus_area else None,
        "checklist": "\n".join(checklist_lines(values.checklist)),
        "recurrence": values.recurrence if recurring else Recurrence.NONE,
        # Only what the chosen schedule uses is kept.
        "every_weeks": values.every_weeks if values.recurrence == Recurrence.WEEKS else None,
        "weekday": values.weekday if recurring else None,
        "week_of_month": values.week_of_month if values.recurrence == Recurrence.MONTHDAY else None,
        "starts_on": values.starts_on if recurring else None,
    }
    changed = {}
    for name in TEMPLATE_FIELDS:
        if getattr(template, name) != new[name]:
            changed[name] = [jsonable(getattr(template, name)), jsonable(new[name])]
            setattr(template, name, new[name])
    return changed


def _record_template_event(actor: User, kind: EventKind, template: CardTemplate, **data) -> None:
    # A team event: the board's tag moves on, so its quick add offers the new list.
    record_admin_event(
        actor,
        kind,
        "card_template",
        template.id,
        template.team.organization_id,
        team_id=template.team_id,
        title=template.title,
        **data,
    )


def create_template(actor: User, team: Team, values: TemplateValues) -> CardTemplate:
    template = CardTemplate(team=team, created_by_id=actor.id, title="", theme=values.theme)
    _apply(template, values)
    db.session.add(template)
    db.session.flush()
    _record_template_event(actor, EventKind.TEMPLATE_SAVED, template, created=True)
    return template


def update_template(
    actor: User, template: CardTemplate, expected_version: int, values: TemplateValues
) -> dict[str, list]:
    """Save an edited template; EditConflict when someone saved it after the form was loaded
    (or removed it)."""
    if template.version != expected_version or template.archived:
        raise EditConflict(template)
    changed = _apply(template, values)
    if changed:
        _record_template_event(
            actor, EventKind.TEMPLATE_SAVED, template, fields=sorted(changed), created=False
        )
        _flush_or_conflict(template)
    return changed


def remove_template(actor: User, template: CardTemplate) -> None:
    """Archive the template: it is offered no more and makes no more cards; the cards made from
    it keep their link."""
    if template.archived:
        return
    template.archived = True
    _record_template_event(actor, EventKind.TEMPLATE_REMOVED, template)
    _flush_or_conflict(template)


def _flush_or_conflict(template: CardTemplate) -> None:
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise EditConflict(db.session.get(CardTemplate, template.id)) from None


def team_templates(team: Team) -> list[CardTemplate]:
    """The team's templates in use, by title, with their theme and focus area."""
    return list(
        db.session.scalars(
            select(CardTemplate)
            .where(CardTemplate.team_id == team.id, CardTemplate.archived.is_(False))
            .options(joinedload(CardTemplate.theme), joinedload(CardTemplate.focus_area))
            .order_by(CardTemplate.title, CardTemplate.id)
        )
    )


def offered_templates(team_id: int) -> list[tuple[int, str]]:
    """(id, title) of the team's templates, for the board's quick add: one statement."""
    return list(
        db.session.execute(
            select(CardTemplate.id, CardTemplate.title)
            .where(CardTemplate.team_id == team_id, CardTemplate.archived.is_(False))
            .order_by(CardTemplate.title, CardTemplate.id)
        ).tuples()
    )


# ---- cards from templates ----------------------------------------------------------------


def card_from_template(
    actor: User | None, template: CardTemplate, template_date: date | None = None
) -> Improvement:
    """A new card in Idea from the template: its title, problem, theme, focus area and
    checklist; 'created' and 'from_template' events. `template_date` is the date a recurring
    template made it for (None when someone made it by hand)."""
    card = create_improvement(
        # The daily command makes a recurring card as no one: no owner, "System" in history.
        cast(User, actor),
        template.team,
        title=template.title,
        theme=template.theme,
        problem=template.problem,
        focus_area_id=template.focus_area_id,
        from_template_id=template.id,
        template_date=template_date,
    )
    _add_checklist(actor, card, checklist_lines(template.checklist))
    record_event(
        actor,
        EventKind.FROM_TEMPLATE,
        card,
        template=template.id,
        title=template.title,
        date=template_date,
    )
    db.session.flush()
    return card


def _card_exists(template: CardTemplate, day: date) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Improvement.from_template_id == template.id, Improvement.template_date == day
                )
            )
        )
    )


def make_recurring_cards(today: date | None = None) -> int:
    """The daily command's work: each recurring template's card for today, or for its one date
    missed within the last CATCH_UP_DAYS days (never a date before the template was made), in
    Idea, once. Returns the number of cards made.

    A date's card is made once, whatever runs at the same time: the team is locked before
    looking (PostgreSQL; SQLite lets one writing command run at a time), and the database
    refuses a second card of the same template and date, which is then skipped."""
    today = today or local_today()
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    templates = db.session.scalars(
        select(CardTemplate)
        .join(Team, Team.id == CardTemplate.team_id)
        .where(
            CardTemplate.archived.is_(False),
            CardTemplate.recurrence.in_((Recurrence.WEEKS, Recurrence.MONTHDAY)),
            Team.archived.is_(False),
        )
        .options(joinedload(CardTemplate.team), joinedload(CardTemplate.theme))
        .order_by(CardTemplate.id)
    ).all()
    made = 0
    for template in templates:
        earliest = template.created_at.astimezone(zone).date()
        day = recurrence.latest_due_date(template, today, earliest)
        if day is None:
            continue
        db.session.execute(select(Team.id).where(Team.id == template.team_id).with_for_update())
        if _card_exists(template, day):
            continue
        try:
            with db.session.begin_nested():
                card_from_template(None, template, day)
        except IntegrityError:
            # Another run made it between our look and our write: it is there, once.
            log.info("card of template %s for %s made by another run", template.id, day)
            continue
        made += 1
    return made
