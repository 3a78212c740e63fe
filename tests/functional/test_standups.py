"""Stand-ups as the team and its coordinators use them, through the test client."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from lean.boards.services import refresh_stage_times
from lean.core.extensions import db
from lean.models import Escalation, Event, Improvement, Standup, StandupAttendee, StandupItem
from tests.conftest import make_improvement, make_team, make_user, today


def backdate_stage(improvement: Improvement, days: int) -> None:
    """Pretend the card entered its stage `days` ago: its events moved back in time."""
    moment = datetime.now(UTC) - timedelta(days=days)
    db.session.execute(
        update(Event)
        .where(Event.subject_type == "improvement", Event.subject_id == improvement.id)
        .values(at=moment)
    )
    improvement.created_at = moment
    refresh_stage_times(Improvement.id == improvement.id)
    db.session.commit()


def start(client, team_id: int):
    response = client.post(f"/teams/{team_id}/standup")
    assert response.status_code == 303
    return db.session.scalar(
        select(Standup).where(Standup.team_id == team_id).order_by(Standup.id.desc()).limit(1)
    )


def items_of(standup: Standup) -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(Improvement.title, StandupItem.reason)
        .join(Improvement, Improvement.id == StandupItem.improvement_id)
        .where(StandupItem.standup_id == standup.id)
        .order_by(StandupItem.position)
    )
    return [tuple(row) for row in rows]


@pytest.fixture
def seeded_board(world):
    """The world's team with one card of each agenda reason, and quiet cards that stay off."""
    member = world.users["member"]
    team = world.team
    cards = {
        "blocked": make_improvement(
            team, member, title="Estetty", stage="do", blocked=True, blocked_reason="Odotetaan"
        ),
        "overdue": make_improvement(
            team, member, title="Myöhässä", stage="plan", due_date=today() - timedelta(days=2)
        ),
        "aged": make_improvement(team, member, title="Vanha Do", stage="do"),
        "fresh_do": make_improvement(team, member, title="Tuore Do", stage="do"),
        "quiet_idea": make_improvement(team, member, title="Vanha idea"),
    }
    backdate_stage(cards["aged"], 30)  # Do's limit is 21 days
    backdate_stage(cards["fresh_do"], 10)
    backdate_stage(cards["quiet_idea"], 30)
    backdate_stage(world.improvement, 30)
    db.session.commit()
    return cards


def test_supervisor_starts_a_standup_with_the_agenda_in_order(world, login_as, seeded_board):
    client = login_as("supervisor")
    make_improvement(world.team, world.users["member"], title="Uusi idea")

    standup = start(client, world.team.id)

    assert items_of(standup) == [
        ("Estetty", "blocked"),
        ("Myöhässä", "overdue"),
        ("Vanha Do", "aged"),
        ("Uusi idea", "new"),
    ]
    page = client.get(f"/teams/{world.team.id}/standup").get_data(as_text=True)
    assert "Card 1 of 4" in page
    assert "Estetty" in page and "Odotetaan" in page
    assert 'id="next-card"' in page and 'id="previous-card"' not in page
    second = client.get(f"/teams/{world.team.id}/standup?card=2").get_data(as_text=True)
    assert "Card 2 of 4" in second and "Overdue" in second


def test_team_limits_decide_what_is_aged(world, login_as, seeded_board):
    world.team.do_limit_days = 5
    db.session.commit()
    standup = start(login_as("supervisor"), world.team.id)
    assert ("Tuore Do", "aged") in items_of(standup)


def test_changes_since_the_last_standup_come_on_the_next_agenda(world, login_as, seeded_board):
    client = login_as("supervisor")
    first = start(client, world.team.id)
    response = client.post(f"/standups/{first.id}/finish", data={"version": "1"})
    assert response.status_code == 303
    client.post(f"/improvements/{seeded_board['fresh_do'].id}/move", data={"stage": "check"})
    # A member's move is a change, whoever made it.
    second = start(client, world.team.id)
    assert second.id != first.id
    assert ("Tuore Do", "changed") in items_of(second)
    assert "Vanha idea" not in dict(items_of(second))


