"""The event seam: one catalogue of kinds, delivery after commit only, a reader by cursor."""

import pytest

from lean.boards import services
from lean.core.extensions import db
from lean.models import Event, Notice, Stage
from lean.shared.events import (
    EventKind,
    events_after,
    latest_event_id,
    record_admin_event,
    record_event,
    subscribe,
    subscribe_to_commits,
    unsubscribe,
    unsubscribe_from_commits,
)
from tests.conftest import make_improvement, make_team, make_user


@pytest.fixture
def delivered(app):
    """The events a test subscriber got, with the subscription undone after the test."""
    got = []

    def remember(session, event):
        # The subscriber's own session sees the committed change.
        assert session.get(Event, event.id) is not None
        got.append(event)

    subscribe(EventKind.MOVED, remember)
    subscribe(EventKind.CREATED, remember)
    yield got
    unsubscribe(EventKind.MOVED, remember)
    unsubscribe(EventKind.CREATED, remember)


def test_committed_events_reach_their_subscribers(world, delivered):
    member = world.users["member"]
    delivered.clear()
    services.move_improvement(member, world.improvement, Stage.PLAN)
    assert delivered == []  # not before the commit
    db.session.commit()
    assert [(e.kind, e.subject_id, e.team_id, e.actor_id) for e in delivered] == [
        (EventKind.MOVED, world.improvement.id, world.team.id, member.id)
    ]
    assert delivered[0].data == {"from": "idea", "to": "plan"}
    assert delivered[0].organization_id == world.organization.id


def test_a_commit_subscriber_gets_each_commits_events_once_together(world):
    batches = []

    def remember(session, events):
        assert all(session.get(Event, event.id) is not None for event in events)
        batches.append([event.kind for event in events])

    subscribe_to_commits(remember)
    try:
        member = world.users["member"]
        services.move_improvement(member, world.improvement, Stage.PLAN)
        services.move_improvement(member, world.improvement, Stage.DO)
        db.session.commit()
        db.session.commit()  # a commit with no events calls nobody
        make_improvement(world.team, title="Toinen")
        db.session.commit()
    finally:
        unsubscribe_from_commits(remember)
    assert batches == [[EventKind.MOVED, EventKind.MOVED], [EventKind.CREATED]]


def test_a_rolled_back_transaction_delivers_nothing(world, delivered):
    delivered.clear()
    record_event(world.users["member"], "moved", world.improvement, to="do")
    db.session.flush()  # the row had an id and was collected, then the change was undone
    db.session.rollback()
    assert delivered == []
    # The next commit does not carry the undone event along.
    services.move_improvement(world.users["member"], world.improvement, Stage.CHECK)
    db.session.commit()
    assert [e.data["to"] for e in delivered] == ["check"]


def test_a_failing_subscriber_does_not_undo_the_change_or_stop_others(world, delivered):
    def broken(session, event):
        raise RuntimeError("subscriber bug")

    subscribe(EventKind.MOVED, broken)
    try:
        delivered.clear()
        services.move_improvement(world.users["member"], world.improvement, Stage.DO)
        db.session.commit()
    finally:
        unsubscribe(EventKind.MOVED, broken)
    db.session.expire_all()
    assert world.improvement.stage == "do"
    assert [e.kind for e in delivered] == [EventKind.MOVED]


def test_the_catalogue_refuses_an_unknown_kind(world):
    with pytest.raises(ValueError):
        record_event(world.users["member"], "teleported", world.improvement)
    db.session.rollback()


def test_events_after_a_cursor_per_team_and_organization(world):
    cursor = latest_event_id(team_id=world.team.id)
    other = make_improvement(world.other_team)
    mine = make_improvement(world.team, world.users["member"])
    services.move_improvement(world.users["member"], mine, Stage.PLAN)
    news = events_after(cursor, team_id=world.team.id)
    assert [(e.kind, e.subject_id) for e in news] == [("created", mine.id), ("moved", mine.id)]
    assert latest_event_id(team_id=world.team.id) == news[-1].id
    in_organization = events_after(cursor, organization_id=world.organization.id)
    assert {e.subject_id for e in in_organization} >= {mine.id, other.id}
    assert world.foreign_improvement.id not in {e.subject_id for e in in_organization}
    assert events_after(news[-1].id, team_id=world.team.id) == []


def test_network_notices_are_written_by_a_subscriber_after_commit(world):
    """A peer's comment leaves a notice for the publisher; a rolled-back one leaves none."""
    from lean.network.services import PracticeText, comment_on_practice, publish_practice
    from lean.network.snapshot import Shares
    from tests.conftest import theme

    coordinator = world.users["coordinator"]
    card = make_improvement(world.team, world.users["member"], stage="done")
    text = PracticeText("Käytäntö", "Tiivistelmä", "", theme(), None, Shares())
    practice = publish_practice(coordinator, card, text)
    peer = make_user(world.foreign_organization, {make_team(world.foreign_organization): "member"})

    record_admin_event(peer, "commented", "practice", practice.id, peer.organization_id)
    db.session.flush()
    db.session.rollback()
    assert db.session.query(Notice).count() == 0
    comment_on_practice(peer, practice, "Miten aloititte?")
    db.session.commit()
    notices = db.session.query(Notice).all()
    assert [(n.organization_id, n.kind, n.actor_id) for n in notices] == [
        (world.organization.id, "comment", peer.id)
    ]
