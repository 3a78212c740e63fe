"""Changes to improvements, one function per change, each recording its Event.

The request (or command) that calls them commits once at its end (lean/core/unit_of_work.py).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, case, func, select, update
from sqlalchemy.orm import aliased
from sqlalchemy.orm.exc import StaleDataError

from lean.boards import limits
from lean.boards.limits import WipLimitReached as WipLimitReached  # for other areas
from lean.core.extensions import db
from lean.models import Event, Improvement, Stage, Team, Theme, User
from lean.models.base import utcnow
from lean.shared.conflicts import EditConflict
from lean.shared.events import EventKind, jsonable, record_event

# Fields a person edits on the card's form, in the order the form shows them.
EDITABLE_FIELDS = (
    "title",
    "problem",
    "theme_id",
    "focus_area_id",
    "owner_id",
    "due_date",
    "blocked",
    "blocked_reason",
    "expected_effect",
    "what_was_tried",
    "measured_result",
    "standard",
    "hours_saved_per_month",
    "money_saved_per_year",
    "quality_change",
)


def editable_values(improvement: Improvement) -> dict[str, Any]:
    """The card's editable fields as the edit form saw them, for a later three-way merge."""
    return {name: _comparable(getattr(improvement, name)) for name in EDITABLE_FIELDS}


def _comparable(value: Any) -> Any:
    """A value as JSON keeps it; amounts as numbers, so that 12 and 12.0 are the same."""
    return float(value) if isinstance(value, Decimal) else jsonable(value)


def _end_of_column(team_id: int, stage: str) -> int:
    last = db.session.scalar(
        select(func.max(Improvement.position)).where(
            Improvement.team_id == team_id, Improvement.stage == stage
        )
    )
    return (last or 0) + 1


def _lock_team(team: Team) -> None:
    """Serialize position changes within one team (PostgreSQL; SQLite's write lock already does)."""
    db.session.execute(select(Team.id).where(Team.id == team.id).with_for_update())


def create_improvement(
    actor: User,
    team: Team,
    *,
    title: str,
    theme: Theme,
    stage: Stage = Stage.IDEA,
    problem: str = "",
    owner: User | None = None,
    **fields: Any,
) -> Improvement:
    """A new card at the end of its column, with its 'created' event."""
    _lock_team(team)
    moment = utcnow()
    improvement = Improvement(
        team=team,
        title=title.strip(),
        theme=theme,
        problem=problem,
        owner=owner or actor,
        created_by=actor,
        created_at=moment,
        position=_end_of_column(team.id, stage.value),
        **fields,
    )
    improvement.enter_stage(stage, moment)
    db.session.add(improvement)
    db.session.flush()
    record_event(actor, EventKind.CREATED, improvement, stage=stage.value).at = moment
    return improvement


def move_improvement(
    actor: User, improvement: Improvement, to_stage: Stage, over_limit_reason: str | None = None
) -> bool:
    """Put the card at the end of another column; False when it already stands there.

    A column at its work-in-progress limit takes the card only with `over_limit_reason`, kept
    in the event, and never under a hard limit (limits.WipLimitReached)."""
    from_stage = improvement.stage
    if from_stage == to_stage.value:
        return False
    _lock_team(improvement.team)
    over_limit, over_stages = limits.check_move(
        improvement, from_stage, to_stage, over_limit_reason
    )
    improvement.position = _end_of_column(improvement.team_id, to_stage.value)
    moment = utcnow()
    improvement.enter_stage(to_stage, moment)
    event = record_event(
        actor,
        EventKind.MOVED,
        improvement,
        **{"from": from_stage, "to": to_stage.value},
        **over_limit,
    )
    event.at = moment  # the card's stage times and its history agree to the microsecond
    limits.record_over_limit_days(improvement.team_id, over_stages)
    _flush_or_conflict(improvement)
    return True


def place_improvement(
    actor: User,
    improvement: Improvement,
    to_stage: Stage,
    after_id: int | None,
    over_limit_reason: str | None = None,
) -> None:
    """Put the card into a column right below the card `after_id`, or on top when None.

    What a drag and drop on the board does: a change of column is a move (its 'moved' event,
    so the card's time in stage starts again); a new place in the same column is recorded as
    'reordered'. The column is numbered anew from 1, so positions stay small and distinct.
    """
    _lock_team(improvement.team)
    from_stage = improvement.stage
    over_limit, over_stages = limits.check_move(
        improvement, from_stage, to_stage, over_limit_reason
    )
    others = list(
        db.session.scalars(
            select(Improvement.id)
            .where(
                Improvement.team_id == improvement.team_id,
                Improvement.stage == to_stage.value,
                Improvement.archived.is_(False),
                Improvement.id != improvement.id,
            )
            .order_by(Improvement.position, Improvement.id)
        )
    )
    index = others.index(after_id) + 1 if after_id in others else 0
    # The neighbours' new numbers go in one statement, outside the ORM's version counter:
    # their place in a column is not an edit of their content.
    renumbered = [
        {"moved_id": card_id, "new_position": number}
        for number, card_id in enumerate([*others[:index], None, *others[index:]], start=1)
        if card_id is not None
    ]
    if renumbered:
        table = Improvement.__table__
        db.session.execute(
            update(table)
            .where(table.c.id == bindparam("moved_id"))
            .values(position=bindparam("new_position")),
            renumbered,
        )
        # The statement passed the session by: the neighbours it holds read their new places.
        for card in list(db.session.identity_map.values()):
            if isinstance(card, Improvement) and card.id in others:
                db.session.expire(card, ["position"])
    improvement.position = index + 1
    if from_stage != to_stage.value:
        moment = utcnow()
        improvement.enter_stage(to_stage, moment)
        event = record_event(
            actor,
            EventKind.MOVED,
            improvement,
            **{"from": from_stage, "to": to_stage.value},
            **over_limit,
        )
        event.at = moment
        limits.record_over_limit_days(improvement.team_id, over_stages)
    else:
        record_event(actor, EventKind.REORDERED, improvement, stage=to_stage.value, after=after_id)
    _flush_or_conflict(improvement)


