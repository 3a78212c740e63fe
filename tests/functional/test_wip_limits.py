"""Work-in-progress limits: the team's settings, the board's column headers, moves into a full
column (a reason, or a refusal under a hard limit), the days over a limit, the stand-up."""

import re
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from lean.models import Event, Improvement, OverLimitDay, Stage
from tests.conftest import make_improvement, make_team, make_user
from tests.functional import test_standups
from tests.functional.test_dashboard import TERM_ARGS
from tests.functional.test_standups import items_of, start

HTMX = {"HX-Request": "true"}
# The stand-up tests' board: one card of each agenda reason (three of them in Do).
seeded_board = test_standups.seeded_board
# The fixed test clock: 16 Nov 2026 10:00 in Helsinki.
TODAY = date(2026, 11, 16)


def set_limits(team, db, hard=False, **limits):
    for stage, limit in limits.items():
        setattr(team, f"{stage}_wip_limit", limit)
    team.wip_limits_hard = hard
    db.session.commit()


def fill(team, stage, count, author=None):
    return [make_improvement(team, author, stage=stage, title=f"{stage} {n}") for n in range(count)]


def moves_of(card, db):
    return list(
        db.session.scalars(
            select(Event).where(
                Event.subject_type == "improvement",
                Event.subject_id == card.id,
                Event.kind == "moved",
            )
        )
    )


def over_limit_days(db, team):
    return sorted(
        (row.stage, row.day)
        for row in db.session.scalars(select(OverLimitDay).where(OverLimitDay.team_id == team.id))
    )


# ---- the settings ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [("supervisor", 200), ("coordinator", 200), ("admin", 200), ("member", 403)],
)
def test_who_may_open_the_limits(world, login_as, role, status):
    assert login_as(role).get(f"/teams/{world.team.id}/board/limits").status_code == status


def test_another_organizations_team_is_not_found(world, login_as):
    client = login_as("supervisor")
    url = f"/teams/{world.foreign_team.id}/board/limits"
    assert client.get(url).status_code == 404
    assert client.post(url, data={"do": "4"}).status_code == 404


def test_a_member_cannot_set_limits(world, login_as, db):
    response = login_as("member").post(f"/teams/{world.team.id}/board/limits", data={"do": "2"})
    assert response.status_code == 403
    db.session.refresh(world.team)
    assert world.team.do_wip_limit is None


def test_two_supervisors_saving_limits_the_second_is_told_and_keeps_what_they_typed(
    world, login_as, login, db
):
    first = login_as("supervisor")
    second = login(world.users["coordinator"])
    url = f"/teams/{world.team.id}/board/limits"
    seen = re.search(r'name="seen" type="hidden" value="([^"]*)"', second.get(url).text).group(1)
    assert first.post(url, data={"do": "4"}).status_code == 303

    response = second.post(url, data={"do": "2", "check": "3", "seen": seen})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else saved other limits while you were editing." in page
    assert "Saved now: Plan –, Do 4, Check –, Act –; not a hard limit." in page
    # What the second person typed is still in the form, and the saved limits are unchanged.
    assert re.search(r'name="do"[^>]*value="2"', page) and re.search(
        r'name="check"[^>]*value="3"', page
    )
    db.session.refresh(world.team)
    assert (world.team.do_wip_limit, world.team.check_wip_limit) == (4, None)
    # Saving again, having seen the new limits, puts theirs over them.
    seen = re.search(r'name="seen" type="hidden" value="([^"]*)"', page).group(1)
    assert second.post(url, data={"do": "2", "check": "3", "seen": seen}).status_code == 303
    db.session.refresh(world.team)
    assert (world.team.do_wip_limit, world.team.check_wip_limit) == (2, 3)


