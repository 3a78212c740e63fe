"""Changes to A3 sheets, one function per change; each records an Event on the card.

Every section carries its own version. A save names the version its form was loaded with and
the UPDATE only happens where that version still stands, so two people editing different
sections never meet, and the second editor of the same section gets SectionConflict
instead of overwriting the first one's text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, func, select, update
from sqlalchemy.exc import IntegrityError

from lean.a3.sections import BY_KEY, Section
from lean.core.extensions import db
from lean.models import (
    A3Action,
    A3Cause,
    A3Comment,
    A3Countermeasure,
    A3Sheet,
    A3Why,
    Improvement,
    User,
)
from lean.models.base import utcnow
from lean.shared.events import EventKind, jsonable, record_event

MAX_WHYS = 5


@dataclass
class SectionConflict(Exception):
    """The section was saved by someone else after the editor loaded it."""

    sheet_id: int
    section: str


class A3Refused(Exception):
    """A change the sheet's rules do not allow (a sixth why, an answer to an answer)."""


@dataclass(frozen=True)
class ItemKind:
    """A kind of list item on the sheet: its table, its section and the fields a form edits."""

    name: str
    model: type
    section: str
    fields: tuple[str, ...]


ITEM_KINDS = {
    "whys": ItemKind("whys", A3Why, "root_cause", ("text",)),
    "causes": ItemKind("causes", A3Cause, "root_cause", ("category", "text")),
    "countermeasures": ItemKind(
        "countermeasures", A3Countermeasure, "countermeasures", ("option", "pros", "cons", "chosen")
    ),
    "actions": ItemKind("actions", A3Action, "plan", ("what", "who_id", "due_on", "done")),
}


def start_a3(actor: User, improvement: Improvement) -> A3Sheet:
    """The card's A3, titled after the card; starting it twice gives the one already there."""
    existing = _sheet_of(improvement.id)
    if existing is not None:
        return existing
    sheet = A3Sheet(
        improvement=improvement,
        title=improvement.title,
        started_by=actor,
        background=improvement.problem or "",
    )
    db.session.add(sheet)
    try:
        db.session.flush()
    except IntegrityError:
        # Two people pressed "Start A3" at the same moment: the unique key let one through.
        # The sheet is all this request writes: undone whole, it opens the one there.
        db.session.rollback()
        return cast(A3Sheet, _sheet_of(improvement.id))  # the one that got through
    record_event(actor, EventKind.A3_STARTED, improvement, sheet=sheet.id)
    return sheet


def _sheet_of(improvement_id: int) -> A3Sheet | None:
    return db.session.scalar(select(A3Sheet).where(A3Sheet.improvement_id == improvement_id))


def update_section(
    actor: User, sheet: A3Sheet, section_key: str, expected_version: int, values: dict[str, Any]
) -> list[str]:
    """Save a section's fields if nobody saved the section since `expected_version`.

    Returns the names of the fields that changed (nothing is recorded when none did).
    """
    section = BY_KEY[section_key]
    changed = {
        name: [jsonable(getattr(sheet, name)), jsonable(values[name])]
        for name in section.fields
        if name in values and getattr(sheet, name) != values[name]
    }
    _bump_version(sheet, section, expected_version, {name: values[name] for name in changed})
    if changed:
        record_event(
            actor,
            EventKind.A3_EDITED,
            sheet.improvement,
            section=section.key,
            fields=sorted(changed),
        )
    return sorted(changed)


def name_peer_coach(actor: User, sheet: A3Sheet, coach: User) -> None:
    """A coordinator names a coach, who may come from another organization of the network."""
    _bump_version(sheet, BY_KEY["header"], None, {"coach_id": coach.id})
    record_event(actor, EventKind.A3_COACH_NAMED, sheet.improvement, coach=coach.name)


def add_item(actor: User, sheet: A3Sheet, kind: ItemKind, values: dict[str, Any]):
    """A new why, cause, countermeasure or action at the end of its list."""
    extra = {}
    if kind.model is A3Why:
        count, last = db.session.execute(
            select(func.count(A3Why.id), func.max(A3Why.position)).where(A3Why.sheet_id == sheet.id)
        ).one()
        if count >= MAX_WHYS:
            raise A3Refused
        extra["position"] = (last or 0) + 1
    item = kind.model(sheet_id=sheet.id, **_item_values(kind, values), **extra)
    db.session.add(item)
    _bump_version(sheet, BY_KEY[kind.section])
    db.session.flush()
    record_event(
        actor,
        EventKind.A3_ITEM_ADDED,
        sheet.improvement,
        section=kind.section,
        item=kind.name,
        id=item.id,
    )
    return item


