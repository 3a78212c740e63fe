"""A card's checklist: its items added, edited, ticked, unticked, removed and reordered.

Each change records its Event on the card with the item's text, so the card's history, the
"changed since the last stand-up" list and the board's freshness tag follow. An item's
`version` counts edits of its text only: ticking it or changing its place is not an edit of
what it says, so those go in statements of their own, outside the ORM's version counter, and
a text edit made meanwhile is not refused for them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.exc import StaleDataError

from lean.core.extensions import db
from lean.models import ChecklistItem, Event, Improvement, User
from lean.models.base import utcnow
from lean.shared.conflicts import EditConflict
from lean.shared.events import EventKind, record_event

# As the column holds it.
TEXT_LENGTH = 300


@dataclass(frozen=True)
class ChecklistCount:
    """How many of a card's items are done, of how many."""

    done: int
    total: int


def checklist_items(improvement: Improvement) -> list[ChecklistItem]:
    """The card's items in their order, with who ticked each."""
    return list(
        db.session.scalars(
            select(ChecklistItem)
            .where(ChecklistItem.improvement_id == improvement.id)
            .options(joinedload(ChecklistItem.done_by))
            .order_by(ChecklistItem.position, ChecklistItem.id)
        )
    )


def checklist_item(improvement: Improvement, item_id: int) -> ChecklistItem | None:
    """One item of this card; None for an item of another card or one that is gone."""
    return db.session.scalar(
        select(ChecklistItem).where(
            ChecklistItem.id == item_id, ChecklistItem.improvement_id == improvement.id
        )
    )


def was_removed(improvement: Improvement, item_id: int) -> bool:
    """Whether the card's history says this item of the card was removed: an item someone
    else removed meanwhile, unlike an id that was never the card's."""
    return (
        db.session.scalar(
            select(Event.id)
            .where(
                Event.subject_type == "improvement",
                Event.subject_id == improvement.id,
                Event.kind == EventKind.CHECKLIST_ITEM_REMOVED.value,
                Event.data["item"].as_integer() == item_id,
            )
            .limit(1)
        )
        is not None
    )


def _clean(text: str) -> str:
    return " ".join(text.split())[:TEXT_LENGTH]


def _next_position(improvement: Improvement) -> int:
    last = db.session.scalar(
        select(func.max(ChecklistItem.position)).where(
            ChecklistItem.improvement_id == improvement.id
        )
    )
    return (last or 0) + 1


def add_checklist_item(actor: User, improvement: Improvement, text: str) -> ChecklistItem:
    """A new item at the end of the card's checklist."""
    return add_checklist_items(actor, improvement, [text])[0]


def add_checklist_items(
    actor: User, improvement: Improvement, texts: list[str]
) -> list[ChecklistItem]:
    """Items at the end of the card's checklist, in the given order, one event each; blank
    texts are skipped and each text is cut to the column's length (a copied card or a
    template's lines)."""
    position = _next_position(improvement)
    items = []
    for text in texts:
        cleaned = _clean(text)
        if not cleaned:
            continue
        item = ChecklistItem(improvement=improvement, text=cleaned, position=position)
        position += 1
        db.session.add(item)
        items.append(item)
    if items:
        db.session.flush()
    for item in items:
        record_event(
            actor, EventKind.CHECKLIST_ITEM_ADDED, improvement, item=item.id, text=item.text
        )
    db.session.flush()
    return items


def edit_checklist_item(
    actor: User, item: ChecklistItem, text: str, expected_version: int | None
) -> bool:
    """Save the item's new text; False when it is unchanged. Raise EditConflict when someone
    else edited the text after the editor loaded it (`expected_version`), so that neither
    edit is lost without a word."""
    cleaned = _clean(text)
    if cleaned == item.text:
        return False
    if expected_version is not None and item.version != expected_version:
        raise EditConflict(item, ("text",))
    before = item.text
    item.text = cleaned
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        raise EditConflict(db.session.get(ChecklistItem, item.id), ("text",)) from None
    record_event(
        actor,
        EventKind.CHECKLIST_ITEM_EDITED,
        item.improvement,
        item=item.id,
        text=cleaned,
        before=before,
    )
    db.session.flush()
    return True


