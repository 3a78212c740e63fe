"""A card's checklist: add, edit, tick, untick, remove and reorder items, in place and without
JavaScript, within the card's rights, with a stale edit told and the board's "2/5"."""

from sqlalchemy import select

from lean.boards import checklists
from lean.models import ChecklistItem, Event


def texts(card) -> list[str]:
    return [item.text for item in checklists.checklist_items(card)]


def test_add_checklist_items_appends_in_order_with_one_event_each(world, db):
    card, member = world.improvement, world.users["member"]
    checklists.add_checklist_items(member, card, ["Kysy palaute", "  ", "Kokoa  tulokset"])
    checklists.add_checklist_items(member, card, ["Jaa tiimille", "x" * 400])
    db.session.commit()
    assert texts(card) == ["Kysy palaute", "Kokoa tulokset", "Jaa tiimille", "x" * 300]
    events = db.session.scalars(
        select(Event).where(Event.kind == "checklist_item_added").order_by(Event.id)
    ).all()
    assert [event.data["text"] for event in events] == texts(card)
    assert {event.subject_id for event in events} == {card.id}
    assert [item.position for item in db.session.scalars(select(ChecklistItem))] == [1, 2, 3, 4]