def test_supervisor_sets_limits_and_the_event_is_recorded(world, login_as, db):
    client = login_as("supervisor")
    response = client.post(
        f"/teams/{world.team.id}/board/limits",
        data={"plan": "3", "do": "4", "check": "", "act": " ", "hard": "y"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/teams/{world.team.id}/board")
    db.session.refresh(world.team)
    team = world.team
    assert (team.plan_wip_limit, team.do_wip_limit, team.check_wip_limit, team.act_wip_limit) == (
        3,
        4,
        None,
        None,
    )
    assert team.wip_limits_hard is True
    event = db.session.scalar(select(Event).where(Event.kind == "wip_limits_set"))
    assert event.team_id == team.id
    assert event.data == {
        "plan_wip_limit": 3,
        "do_wip_limit": 4,
        "check_wip_limit": None,
        "act_wip_limit": None,
        "wip_limits_hard": True,
    }
    # The audit log says it in words.
    audit = login_as("admin").get("/admin/audit").get_data(as_text=True)
    assert "changed the work-in-progress limits" in audit
    assert "Hard limit" in audit
    page = client.get(f"/teams/{team.id}/board/limits").get_data(as_text=True)
    assert 'value="4"' in page and "checked" in page


@pytest.mark.parametrize("value", ["0", "100", "2.5", "neljä", "-1"])
def test_limits_are_whole_numbers_from_1_to_99(world, login_as, db, value):
    response = login_as("supervisor").post(
        f"/teams/{world.team.id}/board/limits", data={"plan": "3", "do": value}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'aria-invalid="true"' in html
    assert html.count("A whole number from 1 to 99, or empty.") == 1  # one message, not two
    assert f'value="{value}"' in html  # what was typed stays
    db.session.refresh(world.team)
    assert world.team.plan_wip_limit is None and world.team.do_wip_limit is None


def test_limits_are_emptied_again(world, login_as, db):
    set_limits(world.team, db, do=4)
    response = login_as("supervisor").post(f"/teams/{world.team.id}/board/limits", data={})
    assert response.status_code == 303
    db.session.refresh(world.team)
    assert world.team.do_wip_limit is None


def test_the_limits_page_is_linked_for_those_who_may_set_them(world, login_as):
    url = f"/teams/{world.team.id}/board/limits"
    assert url in login_as("supervisor").get(f"/teams/{world.team.id}/board").get_data(True)
    assert url not in login_as("member").get(f"/teams/{world.team.id}/board").get_data(True)
    settings = login_as("supervisor").get(f"/teams/{world.team.id}/standup/settings")
    assert url in settings.get_data(as_text=True)


# ---- the board ---------------------------------------------------------------------------


def column_header(html, stage):
    return re.search(rf'<h2 id="column-{stage}-title">(.*?)</h2>', html, re.S).group(1)


def test_column_header_shows_count_against_limit_and_marks_over_limit(world, login_as, db):
    fill(world.team, "do", 3)
    fill(world.team, "plan", 3)
    set_limits(world.team, db, do=4, plan=2)
    html = login_as("member").get(f"/teams/{world.team.id}/board").get_data(as_text=True)
    do = column_header(html, "do")
    assert "3 / 4" in do and "3 cards, work-in-progress limit 4" in do
    assert "over the limit" not in do
    plan = column_header(html, "plan")
    assert "3 / 2" in plan and "over the limit" in plan and "is-over-limit" in plan
    assert " / " not in column_header(html, "check")  # no limit: the count alone
    # A filtered board counts only some cards: no limit is set against them.
    filtered = login_as("member").get(f"/teams/{world.team.id}/board?blocked=y").get_data(True)
    assert " / " not in column_header(filtered, "plan")


# ---- moves into a full column ------------------------------------------------------------


def test_a_drop_into_a_full_column_asks_for_the_reason(world, login_as, db):
    fill(world.team, "do", 2)
    set_limits(world.team, db, do=2)
    card = world.improvement
    client = login_as("member")
    response = client.post(
        f"/improvements/{card.id}/place", data={"stage": "do", "after": ""}, headers=HTMX
    )
    assert response.status_code == 422
    assert response.headers["HX-Retarget"] == "#board"
    html = response.get_data(as_text=True)
    assert "Do is at its limit of 2 cards. Say why this card goes over the limit." in html
    assert 'name="over_limit_reason"' in html and 'aria-invalid="true"' in html
    assert f'data-hx-post="/improvements/{card.id}/place"' in html
    db.session.refresh(card)
    assert card.stage == "idea"  # it stays where it was
    assert re.search(rf'id="cards-idea"[^>]*>\s*<li[^>]*id="card-{card.id}"', html)
    assert not moves_of(card, db)

    response = client.post(
        f"/improvements/{card.id}/place",
        data={"stage": "do", "after": "", "over_limit_reason": "  Asiakas odottaa  "},
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<div id="board"' in html  # the form stood above it
    # Said once in the live region, by the message that carries the Undo.
    assert html.count("Card moved to Do, over its limit.") == 1 and ">Undo</button>" in html
    assert "over its limit" not in response.headers["HX-Trigger"]
    db.session.refresh(card)
    assert card.stage == "do"
    (event,) = moves_of(card, db)
    assert event.data == {
        "from": "idea",
        "to": "do",
        "over_limit": 2,
        "over_limit_reason": "Asiakas odottaa",
    }
    history = client.get(f"/improvements/{card.id}").get_data(as_text=True)
    assert "over the limit of 2 because: Asiakas odottaa" in history


def test_the_history_says_the_reason_in_every_language(world, login_as, db):
    fill(world.team, "do", 1)
    set_limits(world.team, db, do=1)
    card = world.improvement
    client = login_as("member")
    client.post(
        f"/improvements/{card.id}/move",
        data={"stage": "do", "from": "board", "over_limit_reason": "Kiireellinen"},
    )
    expected = {
        "en": "over the limit of 1 because: Kiireellinen",
        "fi": "yli rajan 1, koska: Kiireellinen",
        "sv": "över gränsen 1 eftersom: Kiireellinen",
    }
    for language, words in expected.items():
        world.users["member"].language = language
        db.session.commit()
        html = client.get(f"/improvements/{card.id}").get_data(as_text=True)
        assert words in html, language


def test_a_reason_too_long_is_asked_again(world, login_as, db):
    fill(world.team, "do", 1)
    set_limits(world.team, db, do=1)
    card = world.improvement
    response = login_as("member").post(
        f"/improvements/{card.id}/place",
        data={"stage": "do", "after": "", "over_limit_reason": "x" * 501},
        headers=HTMX,
    )
    assert response.status_code == 422
    assert "at most 500 characters" in response.get_data(as_text=True)
    db.session.refresh(card)
    assert card.stage == "idea"


def test_without_javascript_the_move_page_asks_for_the_reason(world, login_as, db):
    fill(world.team, "plan", 1)
    set_limits(world.team, db, plan=1)
    card = world.improvement
    client = login_as("member")
    response = client.post(f"/improvements/{card.id}/move", data={"stage": "plan", "from": "board"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Plan is at its limit of 1 card." in html
    assert f'action="/improvements/{card.id}/move"' in html
    assert 'name="stage" value="plan"' in html and 'name="from" value="board"' in html
    response = client.post(
        f"/improvements/{card.id}/move",
        data={"stage": "plan", "from": "board", "over_limit_reason": "Sovittu palaverissa"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"#card-{card.id}")
    db.session.refresh(card)
    assert card.stage == "plan"


def test_the_card_pages_move_asks_too_and_returns_to_the_card(world, login_as, db):
    fill(world.team, "plan", 1)
    set_limits(world.team, db, plan=1)
    card = world.improvement
    client = login_as("member")
    response = client.post(f"/improvements/{card.id}/move", data={"stage": "plan"})
    assert response.status_code == 422
    assert 'name="from" value=""' in response.get_data(as_text=True)
    response = client.post(
        f"/improvements/{card.id}/move",
        data={"stage": "plan", "from": "", "over_limit_reason": "Pakko"},
    )
    assert response.headers["Location"].endswith(f"/improvements/{card.id}")


def test_a_hard_limit_refuses_the_move_naming_the_limit(world, login_as, db):
    fill(world.team, "do", 4)
    set_limits(world.team, db, hard=True, do=4)
    card = world.improvement
    client = login_as("member")
    response = client.post(
        f"/improvements/{card.id}/place",
        data={"stage": "do", "after": "", "over_limit_reason": "Silti"},
        headers=HTMX,
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Do holds at most 4 cards. The card stays where it was." in html
    assert 'name="over_limit_reason"' not in html  # no reason lets it in
    assert "4 / 4" in column_header(html, "do")
    db.session.refresh(card)
    assert card.stage == "idea"
    assert not moves_of(card, db)
    # Without JavaScript: the move page again, with the refusal.
    response = client.post(f"/improvements/{card.id}/move", data={"stage": "do", "from": "board"})
    assert response.status_code == 422
    assert "Do holds at most 4 cards." in response.get_data(as_text=True)
    db.session.refresh(card)
    assert card.stage == "idea"


def test_moves_below_the_limit_and_within_a_column_ask_nothing(world, login_as, db):
    cards = fill(world.team, "do", 2)
    set_limits(world.team, db, hard=True, do=3)
    client = login_as("member")
    card = world.improvement
    response = client.post(
        f"/improvements/{card.id}/place", data={"stage": "do", "after": ""}, headers=HTMX
    )
    assert response.status_code == 200
    # Full now, but a new place within the column is no move into it.
    response = client.post(
        f"/improvements/{cards[0].id}/place",
        data={"stage": "do", "after": str(card.id)},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert "3 / 3" in response.get_data(as_text=True)


# ---- days over a limit ----------------------------------------------------------------------


def test_a_move_that_leaves_a_column_over_its_limit_records_the_day(world, login_as, db, clock):
    fill(world.team, "do", 1)
    set_limits(world.team, db, do=1, plan=5)
    client = login_as("member")
    client.post(
        f"/improvements/{world.improvement.id}/move",
        data={"stage": "do", "over_limit_reason": "Syy"},
    )
    assert over_limit_days(db, world.team) == [("do", TODAY)]
    # At 01:30 in Helsinki it is the next day there, though UTC still has the day before.
    helsinki = ZoneInfo("Europe/Helsinki")
    clock.move_to(datetime(2026, 11, 17, 1, 30, tzinfo=helsinki), tick=False)
    client = login_as("member")  # a new day's session
    other = make_improvement(world.team, world.users["member"])
    client.post(
        f"/improvements/{other.id}/move", data={"stage": "do", "over_limit_reason": "Toinen"}
    )
    assert over_limit_days(db, world.team) == [
        ("do", TODAY),
        ("do", TODAY + timedelta(days=1)),
    ]
    # The same day twice is one row.
    third = make_improvement(world.team, world.users["member"])
    client.post(
        f"/improvements/{third.id}/move", data={"stage": "do", "over_limit_reason": "Kolmas"}
    )
    assert len(over_limit_days(db, world.team)) == 2


def test_the_daily_command_records_every_column_over_its_limit(app, world, db):
    fill(world.team, "do", 3)
    fill(world.team, "check", 1)
    second = make_team(world.organization)
    fill(second, "act", 2)
    foreign = world.foreign_team
    fill(foreign, "plan", 2)
    set_limits(world.team, db, do=2, check=1)  # Do over, Check at its limit
    set_limits(second, db, act=1)
    set_limits(foreign, db, plan=2)  # at its limit, not over
    result = app.test_cli_runner().invoke(args=["purge-deleted"])
    assert result.exit_code == 0, result.output
    assert "2 columns over their work-in-progress limits today" in result.output
    assert over_limit_days(db, world.team) == [("do", TODAY)]
    assert over_limit_days(db, second) == [("act", TODAY)]
    assert over_limit_days(db, foreign) == []
    # Run again the same day: nothing twice.
    assert app.test_cli_runner().invoke(args=["purge-deleted"]).exit_code == 0
    assert over_limit_days(db, world.team) == [("do", TODAY)]


def test_an_archived_card_does_not_count(world, login_as, db):
    (card,) = fill(world.team, "do", 1)
    card.archived = True
    db.session.commit()
    set_limits(world.team, db, hard=True, do=1)
    response = login_as("member").post(
        f"/improvements/{world.improvement.id}/move", data={"stage": "do"}
    )
    assert response.status_code == 303
    assert db.session.get(Improvement, world.improvement.id).stage == Stage.DO


def test_a_supervisor_of_another_team_may_not_set_limits(world, login, db):
    stranger = make_user(world.organization, {world.other_team: "supervisor"})
    response = login(stranger).post(f"/teams/{world.team.id}/board/limits", data={"do": "2"})
    assert response.status_code == 403


# ---- the stand-up --------------------------------------------------------------------------


def test_the_agenda_lists_columns_over_their_limits_first(world, login_as, db, seeded_board):
    set_limits(world.team, db, do=2)  # three cards in Do
    standup = start(login_as("supervisor"), world.team.id)
    assert items_of(standup) == [
        ("Estetty", "blocked"),
        ("Vanha Do", "aged"),
        ("Tuore Do", "over_limit"),
        ("Myöhässä", "overdue"),
    ]
    page = login_as("supervisor").get(f"/teams/{world.team.id}/standup?card=3")
    assert "In a column over its limit" in page.get_data(as_text=True)


def test_a_column_at_its_limit_changes_no_order(world, login_as, db, seeded_board):
    set_limits(world.team, db, do=3, plan=1)
    standup = start(login_as("supervisor"), world.team.id)
    assert items_of(standup) == [
        ("Estetty", "blocked"),
        ("Myöhässä", "overdue"),
        ("Vanha Do", "aged"),
    ]


def test_the_standups_move_asks_for_the_reason_and_refuses_under_a_hard_limit(
    world, login_as, db, seeded_board
):
    client = login_as("supervisor")
    set_limits(world.team, db, check=1)
    make_improvement(world.team, world.users["member"], stage="check", title="Tarkistettava")
    standup = start(client, world.team.id)
    card = seeded_board["blocked"]
    url = f"/standups/{standup.id}/cards/{card.id}/move"
    response = client.post(url, data={"stage": "check"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Check is at its limit of 1 card. Say why this card goes over the limit." in html
    assert 'id="move-over-limit-reason"' in html
    db.session.refresh(card)
    assert card.stage == "do"
    response = client.post(url, data={"stage": "check", "over_limit_reason": "Päätettiin"})
    assert response.status_code == 303
    db.session.refresh(card)
    assert card.stage == "check"
    assert moves_of(card, db)[-1].data["over_limit_reason"] == "Päätettiin"

    set_limits(world.team, db, hard=True, check=2)
    other = seeded_board["aged"]
    response = client.post(
        f"/standups/{standup.id}/cards/{other.id}/move",
        data={"stage": "check", "over_limit_reason": "Silti"},
        follow_redirects=True,
    )
    assert "Check holds at most 2 cards. The card stays where it was." in response.get_data(True)
    db.session.refresh(other)
    assert other.stage == "do"


# ---- the dashboard -------------------------------------------------------------------------


def test_the_dashboard_counts_days_over_each_limit_in_the_period(world, login_as, db):
    second = make_team(world.organization, name="Toinen tiimi")
    days = [
        (world.team, "do", date(2026, 11, 1)),
        (world.team, "do", date(2026, 11, 2)),
        (world.team, "do", date(2026, 11, 16)),
        (world.team, "plan", date(2026, 11, 3)),
        (world.team, "do", date(2026, 7, 1)),  # before the period
        (second, "check", date(2026, 10, 5)),
        (world.foreign_team, "do", date(2026, 11, 1)),
    ]
    for team, stage, day in days:
        db.session.add(OverLimitDay(team_id=team.id, stage=stage, day=day))
    db.session.commit()
    html = login_as("coordinator").get(f"/dashboard?{TERM_ARGS}").get_data(as_text=True)
    assert "Days over a limit" in html
    rows = {
        name: re.search(
            rf">{name}</a>.*?<td class=\"over-limit-days\">(.*?)</td>", html, re.S
        ).group(1)
        for name in (world.team.name, "Toinen tiimi", world.other_team.name)
    }
    assert rows == {
        world.team.name: "Plan 1, Do 3",
        "Toinen tiimi": "Check 1",
        world.other_team.name: "–",
    }
    ordered = (
        login_as("coordinator")
        .get(f"/dashboard?{TERM_ARGS}&sort=over_limit&order=desc")
        .get_data(as_text=True)
    )
    assert ordered.index(f">{world.team.name}</a>") < ordered.index(">Toinen tiimi</a>")
