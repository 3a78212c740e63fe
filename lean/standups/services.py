"""Changes made in and around a stand-up, one function per change, each recording its Event.

Changes to the cards themselves go through lean.boards.services, so a move or a block made
in a stand-up is the same Event as one made on the board.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any, cast

from sqlalchemy import CursorResult, delete, insert, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from lean.boards import services as board_services
from lean.core.extensions import db
from lean.models import (
    Escalation,
    Improvement,
    Stage,
    Standup,
    StandupAttendee,
    StandupItem,
    Team,
    User,
)
from lean.models.base import utcnow
from lean.shared.events import EventKind, record_admin_event, record_event
from lean.shared.web import today
from lean.standups import queries


@dataclass
class StandupConflict(Exception):
    """The stand-up or escalation was saved by someone else meanwhile; `current` is as saved."""

    current: Any


def start_standup(actor: User, team: Team) -> tuple[Standup, bool]:
    """The team's open stand-up, or a new one with its agenda; True when it was created.

    Two supervisors pressing "start" at the same moment: the partial unique index lets only
    one unfinished stand-up per team exist, so the second insert fails and gets the first.
    """
    existing = queries.open_standup(team.id)
    if existing is not None:
        return existing, False
    now = utcnow()
    since = queries.agenda_since(team.id, now)
    standup = Standup(
        team_id=team.id,
        led_by_id=actor.id,
        started_at=now,
        planned_minutes=team.standup_minutes,
        current_position=1,
    )
    db.session.add(standup)
    try:
        db.session.flush()
    except IntegrityError:
        # The stand-up is all this request writes: undone whole, it joins the one that got
        # through.
        db.session.rollback()
        return cast(Standup, queries.open_standup(team.id)), False
    items = queries.agenda(team, since, now, today())
    if items:
        db.session.execute(
            insert(StandupItem),
            [
                {
                    "standup_id": standup.id,
                    "improvement_id": improvement_id,
                    "reason": reason,
                    "position": position,
                    "decision": "",
                }
                for position, (improvement_id, reason) in enumerate(items, start=1)
            ],
        )
    record_admin_event(
        actor, EventKind.STANDUP_STARTED, "standup", standup.id, team.organization_id, team.id
    )
    return standup, True


def show_card(actor: User, standup: Standup, position: int) -> int:
    """Show everyone following the stand-up the agenda's card at `position` (1-based, kept
    within the agenda); the place shown.

    Where the stand-up is looking is not a change to the team's work, so it records no Event
    (the card's history and the board stay as they are); the stand-up page's freshness tag
    covers the place itself. A statement rather than the ORM: the stand-up's version stays,
    so a finish form opened meanwhile is no conflict.
    """
    position = min(max(position, 1), max(queries.agenda_size(standup.id), 1))
    db.session.execute(
        update(Standup)
        .where(Standup.id == standup.id, Standup.finished_at.is_(None))
        .values(current_position=position)
        .execution_options(synchronize_session=False)
    )
    return position


def _reviewed(standup: Standup, improvement: Improvement) -> None:
    """Mark the card as looked at in this stand-up."""
    db.session.execute(
        update(StandupItem)
        .where(
            StandupItem.standup_id == standup.id,
            StandupItem.improvement_id == improvement.id,
            StandupItem.reviewed_at.is_(None),
        )
        .values(reviewed_at=utcnow())
    )


def move_card(
    actor: User,
    standup: Standup,
    improvement: Improvement,
    stage: Stage,
    over_limit_reason: str | None = None,
) -> bool:
    """Move the card; into a column at its work-in-progress limit only with the reason
    (board_services.WipLimitReached)."""
    _reviewed(standup, improvement)
    return board_services.move_improvement(actor, improvement, stage, over_limit_reason)


def _edit_card(actor: User, standup: Standup, improvement: Improvement, changes: dict) -> dict:
    _reviewed(standup, improvement)
    return board_services.update_improvement(actor, improvement, improvement.version, changes)


def block_card(actor: User, standup: Standup, improvement: Improvement, reason: str) -> dict:
    return _edit_card(
        actor, standup, improvement, {"blocked": True, "blocked_reason": reason.strip()}
    )


def unblock_card(actor: User, standup: Standup, improvement: Improvement) -> dict:
    return _edit_card(actor, standup, improvement, {"blocked": False, "blocked_reason": ""})


def change_owner(
    actor: User, standup: Standup, improvement: Improvement, owner_id: int | None
) -> dict:
    return _edit_card(actor, standup, improvement, {"owner_id": owner_id})


def change_due_date(
    actor: User, standup: Standup, improvement: Improvement, due_date: date | None
) -> dict:
    return _edit_card(actor, standup, improvement, {"due_date": due_date})


def record_decision(actor: User, standup: Standup, improvement: Improvement, decision: str) -> None:
    """What the stand-up decided about a card: kept on its agenda item and in its history."""
    decision = decision.strip()
    db.session.execute(
        update(StandupItem)
        .where(StandupItem.standup_id == standup.id, StandupItem.improvement_id == improvement.id)
        .values(decision=decision, reviewed_at=utcnow())
    )
    record_event(actor, EventKind.DECIDED, improvement, text=decision, standup=standup.id)


def add_note(actor: User, standup: Standup, improvement: Improvement, note: str) -> None:
    """A note anyone of the team adds to a card during the stand-up; it stays in the card's
    history and in the stand-up's record."""
    record_event(actor, EventKind.NOTED, improvement, text=note.strip(), standup=standup.id)


def escalate_card(
    actor: User, standup: Standup | None, improvement: Improvement, question: str
) -> Escalation:
    """Ask the organization's coordinators a question about a card."""
    escalation = Escalation(
        improvement_id=improvement.id,
        team_id=improvement.team_id,
        standup_id=standup.id if standup else None,
        question=question.strip(),
        asked_by_id=actor.id,
        asked_at=utcnow(),
    )
    db.session.add(escalation)
    if standup is not None:
        _reviewed(standup, improvement)
    record_event(actor, EventKind.ESCALATED, improvement, question=escalation.question)
    return escalation


def answer_escalation(actor: User, escalation: Escalation, answer: str) -> None:
    """The coordinator's answer; a second answer to an already answered question is refused.

    The UPDATE only matches an unanswered escalation, so two coordinators answering at the
    same moment cannot overwrite each other.
    """
    now = utcnow()
    result = cast(
        CursorResult,
        db.session.execute(
            update(Escalation)
            .where(Escalation.id == escalation.id, Escalation.answered_at.is_(None))
            .values(answer=answer.strip(), answered_by_id=actor.id, answered_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        db.session.refresh(escalation)  # as the other coordinator answered it
        raise StandupConflict(escalation)
    record_event(
        actor,
        EventKind.ESCALATION_ANSWERED,
        escalation.improvement,
        answer=answer.strip(),
        escalation=escalation.id,
    )
    db.session.refresh(escalation)  # the answer went in by a statement, past the session


def finish_standup(
    actor: User,
    standup: Standup,
    expected_version: int,
    *,
    attendee_ids: list[int],
    guests: str,
    note: str,
    plus: str,
    delta: str,
) -> None:
    """Close the stand-up with who came, a free note and its plus/delta."""
    if standup.version != expected_version or standup.finished_at is not None:
        raise StandupConflict(standup)
    db.session.execute(delete(StandupAttendee).where(StandupAttendee.standup_id == standup.id))
    if attendee_ids:
        db.session.execute(
            insert(StandupAttendee),
            [
                {"standup_id": standup.id, "user_id": user_id}
                for user_id in sorted(set(attendee_ids))
            ],
        )
    standup.guests = guests.strip()
    standup.note = note.strip()
    standup.plus = plus.strip()
    standup.delta = delta.strip()
    standup.finished_at = utcnow()
    if standup.led_by_id is None:
        standup.led_by_id = actor.id
    record_admin_event(
        actor,
        EventKind.STANDUP_FINISHED,
        "standup",
        standup.id,
        standup.team.organization_id,
        standup.team_id,
    )
    try:
        db.session.flush()
    except StaleDataError:  # someone finished it in the same instant
        db.session.rollback()  # the conflict refuses the request
        raise StandupConflict(db.session.get(Standup, standup.id)) from None


def update_settings(
    actor: User,
    team: Team,
    *,
    minutes: int,
    weekdays: list[int],
    at: time | None,
    limits: dict[str, int],
) -> None:
    """The team's stand-up length, rhythm and stage limits."""
    team.standup_minutes = minutes
    team.standup_weekdays = ",".join(str(day) for day in sorted(set(weekdays)))
    team.standup_time = at
    team.plan_limit_days = limits["plan"]
    team.do_limit_days = limits["do"]
    team.check_limit_days = limits["check"]
    team.act_limit_days = limits["act"]
    record_admin_event(
        actor,
        EventKind.STANDUP_SETTINGS,
        "team",
        team.id,
        team.organization_id,
        team.id,
        minutes=minutes,
        weekdays=team.standup_weekdays,
        time=at.strftime("%H:%M") if at else "",
        limits=limits,
    )