def tick_checklist_item(actor: User, item: ChecklistItem) -> bool:
    """Mark the item done; False when it already was (two people ticking it at once record
    one tick)."""
    return _set_done(actor, item, done=True)


def untick_checklist_item(actor: User, item: ChecklistItem) -> bool:
    """Mark the item not done; False when it already was not."""
    return _set_done(actor, item, done=False)


def _set_done(actor: User, item: ChecklistItem, *, done: bool) -> bool:
    table = ChecklistItem.__table__
    result = db.session.execute(
        update(table)
        .where(table.c.id == item.id, table.c.done.is_(not done))
        .values(
            done=done,
            done_at=utcnow() if done else None,
            done_by_id=actor.id if done else None,
        )
    )
    db.session.expire(item, ["done", "done_at", "done_by_id"])
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    kind = EventKind.CHECKLIST_ITEM_TICKED if done else EventKind.CHECKLIST_ITEM_UNTICKED
    record_event(actor, kind, item.improvement, item=item.id, text=item.text)
    db.session.flush()
    return True


def remove_checklist_item(
    actor: User, item: ChecklistItem, expected_version: int | None = None
) -> None:
    """Take the item off the checklist. With `expected_version`, refuse (EditConflict) when its
    text was edited since the remover saw it: they remove what they read, or nothing."""
    if expected_version is not None and item.version != expected_version:
        raise EditConflict(item, ("text",))
    improvement, item_id, text = item.improvement, item.id, item.text
    db.session.delete(item)
    try:
        db.session.flush()
    except StaleDataError:
        db.session.rollback()
        current = db.session.get(ChecklistItem, item_id)
        raise EditConflict(current, ("text",)) from None
    record_event(actor, EventKind.CHECKLIST_ITEM_REMOVED, improvement, item=item_id, text=text)
    db.session.flush()


def move_checklist_item(actor: User, item: ChecklistItem, offset: int) -> bool:
    """Move the item up (a negative offset) or down the list; False when it is already at that
    end. The card's items are numbered anew from 1, so places stay small and distinct."""
    improvement = item.improvement
    ids = list(
        db.session.scalars(
            select(ChecklistItem.id)
            .where(ChecklistItem.improvement_id == improvement.id)
            .order_by(ChecklistItem.position, ChecklistItem.id)
        )
    )
    index = ids.index(item.id)
    target = max(0, min(len(ids) - 1, index + offset))
    if target == index:
        return False
    ids.insert(target, ids.pop(index))
    table = ChecklistItem.__table__
    db.session.execute(
        update(table)
        .where(table.c.id == bindparam("item_id"))
        .values(position=bindparam("new_position")),
        [{"item_id": item_id, "new_position": number} for number, item_id in enumerate(ids, 1)],
    )
    for held in list(db.session.identity_map.values()):
        if isinstance(held, ChecklistItem) and held.id in ids:
            db.session.expire(held, ["position"])
    record_event(
        actor,
        EventKind.CHECKLIST_REORDERED,
        improvement,
        item=item.id,
        text=item.text,
        place=target + 1,
        of=len(ids),
    )
    db.session.flush()
    return True


def checklist_count(improvement: Improvement) -> ChecklistCount:
    """Done and total items of one card (the board reads them in its own statement)."""
    done, total = db.session.execute(
        select(
            func.count(ChecklistItem.id).filter(ChecklistItem.done.is_(True)),
            func.count(ChecklistItem.id),
        ).where(ChecklistItem.improvement_id == improvement.id)
    ).one()
    return ChecklistCount(done or 0, total or 0)