def update_improvement(
    actor: User,
    improvement: Improvement,
    expected_version: int,
    changes: dict[str, Any],
    original: dict[str, Any] | None = None,
) -> dict[str, list]:
    """Save the edited fields; raise EditConflict when someone else changed the same ones.

    With `original` (editable_values() as the form was loaded) the save is a three-way merge:
    fields only the editor changed are saved, fields only someone else changed keep their
    value, and a field both changed differently is a conflict. So a move or another person's
    edit of other fields in the meantime costs nothing. Without it, any save since
    `expected_version` is a conflict. Returns the changed fields as {name: [before, after]}.
    """
    if original is None:
        if improvement.version != expected_version:
            raise EditConflict(improvement)
    else:
        changes, clashes = _merge(editable_values(improvement), original, changes)
        if clashes:
            raise EditConflict(improvement, clashes)
    changed = {}
    for name in EDITABLE_FIELDS:
        if name in changes and getattr(improvement, name) != changes[name]:
            changed[name] = [jsonable(getattr(improvement, name)), jsonable(changes[name])]
            setattr(improvement, name, changes[name])
    if not changed:
        return changed
    if "blocked" in changed:
        kind = EventKind.BLOCKED if improvement.blocked else EventKind.UNBLOCKED
        record_event(actor, kind, improvement, reason=improvement.blocked_reason)
    edited = {name: values for name, values in changed.items() if name != "blocked"}
    if edited:
        record_event(actor, EventKind.EDITED, improvement, fields=edited)
    _flush_or_conflict(improvement)
    return changed


def untouched_fields(original: dict[str, Any], changes: dict[str, Any]) -> list[str]:
    """The fields an editor submitted as they were loaded."""
    return [name for name, value in changes.items() if _comparable(value) == original.get(name)]


def _merge(
    current: dict[str, Any], original: dict[str, Any], changes: dict[str, Any]
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The editor's changes to save, and the fields where someone else's change clashes."""
    mine, clashes = {}, []
    for name, value in changes.items():
        base, theirs, yours = original.get(name), current.get(name), _comparable(value)
        if yours in (base, theirs):
            continue  # the editor left it alone, or already agrees with the saved value
        if theirs == base:
            mine[name] = value
        else:
            clashes.append(name)
    return mine, tuple(clashes)


def archive_improvement(actor: User, improvement: Improvement) -> None:
    _set_archived(actor, improvement, archived=True)


def restore_improvement(actor: User, improvement: Improvement) -> None:
    _set_archived(actor, improvement, archived=False)


def _set_archived(actor: User, improvement: Improvement, *, archived: bool) -> None:
    if improvement.archived == archived:
        return
    improvement.archived = archived
    record_event(actor, EventKind.ARCHIVED if archived else EventKind.RESTORED, improvement)
    _flush_or_conflict(improvement)


def _flush_or_conflict(improvement: Improvement) -> None:
    """Write the change now; a concurrent write to the same row becomes an EditConflict, not
    a lost update. The conflict refuses the whole request, so its transaction is rolled back
    here, and the conflict carries the card as it was saved."""
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise EditConflict(db.session.get(Improvement, improvement.id)) from None


def refresh_stage_times(*conditions) -> None:
    """Recompute the stage times of the cards matching the conditions from their events.

    For data whose events were written or rewritten outside the moves (back-dated demo and
    test histories); the same rules as migration 0010 that filled the columns at first.
    """
    db.session.flush()
    db.session.execute(
        update(Improvement)
        .where(*conditions)
        .values(
            stage_entered_at=func.coalesce(_event_time(func.max, None), Improvement.created_at),
            first_started_at=_event_time(func.min, STARTED),
            completed_at=case(
                (
                    Improvement.stage == Stage.DONE.value,
                    _event_time(func.max, (Stage.DONE.value,)),
                )
            ),
            updated_at=Improvement.updated_at,  # not an edit of the card
        )
        .execution_options(synchronize_session=False)
    )
    db.session.expire_all()


STARTED = tuple(stage.value for stage in Stage if stage != Stage.IDEA)


def _event_time(aggregate, stages):
    """The first or last moment the card was created in or moved to one of the stages."""
    undo = aliased(Event)
    condition = [
        Event.subject_type == "improvement",
        Event.subject_id == Improvement.id,
        Event.kind.in_((EventKind.CREATED, EventKind.MOVED)),
        # A move taken back by its undo no longer counts (lean/boards/undo.py).
        Event.id.not_in(
            select(undo.data["undone"].as_integer()).where(
                undo.subject_type == "improvement",
                undo.subject_id == Improvement.id,
                undo.kind == EventKind.MOVE_UNDONE,
            )
        ),
    ]
    if stages is not None:
        entered = func.coalesce(Event.data["to"].as_string(), Event.data["stage"].as_string())
        condition.append(entered.in_(stages))
    return select(aggregate(Event.at)).where(*condition).correlate(Improvement).scalar_subquery()