def update_item(
    actor: User, sheet: A3Sheet, kind: ItemKind, item, expected_version: int, values: dict
) -> None:
    """Change an item's fields, refused like a section's save when the section moved on."""
    changed = sorted(
        name for name, value in _item_values(kind, values).items() if getattr(item, name) != value
    )
    _bump_version(sheet, BY_KEY[kind.section], expected_version)
    for name in changed:
        setattr(item, name, values[name])
    if changed:
        record_event(
            actor,
            EventKind.A3_ITEM_CHANGED,
            sheet.improvement,
            section=kind.section,
            item=kind.name,
            id=item.id,
            fields=changed,
        )


def toggle_item(actor: User, sheet: A3Sheet, kind: ItemKind, item) -> None:
    """Mark an action done (or not) or a countermeasure chosen (or not) with one button."""
    flag = "done" if kind.model is A3Action else "chosen"
    setattr(item, flag, not getattr(item, flag))
    _bump_version(sheet, BY_KEY[kind.section])
    record_event(
        actor,
        EventKind.A3_ITEM_CHANGED,
        sheet.improvement,
        section=kind.section,
        item=kind.name,
        id=item.id,
        fields=[flag],
    )


def remove_item(actor: User, sheet: A3Sheet, kind: ItemKind, item) -> None:
    db.session.delete(item)
    if kind.model is A3Why:
        db.session.flush()
        _renumber_whys(sheet.id)
    _bump_version(sheet, BY_KEY[kind.section])
    record_event(
        actor, EventKind.A3_ITEM_REMOVED, sheet.improvement, section=kind.section, item=kind.name
    )


def move_why(actor: User, sheet: A3Sheet, why: A3Why, step: int) -> bool:
    """Swap a why with its neighbour above (step -1) or below (+1); False at either end."""
    whys = _whys(sheet.id)
    index = next(i for i, each in enumerate(whys) if each.id == why.id)
    other = index + step
    if not 0 <= other < len(whys):
        return False
    whys[index], whys[other] = whys[other], whys[index]
    for position, each in enumerate(whys, start=1):
        each.position = position
    _bump_version(sheet, BY_KEY["root_cause"])
    record_event(
        actor, EventKind.A3_WHY_MOVED, sheet.improvement, section="root_cause", position=other + 1
    )
    return True


def _whys(sheet_id: int) -> list[A3Why]:
    return list(
        db.session.scalars(
            select(A3Why).where(A3Why.sheet_id == sheet_id).order_by(A3Why.position, A3Why.id)
        )
    )


def _renumber_whys(sheet_id: int) -> None:
    for position, why in enumerate(_whys(sheet_id), start=1):
        why.position = position


def add_comment(
    actor: User, sheet: A3Sheet, section_key: str, body: str, parent: A3Comment | None = None
) -> A3Comment:
    """A coaching question or remark on a section, or an answer to one."""
    if parent is not None and (parent.parent_id is not None or parent.sheet_id != sheet.id):
        raise A3Refused
    comment = A3Comment(
        sheet_id=sheet.id,
        section=parent.section if parent else section_key,
        author=actor,
        body=body.strip(),
        parent_id=parent.id if parent else None,
    )
    db.session.add(comment)
    db.session.flush()
    record_event(
        actor,
        EventKind.A3_ANSWERED if parent else EventKind.A3_COMMENTED,
        sheet.improvement,
        section=comment.section,
        comment=comment.id,
    )
    return comment


def resolve_comment(actor: User, sheet: A3Sheet, comment: A3Comment) -> None:
    """Mark a question settled; it and its answers stay readable."""
    if comment.resolved_at is not None:
        return
    comment.resolved_at = utcnow()
    comment.resolved_by = actor
    record_event(
        actor,
        EventKind.A3_COMMENT_RESOLVED,
        sheet.improvement,
        section=comment.section,
        comment=comment.id,
    )


def _item_values(kind: ItemKind, values: dict[str, Any]) -> dict[str, Any]:
    return {name: values[name] for name in kind.fields if name in values}


def _bump_version(
    sheet: A3Sheet,
    section: Section,
    expected_version: int | None = None,
    values: dict[str, Any] | None = None,
) -> None:
    """Raise the section's version (and write `values`) in one conditional UPDATE."""
    column = getattr(A3Sheet, section.version_column)
    statement = update(A3Sheet).where(A3Sheet.id == sheet.id)
    if expected_version is not None:
        statement = statement.where(column == expected_version)
    statement = statement.values(
        {section.version_column: column + 1, "revised_at": utcnow(), **(values or {})}
    )
    result = cast(
        CursorResult,
        db.session.execute(statement, execution_options={"synchronize_session": False}),
    )
    if result.rowcount != 1:
        db.session.rollback()  # the conflict refuses the request; its page reads the sheet anew
        raise SectionConflict(sheet.id, section.key)
    # The statement passed the session by: the sheet reads its new versions and values.
    db.session.expire(sheet)
