"""Undoing a move: offered after each kind of move, recorded, and refused when late or when
the card changed after the move."""

import re
from datetime import timedelta

from sqlalchemy import select

from lean.boards import services
from lean.models import Event, Improvement, OverLimitDay, Stage
from tests.conftest import make_improvement

HTMX = {"HX-Request": "true"}


def undo_fields(html: str) -> dict[str, str]:
    """The hidden fields of the Undo form in a page or an answer."""
    form = re.search(
        r'<form method="post" action="([^"]+)" class="undo-form".*?</form>', html, re.S
    )
    assert form, html
    fields = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', form.group(0)))
    fields["action"] = form.group(1)
    return fields


def undo(client, fields, headers=None):
    data = {key: value for key, value in fields.items() if key != "action"}
    return client.post(fields["action"], data=data, headers=headers or {})


def history_kinds(card) -> list[str]:
    return list(
        services.db.session.scalars(
            select(Event.kind)
            .where(Event.subject_type == "improvement", Event.subject_id == card.id)
            .order_by(Event.id)
        )
    )


def test_a_drop_offers_the_undo_and_the_undo_puts_the_card_back(world, login_as, db):
    first = make_improvement(world.team, title="Ensimmäinen", stage="plan")
    card = make_improvement(world.team, title="Toinen", stage="plan")
    last = make_improvement(world.team, title="Kolmas", stage="plan")
    entered = card.stage_entered_at
    client = login_as("member")
    answer = client.post(
        f"/improvements/{card.id}/place", data={"stage": "do", "after": ""}, headers=HTMX
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    # The message goes into the page's live region, out of band, with its Undo.
    assert 'id="messages" data-hx-swap-oob="innerHTML"' in html
    assert "Card moved to Do." in html and ">Undo</button>" in html
    fields = undo_fields(html)
    assert fields["from"] == "board"

    answer = undo(client, fields, HTMX)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert 'id="board"' in html
    assert '<p class="message message-success undo-message">Move undone: back to Plan.</p>' in html
    db.session.expire_all()
    assert card.stage == "plan" and card.stage_entered_at == entered
    plan = db.session.scalars(
        select(Improvement.title)
        .where(Improvement.stage == "plan", Improvement.team_id == world.team.id)
        .order_by(Improvement.position, Improvement.id)
    ).all()
    assert plan == ["Ensimmäinen", "Toinen", "Kolmas"]
    assert history_kinds(card)[-2:] == ["moved", "move_undone"]
    undone = db.session.scalars(select(Event).where(Event.kind == "move_undone")).one()
    moved = db.session.scalars(
        select(Event)
        .where(
            Event.kind == "moved",
            Event.subject_type == "improvement",
            Event.subject_id == card.id,
        )
        .order_by(Event.id)
    ).all()[-1]
    assert undone.data == {"from": "do", "to": "plan", "undone": moved.id}
    assert first.id and last.id
    page = client.get(f"/improvements/{card.id}").get_data(as_text=True)
    assert "undid the move: back to Plan" in page


def test_without_javascript_the_board_shows_the_undo_form_after_the_move(world, login_as, db):
    client = login_as("member")
    card = world.improvement
    answer = client.post(f"/improvements/{card.id}/move", data={"stage": "do", "from": "board"})
    assert answer.status_code == 303
    board = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Card moved to Do." in board
    fields = undo_fields(board)
    assert "data-hx-post" in board
    answer = undo(client, fields)
    assert answer.status_code == 303 and f"#card-{card.id}" in answer.headers["Location"]
    board = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Move undone: back to Idea." in board
    db.session.expire_all()
    assert card.stage == "idea"


def test_the_card_page_move_offers_a_plain_undo(world, login_as, db):
    client = login_as("member")
    card = world.improvement
    answer = client.post(f"/improvements/{card.id}/move", data={"stage": "check"})
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    fields = undo_fields(page)
    assert fields["from"] == "card"
    answer = undo(client, fields)
    assert answer.headers["Location"].endswith(f"/improvements/{card.id}")
    db.session.expire_all()
    assert card.stage == "idea" and card.first_started_at is None


def test_a_reorder_in_the_same_column_offers_no_undo(world, login_as):
    other = make_improvement(world.team, title="Naapuri")
    answer = login_as("member").post(
        f"/improvements/{world.improvement.id}/place",
        data={"stage": "idea", "after": str(other.id)},
        headers=HTMX,
    )
    assert "undo-form" not in answer.get_data(as_text=True)


def _moved_by_member(world, client):
    answer = client.post(
        f"/improvements/{world.improvement.id}/place",
        data={"stage": "do", "after": ""},
        headers=HTMX,
    )
    return undo_fields(answer.get_data(as_text=True))


def test_undo_is_refused_after_someone_else_changed_the_card(world, login_as, login, db):
    client = login_as("member")
    fields = _moved_by_member(world, client)
    # The supervisor edits the card after the move.
    login(world.users["supervisor"]).post(
        f"/improvements/{world.improvement.id}/move", data={"stage": "check"}
    )
    answer = undo(client, fields, HTMX)
    assert answer.status_code == 409
    assert '<p class="message message-error undo-message">The card was changed after your move' in (
        answer.get_data(as_text=True)
    )
    db.session.expire_all()
    assert world.improvement.stage == "check"
    assert "move_undone" not in history_kinds(world.improvement)


def test_undo_is_refused_when_the_card_was_edited_without_a_new_event(world, login_as, db):
    client = login_as("member")
    fields = _moved_by_member(world, client)
    fields["version"] = str(int(fields["version"]) - 1)  # a form of an older card
    answer = undo(client, fields)
    assert answer.status_code == 303
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "The card was changed after your move" in page
    db.session.expire_all()
    assert world.improvement.stage == "do"


def test_undo_is_refused_when_late(world, login_as, db, clock):
    client = login_as("member")
    fields = _moved_by_member(world, client)
    clock.shift(timedelta(seconds=31))
    answer = undo(client, fields, HTMX)
    assert answer.status_code == 409
    assert "Too late to undo the move." in answer.get_data(as_text=True)
    db.session.expire_all()
    assert world.improvement.stage == "do"


def test_undo_is_refused_twice(world, login_as, db):
    client = login_as("member")
    fields = _moved_by_member(world, client)
    assert undo(client, fields, HTMX).status_code == 200
    assert undo(client, fields, HTMX).status_code == 409
    db.session.expire_all()
    assert history_kinds(world.improvement).count("move_undone") == 1


def test_only_those_who_may_move_undo_and_only_their_own_move(world, login_as, login, db):
    fields = _moved_by_member(world, login_as("member"))
    for role, status in (("foreign_member", 404), ("coordinator", 403)):
        assert undo(login_as(role), fields, HTMX).status_code == status
    # A teammate may move the card, but the undo is the mover's own.
    answer = undo(login(world.users["supervisor"]), fields, HTMX)
    assert answer.status_code == 409
    assert "This move cannot be undone." in answer.get_data(as_text=True)
    db.session.expire_all()
    assert world.improvement.stage == "do"


def test_an_unknown_or_foreign_move_cannot_be_undone(world, login_as, db):
    client = login_as("member")
    fields = _moved_by_member(world, client)
    created = db.session.scalar(
        select(Event.id).where(
            Event.kind == "created",
            Event.subject_type == "improvement",
            Event.subject_id == world.improvement.id,
        )
    )
    for event in ("", "abc", str(created), "99999999"):
        answer = undo(client, {**fields, "event": event}, HTMX)
        assert answer.status_code == 409


def test_stage_times_after_undo_agree_with_the_events(world, login_as, db):
    card = make_improvement(world.team, title="Vaiheajat", stage="plan")
    before = (card.stage, card.stage_entered_at, card.first_started_at, card.completed_at)
    client = login_as("member")
    answer = client.post(
        f"/improvements/{card.id}/place", data={"stage": "done", "after": ""}, headers=HTMX
    )
    assert undo(client, undo_fields(answer.get_data(as_text=True)), HTMX).status_code == 200
    db.session.expire_all()
    kept = (card.stage, card.stage_entered_at, card.first_started_at, card.completed_at)
    assert kept == before
    services.refresh_stage_times(Improvement.id == card.id)
    db.session.commit()
    recomputed = (card.stage, card.stage_entered_at, card.first_started_at, card.completed_at)
    assert recomputed == before
    assert Stage(card.stage) == Stage.PLAN


def test_the_standups_list_of_changes_tells_the_undo(world, login_as):
    client = login_as("member")
    undo(client, _moved_by_member(world, client), HTMX)
    page = client.get(f"/teams/{world.team.id}/since-standup").get_data(as_text=True)
    assert "undid the move: back to Idea" in page


def test_an_undo_into_a_column_now_full_counts_a_day_over_the_limit(world, login_as, db):
    world.team.plan_wip_limit = 1
    card = make_improvement(world.team, title="Takaisin", stage="plan")
    client = login_as("member")
    answer = client.post(
        f"/improvements/{card.id}/place", data={"stage": "do", "after": ""}, headers=HTMX
    )
    fields = undo_fields(answer.get_data(as_text=True))
    # Meanwhile a colleague's card fills the column the moved card left.
    make_improvement(world.team, title="Uusi", stage="plan")
    assert db.session.scalars(select(OverLimitDay)).all() == []

    answer = undo(client, fields, HTMX)
    assert answer.status_code == 200
    days = db.session.scalars(select(OverLimitDay).where(OverLimitDay.team_id == world.team.id))
    assert [(row.stage, row.day.isoformat()) for row in days] == [("plan", "2026-11-16")]


def test_the_owner_hears_that_their_card_was_moved_and_moved_back(world, login_as, login, db):
    card = make_improvement(world.team, title="Omistajan kortti", stage="plan")
    card.owner_id = world.users["member"].id
    supervisor = login_as("supervisor")
    answer = supervisor.post(
        f"/improvements/{card.id}/place", data={"stage": "do", "after": ""}, headers=HTMX
    )
    undo(supervisor, undo_fields(answer.get_data(as_text=True)), HTMX)

    inbox = login(world.users["member"]).get("/notifications").get_data(as_text=True)
    assert "moved your card back" in inbox
    assert inbox.count("Omistajan kortti") >= 2