def test_starting_twice_joins_the_running_standup(world, login_as):
    client = login_as("supervisor")
    first = start(client, world.team.id)
    response = login_as("coordinator").post(f"/teams/{world.team.id}/standup")
    assert response.status_code == 303
    assert db.session.scalars(select(Standup)).all() == [first]


def test_card_actions_in_the_standup_change_the_card_and_record_events(
    world, login_as, seeded_board
):
    client = login_as("supervisor")
    standup = start(client, world.team.id)
    card = seeded_board["blocked"]
    base = f"/standups/{standup.id}/cards/{card.id}"

    assert client.post(f"{base}/move", data={"stage": "check"}).status_code == 303
    assert client.post(f"{base}/unblock").status_code == 303
    assert client.post(f"{base}/block", data={"reason": "Rahoitus puuttuu"}).status_code == 303
    owner = world.users["supervisor"]
    assert client.post(f"{base}/owner", data={"owner_id": str(owner.id)}).status_code == 303
    assert client.post(f"{base}/due", data={"due_date": "2030-01-31"}).status_code == 303
    response = client.post(f"{base}/decision", data={"decision": "Sanna selvittää"})
    assert response.status_code == 303
    # Back to the card, which is the one the stand-up shows: the view that follows it.
    assert response.headers["Location"].endswith(f"/teams/{world.team.id}/standup#current-card")

    db.session.expire_all()
    card = db.session.get(Improvement, card.id)
    assert (card.stage, card.blocked, card.blocked_reason) == ("check", True, "Rahoitus puuttuu")
    assert card.owner_id == owner.id and card.due_date.isoformat() == "2030-01-31"
    kinds = db.session.scalars(
        select(Event.kind)
        .where(Event.subject_type == "improvement", Event.subject_id == card.id)
        .order_by(Event.id)
    ).all()
    # A block's reason is an edited field beside the block itself, as on the card's own form.
    assert kinds[2:] == [
        "moved",
        *("unblocked", "edited"),
        *("blocked", "edited"),
        "edited",  # owner
        "edited",  # due date
        "decided",
    ]
    item = db.session.scalar(select(StandupItem).where(StandupItem.improvement_id == card.id))
    assert item.reviewed_at is not None and item.decision == "Sanna selvittää"
    history = client.get(f"/improvements/{card.id}").get_data(as_text=True)
    assert "recorded the stand-up's decision: Sanna selvittää" in history


def test_an_invalid_card_action_comes_back_with_422_and_the_text(world, login_as, seeded_board):
    client = login_as("supervisor")
    standup = start(client, world.team.id)
    card = seeded_board["overdue"]
    response = client.post(f"/standups/{standup.id}/cards/{card.id}/block", data={"reason": " "})
    assert response.status_code == 422
    assert "Say why the card is blocked." in response.get_data(as_text=True)
    long_question = "x" * 2001
    response = client.post(
        f"/standups/{standup.id}/cards/{card.id}/escalate", data={"question": long_question}
    )
    assert response.status_code == 422
    assert long_question in response.get_data(as_text=True)


def test_members_follow_read_only_and_may_add_notes(world, login_as, seeded_board):
    standup = start(login_as("supervisor"), world.team.id)
    member = login_as("member")
    page = member.get(f"/teams/{world.team.id}/standup").get_data(as_text=True)
    assert "You follow this stand-up" in page
    assert "Mark blocked" not in page and "Finish the stand-up" not in page
    card = seeded_board["blocked"]
    response = member.post(
        f"/standups/{standup.id}/cards/{card.id}/note", data={"note": "Kysyn huomenna"}
    )
    assert response.status_code == 303
    assert (
        member.post(
            f"/standups/{standup.id}/cards/{card.id}/move", data={"stage": "act"}
        ).status_code
        == 403
    )
    record = member.get(f"/standups/{standup.id}").get_data(as_text=True)
    assert "added a note in the stand-up: Kysyn huomenna" in record
    assert member.post(f"/teams/{world.team.id}/standup").status_code == 403


