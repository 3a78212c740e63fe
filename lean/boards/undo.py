"""Undoing a move: the offer a move's answer carries, and the move back.

A move's answer offers its undo (static/js/vertaa.js keeps the button for 10 seconds); the
undo itself is refused when it comes too late or when the card changed after the move, so
that it never takes back someone else's work. The undo is a move back to the stage (and the
place) the card had, recorded as EventKind.MOVE_UNDONE, and the card's stage times become
again what they were before the move (the events without the undone move say the same:
lean.boards.services.refresh_stage_times leaves undone moves out).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from flask import render_template
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from lean.boards.limits import record_if_over_limit
from lean.core.extensions import db
from lean.models import Event, Improvement, Stage, User
from lean.models.base import utcnow
from lean.shared.events import EventKind, record_event
from lean.shared.labels import stage_label

# The page keeps the Undo button for 10 seconds; the server accepts it a while longer, for a
# slow network or a page without JavaScript that shows the button until the next change.
UNDO_WINDOW = timedelta(seconds=30)

STAGE_ENTRIES = (EventKind.CREATED.value, EventKind.MOVED.value)


def _changed_message() -> str:
    return _(
        "The card was changed after your move, so the move was not undone. "
        "The board shows the card as it is now."
    )


class UndoRefused(Exception):
    """The move cannot be undone; `message` says why, in the person's language."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class UndoOffer:
    """What an Undo form carries: the move to take back and the card as the move left it."""

    improvement_id: int
    event_id: int
    version: int
    position: int
    to_stage: str
    # The move took the card over its column's limit (with a reason): the message says so.
    over_limit: bool = False


def offer_for(improvement: Improvement, position_before: int) -> UndoOffer | None:
    """The undo of the move just made to the card (its newest event), or None if it made none."""
    event = db.session.scalar(
        select(Event)
        .where(Event.subject_type == "improvement", Event.subject_id == improvement.id)
        .order_by(Event.id.desc())
        .limit(1)
    )
    if event is None or event.kind != EventKind.MOVED.value:
        return None
    return UndoOffer(
        improvement_id=improvement.id,
        event_id=event.id,
        version=improvement.version,
        position=position_before,
        to_stage=improvement.stage,
        over_limit="over_limit" in (event.data or {}),
    )


def notice(offer: UndoOffer, *, came_from: str, query: dict | None = None, oob=False) -> Markup:
    """The message "Card moved to Do" with its Undo form (templates/boards/_undo.html)."""
    return Markup(  # noqa: S704  # nosec B704 (a template of ours, escaped by Jinja)
        render_template(
            "boards/_undo.html",
            offer=offer,
            stage=stage_label(Stage(offer.to_stage)),
            came_from=came_from,
            query=query or {},
            oob=oob,
        )
    )


def undo_move(
    actor: User, improvement: Improvement, event_id: int, expected_version: int, position: int
) -> str:
    """Move the card back to where the move `event_id` took it from; the stage it is back in.

    Raise UndoRefused when the move is not the card's last change, is not the actor's own, or
    is older than UNDO_WINDOW. The card goes back even into a column that is now over its
    work-in-progress limit: the undo restores the earlier state, it adds no work; that day counts
    as one over the limit, as after any move that leaves a column full.
    """
    rows = db.session.execute(
        select(Event.id, Event.kind, Event.data, Event.at, Event.actor_id)
        .where(Event.subject_type == "improvement", Event.subject_id == improvement.id)
        .order_by(Event.id)
    ).all()
    moved = next((row for row in rows if row.id == event_id), None)
    if moved is None or moved.kind != EventKind.MOVED.value or moved.actor_id != actor.id:
        raise UndoRefused(_("This move cannot be undone."))
    if utcnow() - moved.at > UNDO_WINDOW:
        raise UndoRefused(
            _("Too late to undo the move. Move the card back with its “Move…” button.")
        )
    if (
        rows[-1].id != moved.id
        or improvement.version != expected_version
        or improvement.stage != moved.data["to"]
    ):
        raise UndoRefused(_changed_message())
    back_to = moved.data["from"]
    _restore_stage_times(improvement, rows, moved.id, back_to)
    # The place it had: its old column kept its numbers, so the number finds the same gap.
    improvement.position = max(1, position)
    record_event(
        actor,
        EventKind.MOVE_UNDONE,
        improvement,
        undone=moved.id,
        **{"from": moved.data["to"], "to": back_to},
    )
    try:
        db.session.flush()
    except StaleDataError:  # another request changed the card at this same moment
        db.session.rollback()
        raise UndoRefused(_changed_message()) from None
    record_if_over_limit(improvement)
    return back_to


def _restore_stage_times(improvement: Improvement, rows, undone_id: int, stage: str) -> None:
    """The stage and its times as the card's entries into stages say, without undone moves."""
    undone = {undone_id} | {
        row.data.get("undone") for row in rows if row.kind == EventKind.MOVE_UNDONE.value
    }
    entries = [
        (row.at, row.data["to"] if row.kind == EventKind.MOVED.value else row.data["stage"])
        for row in rows
        if row.kind in STAGE_ENTRIES and row.id not in undone
    ]
    improvement.stage = stage
    improvement.stage_entered_at = entries[-1][0] if entries else improvement.created_at
    improvement.first_started_at = next(
        (at for at, entered in entries if entered != Stage.IDEA.value), None
    )
    improvement.completed_at = improvement.stage_entered_at if stage == Stage.DONE.value else None