def test_another_organization_sees_nothing(world, login_as, seeded_board):
    standup = start(login_as("supervisor"), world.team.id)
    foreign = login_as("foreign_member")
    card = seeded_board["blocked"]
    assert foreign.get(f"/standups/{standup.id}").status_code == 404
    assert foreign.get(f"/teams/{world.team.id}/standup").status_code == 404
    assert (
        foreign.post(f"/standups/{standup.id}/cards/{card.id}/note", data={"note": "x"}).status_code
        == 404
    )


def test_a_card_of_another_team_is_not_on_this_agenda(world, login_as, seeded_board):
    standup = start(login_as("supervisor"), world.team.id)
    other = make_improvement(world.other_team, title="Toisen tiimin")
    response = login_as("supervisor").post(
        f"/standups/{standup.id}/cards/{other.id}/move", data={"stage": "plan"}
    )
    assert response.status_code == 404


def test_finishing_saves_attendees_guests_and_plus_delta(world, login_as, seeded_board):
    client = login_as("supervisor")
    standup = start(client, world.team.id)
    member, supervisor = world.users["member"], world.users["supervisor"]
    form = client.get(f"/standups/{standup.id}/finish").get_data(as_text=True)
    assert member.name in form and supervisor.name in form
    response = client.post(
        f"/standups/{standup.id}/finish",
        data={
            "version": str(standup.version),
            "attendees": [str(member.id), str(supervisor.id)],
            "guests": "Pekka Vieras",
            "note": "Hyvä palaveri",
            "plus": "Ajallaan",
            "delta": "Enemmän ideoita",
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    standup = db.session.get(Standup, standup.id)
    assert standup.finished_at is not None
    assert (standup.guests, standup.note, standup.plus, standup.delta) == (
        "Pekka Vieras",
        "Hyvä palaveri",
        "Ajallaan",
        "Enemmän ideoita",
    )
    assert sorted(
        db.session.scalars(
            select(StandupAttendee.user_id).where(StandupAttendee.standup_id == standup.id)
        )
    ) == sorted([member.id, supervisor.id])
    record = client.get(f"/standups/{standup.id}").get_data(as_text=True)
    for text in ("Pekka Vieras", "Ajallaan", "Enemmän ideoita", member.name, "Estetty"):
        assert text in record
    history = client.get(f"/teams/{world.team.id}/standups").get_data(as_text=True)
    assert f"/standups/{standup.id}" in history
    # Finished: the next visit offers a new stand-up, and actions on the old one are refused.
    assert "Start stand-up" in client.get(f"/teams/{world.team.id}/standup").get_data(as_text=True)
    card = seeded_board["blocked"]
    assert (
        client.post(
            f"/standups/{standup.id}/cards/{card.id}/decision", data={"decision": "x"}
        ).status_code
        == 409
    )


def test_finishing_a_standup_finished_meanwhile_answers_409_and_keeps_the_text(
    world, login_as, seeded_board
):
    supervisor = login_as("supervisor")
    standup = start(supervisor, world.team.id)
    coordinator = login_as("coordinator")
    form_version = str(standup.version)
    assert (
        coordinator.post(
            f"/standups/{standup.id}/finish", data={"version": form_version}
        ).status_code
        == 303
    )
    # The supervisor's page was loaded before; a second finish is stale.
    response = supervisor.post(
        f"/standups/{standup.id}/finish",
        data={"version": form_version, "note": "Oma muistiinpanoni"},
    )
    # Already finished: sent to the record instead of overwriting it.
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/standups/{standup.id}")
    db.session.expire_all()
    assert db.session.get(Standup, standup.id).note == ""


def test_finish_with_a_stale_version_answers_409_keeping_the_text(world, login_as, seeded_board):
    client = login_as("supervisor")
    standup = start(client, world.team.id)
    response = client.post(
        f"/standups/{standup.id}/finish", data={"version": "0", "note": "Oma muistiinpanoni"}
    )
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Oma muistiinpanoni" in html and "finished by someone else" in html


def test_escalation_goes_to_the_coordinator_and_the_answer_back_to_card_and_agenda(
    world, login_as, seeded_board
):
    supervisor = login_as("supervisor")
    standup = start(supervisor, world.team.id)
    card = seeded_board["blocked"]
    response = supervisor.post(
        f"/standups/{standup.id}/cards/{card.id}/escalate",
        data={"question": "Tarvitsemme päätöksen rahoituksesta"},
    )
    assert response.status_code == 303
    supervisor.post(f"/standups/{standup.id}/finish", data={"version": "1"})

    coordinator = login_as("coordinator")
    page = coordinator.get("/escalations").get_data(as_text=True)
    assert "Tarvitsemme päätöksen rahoituksesta" in page
    assert "Waiting 0 days" in page
    escalation = db.session.scalar(select(Escalation))
    response = coordinator.post(
        f"/escalations/{escalation.id}/answer",
        data={f"e{escalation.id}-answer": "Rahoitus myönnetty"},
    )
    assert response.status_code == 303
    answered = coordinator.get("/escalations").get_data(as_text=True)
    assert "No open escalations." in answered and "Rahoitus myönnetty" in answered

    card_page = supervisor.get(f"/improvements/{card.id}").get_data(as_text=True)
    assert "Rahoitus myönnetty" in card_page and "Tarvitsemme päätöksen" in card_page
    following = start(supervisor, world.team.id)
    assert items_of(following)[0] == ("Estetty", "answered")


def test_escalations_list_oldest_first_with_visible_age(world, login_as, seeded_board):
    team = world.team
    for title, days in (("Uudempi", 1), ("Vanhin", 9)):
        db.session.add(
            Escalation(
                improvement_id=seeded_board["blocked"].id,
                team_id=team.id,
                question=title,
                asked_at=datetime.now(UTC) - timedelta(days=days),
            )
        )
    foreign = make_improvement(world.foreign_team, title="Vieras")
    db.session.add(
        Escalation(improvement_id=foreign.id, team_id=world.foreign_team.id, question="Salainen")
    )
    db.session.commit()
    page = login_as("coordinator").get("/escalations").get_data(as_text=True)
    assert page.index("Vanhin") < page.index("Uudempi")
    assert "Waiting 9 days" in page and "Waiting 1 day<" in page
    assert "Salainen" not in page
    assert login_as("supervisor").get("/escalations").status_code == 403


def test_answering_twice_answers_409_and_keeps_the_second_answer(world, login_as, seeded_board):
    escalation = Escalation(
        improvement_id=seeded_board["blocked"].id, team_id=world.team.id, question="Kysymys"
    )
    db.session.add(escalation)
    db.session.commit()
    coordinator = login_as("coordinator")
    field = f"e{escalation.id}-answer"
    assert (
        coordinator.post(
            f"/escalations/{escalation.id}/answer", data={field: "Ensimmäinen"}
        ).status_code
        == 303
    )
    other = make_user(world.organization, is_coordinator=True)
    from tests.conftest import PASSWORD

    second = login_as("member").application.test_client()
    second.post("/login", data={"email": other.email, "password": PASSWORD})
    response = second.post(f"/escalations/{escalation.id}/answer", data={field: "Toinen"})
    assert response.status_code == 409
    assert "Toinen" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Escalation, escalation.id).answer == "Ensimmäinen"
    empty = second.post(f"/escalations/{escalation.id}/answer", data={field: ""})
    assert empty.status_code in (409, 422)


def test_an_empty_answer_is_refused_with_422(world, login_as, seeded_board):
    escalation = Escalation(
        improvement_id=seeded_board["blocked"].id, team_id=world.team.id, question="Kysymys"
    )
    db.session.add(escalation)
    db.session.commit()
    response = login_as("coordinator").post(
        f"/escalations/{escalation.id}/answer", data={f"e{escalation.id}-answer": " "}
    )
    assert response.status_code == 422
    assert "Write the answer." in response.get_data(as_text=True)


def test_settings_change_length_rhythm_and_limits(world, login_as):
    client = login_as("supervisor")
    page = client.get(f"/teams/{world.team.id}/standup/settings").get_data(as_text=True)
    assert 'value="15"' in page
    response = client.post(
        f"/teams/{world.team.id}/standup/settings",
        data={
            "minutes": "10",
            "weekdays": ["1", "4"],
            "at": "09:30",
            "plan": "7",
            "do": "14",
            "check": "10",
            "act": "5",
        },
    )
    assert response.status_code == 303
    db.session.expire_all()
    team = world.team
    assert (team.standup_minutes, team.standup_weekdays, str(team.standup_time)) == (
        10,
        "1,4",
        "09:30:00",
    )
    assert (team.plan_limit_days, team.do_limit_days) == (7, 14)
    assert (team.check_limit_days, team.act_limit_days) == (10, 5)
    assert start(client, team.id).planned_minutes == 10


def test_invalid_settings_come_back_with_422_and_what_was_typed(world, login_as):
    response = login_as("coordinator").post(
        f"/teams/{world.team.id}/standup/settings",
        data={"minutes": "500", "plan": "7", "do": "abc", "check": "10", "act": "5"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'value="500"' in html and 'value="abc"' in html
    assert login_as("member").get(f"/teams/{world.team.id}/standup/settings").status_code == 403


def test_board_shows_last_standup_rhythm_and_start_button(world, login_as):
    world.team.standup_weekdays = ",".join(str(day) for day in range(1, 8))
    db.session.commit()
    supervisor = login_as("supervisor")
    board = supervisor.get(f"/teams/{world.team.id}/board").get_data(as_text=True)
    assert "No stand-up yet." in board and "Rhythm not kept" in board
    assert "Start stand-up" in board
    member_board = login_as("member").get(f"/teams/{world.team.id}/board").get_data(as_text=True)
    assert "Start stand-up" not in member_board

    start(supervisor, world.team.id)
    board = supervisor.get(f"/teams/{world.team.id}/board").get_data(as_text=True)
    assert "Resume stand-up" in board and "Rhythm kept" in board
    assert re.search(r"Last stand-up: \S", board)


def test_since_the_last_standup_lists_the_boards_changes(world, login_as, seeded_board):
    client = login_as("supervisor")
    standup = start(client, world.team.id)
    client.post(f"/standups/{standup.id}/finish", data={"version": "1"})
    member = login_as("member")
    member.post(f"/improvements/{seeded_board['overdue'].id}/move", data={"stage": "do"})
    page = member.get(f"/teams/{world.team.id}/since-standup").get_data(as_text=True)
    assert "Myöhässä" in page and "moved it from Plan to Do" in page
    assert "Estetty" not in page


def test_the_open_standup_is_resumed_where_it_was_left(world, login_as, seeded_board):
    client = login_as("supervisor")
    standup = start(client, world.team.id)
    first = seeded_board["blocked"]
    client.post(f"/standups/{standup.id}/cards/{first.id}/decision", data={"decision": "Jatketaan"})
    client.post(f"/standups/{standup.id}/show", data={"card": "2"})
    page = client.get(f"/teams/{world.team.id}/standup").get_data(as_text=True)
    # The card the leader showed last is shown; the reviewed one is marked in the agenda.
    assert "Card 2 of 3" in page and "reviewed</span>" in page
    # A stand-up that never recorded a place shows the first card not yet reviewed.
    db.session.execute(update(Standup).values(current_position=None))
    db.session.commit()
    page = client.get(f"/teams/{world.team.id}/standup").get_data(as_text=True)
    assert "Card 2 of 3" in page


def test_archived_team_and_other_team_supervisor_cannot_start(world, login):
    other_supervisor = make_user(world.organization, {world.other_team: "supervisor"})
    client = login(other_supervisor)
    assert client.post(f"/teams/{world.team.id}/standup").status_code == 403
    archived = make_team(world.organization, archived=True)
    assert client.post(f"/teams/{archived.id}/standup").status_code == 403


@pytest.mark.parametrize(
    ("role", "run", "note", "answer"),
    [
        ("member", False, True, False),
        ("supervisor", True, True, False),
        ("coordinator", True, True, True),
        ("admin", False, False, False),
        ("foreign_member", False, False, False),
    ],
)
def test_standup_permissions_by_role(world, role, run, note, answer):
    from lean.shared import policy

    user = world.users[role]
    assert policy.can_run_standup(user, world.team) is run
    assert policy.can_note_standup(user, world.team) is note
    assert policy.can_answer_escalations(user) is answer


def test_demo_has_a_rhythm_a_past_standup_and_an_open_escalation(runner, client):
    from lean.models import Team
    from lean.seeds.demo import DEMO_PASSWORD

    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    team = db.session.scalar(select(Team).where(Team.name == "Opintotoimisto"))
    assert team.standup_weekdays == "1,4"
    standup = db.session.scalar(select(Standup).where(Standup.team_id == team.id))
    assert standup.finished_at is not None
    client.post(
        "/login",
        data={"email": "kaisa.koordinaattori@vertaa.example", "password": DEMO_PASSWORD},
    )
    page = client.get("/escalations").get_data(as_text=True)
    # Demo users speak Finnish.
    assert "Odottanut 6 päivää" in page and "kehittämisrahasta" in page
    record = client.get(f"/standups/{standup.id}").get_data(as_text=True)
    assert "Jatketaan kokeilua kaksi viikkoa." in record


def test_an_answer_given_during_a_standup_comes_on_the_next_agenda(world, login_as, seeded_board):
    supervisor = login_as("supervisor")
    first = start(supervisor, world.team.id)
    card = seeded_board["aged"]
    supervisor.post(
        f"/standups/{first.id}/cards/{card.id}/escalate", data={"question": "Saammeko lisää aikaa?"}
    )
    escalation = db.session.scalar(select(Escalation))
    login_as("coordinator").post(
        f"/escalations/{escalation.id}/answer", data={f"e{escalation.id}-answer": "Saatte"}
    )
    supervisor.post(f"/standups/{first.id}/finish", data={"version": "1"})
    assert ("Vanha Do", "answered") in items_of(start(supervisor, world.team.id))


def test_a_decision_saved_over_a_newer_one_answers_409_keeping_both(world, login_as, seeded_board):
    supervisor, coordinator = login_as("supervisor"), login_as("coordinator")
    standup = start(supervisor, world.team.id)
    url = f"/standups/{standup.id}/cards/{seeded_board['blocked'].id}/decision"
    assert (
        coordinator.post(url, data={"previous": "", "decision": "Koordinaattorin"}).status_code
        == 303
    )
    response = supervisor.post(url, data={"previous": "", "decision": "Esihenkilön"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Koordinaattorin" in html and "Esihenkilön" in html
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(StandupItem.decision)
            .where(StandupItem.standup_id == standup.id)
            .order_by(StandupItem.position)
        )
        == "Koordinaattorin"
    )
    # Saving again now replaces it knowingly.
    again = supervisor.post(url, data={"previous": "Koordinaattorin", "decision": "Esihenkilön"})
    assert again.status_code == 303


def test_the_coordinator_sees_each_teams_last_standup_and_rhythm(world, login_as):
    world.team.standup_weekdays = "1,2,3,4,5,6,7"
    world.other_team.standup_weekdays = "1,2,3,4,5,6,7"
    db.session.commit()
    start(login_as("supervisor"), world.team.id)
    page = login_as("coordinator").get("/escalations").get_data(as_text=True)
    rhythms = page[page.index("Stand-up rhythm of the teams") :]
    kept_row = rhythms[rhythms.index(world.team.name) :]
    assert "Rhythm kept" in kept_row.split("</tr>")[0]
    missed_row = rhythms[rhythms.index(world.other_team.name) :]
    assert "Not kept" in missed_row.split("</tr>")[0]
    assert world.foreign_team.name not in rhythms


def test_the_owner_must_be_one_of_the_teams_people(world, login_as, seeded_board):
    client = login_as("supervisor")
    standup = start(client, world.team.id)
    card = seeded_board["blocked"]
    outsider = world.users["foreign_member"]
    response = client.post(
        f"/standups/{standup.id}/cards/{card.id}/owner", data={"owner_id": str(outsider.id)}
    )
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Improvement, card.id).owner_id == world.users["member"].id
