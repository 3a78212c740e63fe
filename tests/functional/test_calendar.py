"""Calendar feeds: a person's due cards, A3 actions and stand-ups, and a team's due cards, as
iCalendar that calendar apps read, behind a secret address that can be renewed."""

from datetime import date, time, timedelta

import pytest
from flask import g
from icalendar import Calendar

from lean.a3.services import start_a3
from lean.boards.services import archive_improvement
from lean.models import A3Action, User
from tests.conftest import make_improvement, make_user


def feed(client, address, status=200):
    # The test's requests share its app context: forget who the last request logged in, as a
    # calendar app is no one.
    g.pop("_login_user", None)
    response = client.get(address)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    if status != 200:
        return None
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


def events_by_uid(calendar) -> dict:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def person_address(client, db, user: User) -> str:
    response = client.post("/calendar/address")
    assert response.status_code == 303 and response.headers["Location"].endswith(
        "/profile#calendar"
    )
    db.session.refresh(user)
    assert user.calendar_token and len(user.calendar_token) >= 43
    return f"/calendar/{user.calendar_token}.ics"


@pytest.fixture
def work(world, db):
    """The member's due card, a done and an archived one, a teammate's card, an A3 action and
    the team's stand-up rhythm (Monday and Thursday at 9:00 for 20 minutes)."""
    member = world.users["member"]
    supervisor = world.users["supervisor"]
    cards = {
        "own": world.improvement,
        "done": make_improvement(world.team, member, title="Valmis", stage="done"),
        "archived": make_improvement(world.team, member, title="Arkistoitu"),
        "teammate": make_improvement(world.team, supervisor, title="Esihenkilön kortti"),
        "undated": make_improvement(world.team, member, title="Ilman päivää"),
    }
    for key, day in (("own", 20), ("done", 21), ("archived", 22), ("teammate", 23)):
        cards[key].due_date = date(2026, 11, day)
    archive_improvement(supervisor, cards["archived"])
    world.foreign_improvement.due_date = date(2026, 11, 24)
    sheet = start_a3(member, world.improvement)
    action = A3Action(
        sheet_id=sheet.id, what="Kysy opiskelijoilta", who=member, due_on=date(2026, 12, 1)
    )
    finished = A3Action(
        sheet_id=sheet.id, what="Tehty jo", who=member, due_on=date(2026, 11, 2), done=True
    )
    db.session.add_all([action, finished])
    world.team.standup_weekdays = "1,4"
    world.team.standup_time = time(9, 0)
    world.team.standup_minutes = 20
    db.session.commit()
    return {"cards": cards, "action": action}


def test_a_persons_feed_has_their_due_cards_actions_and_standups(
    world, work, login_as, client, db, query_counter
):
    member = world.users["member"]
    member.language = "en"
    address = person_address(login_as("member"), db, member)
    with query_counter() as count:
        calendar = feed(client, address)  # no login: calendar apps cannot log in
    assert count.value == 2
    assert str(calendar["X-WR-CALNAME"]) == f"Vertaa: {member.name}"
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Europe/Helsinki"
    events = events_by_uid(calendar)
    card = work["cards"]["own"]
    assert set(events) == {
        f"improvement-{card.id}@localhost",
        f"a3-action-{work['action'].id}@localhost",
        f"standup-team-{world.team.id}@localhost",
    }

    due = events[f"improvement-{card.id}@localhost"]
    assert str(due["SUMMARY"]) == "Oma kortti"
    assert due.decoded("DTSTART") == date(2026, 11, 20)
    assert due.decoded("DTEND") == date(2026, 11, 21)
    assert str(due["URL"]) == f"http://localhost/improvements/{card.id}"
    assert f"http://localhost/improvements/{card.id}" in str(due["DESCRIPTION"])
    assert "DTSTAMP" in due

    action = events[f"a3-action-{work['action'].id}@localhost"]
    assert str(action["SUMMARY"]) == "A3 action: Kysy opiskelijoilta"
    assert action.decoded("DTSTART") == date(2026, 12, 1)
    assert str(action["URL"]) == f"http://localhost/improvements/{card.id}/a3"

    standup = events[f"standup-team-{world.team.id}@localhost"]
    assert str(standup["SUMMARY"]) == f"Stand-up: {world.team.name}"
    start = standup.decoded("DTSTART")
    assert (start.hour, start.minute, str(start.tzinfo)) == (9, 0, "Europe/Helsinki")
    assert start.isoweekday() in (1, 4)
    assert standup["DTSTART"].params["TZID"] == "Europe/Helsinki"
    assert standup.decoded("DURATION") == timedelta(minutes=20)
    rule = standup["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["MO", "TH"]


def test_a_persons_feed_speaks_their_language(world, work, login_as, client, db):
    member = world.users["member"]
    address = person_address(login_as("member"), db, member)
    member.language = "sv"
    db.session.commit()
    events = events_by_uid(feed(client, address))
    standup = events[f"standup-team-{world.team.id}@localhost"]
    assert str(standup["SUMMARY"]) == f"Tavelmöte: {world.team.name}"
    due = events[f"improvement-{work['cards']['own'].id}@localhost"]
    assert str(due["DESCRIPTION"]).startswith(
        f"Förfallodatum för ett kort på tavlan för {world.team.name}, nu i Idé."
    )


def test_the_address_is_made_once_and_renewed(world, work, login_as, client, db):
    member = world.users["member"]
    browser = login_as("member")
    address = person_address(browser, db, member)
    assert person_address(browser, db, member) == address  # asked again: the same
    page = browser.get("/profile").get_data(as_text=True)
    assert f"http://localhost{address}" in page and "Renew the address" in page
    response = browser.post("/calendar/address/renew")
    assert response.status_code == 303
    db.session.refresh(member)
    renewed = f"/calendar/{member.calendar_token}.ics"
    assert renewed != address
    feed(client, address, 404)
    feed(client, renewed)


def test_unknown_and_deactivated_feeds_answer_404(world, work, login_as, client, db):
    member = world.users["member"]
    address = person_address(login_as("member"), db, member)
    feed(client, "/calendar/not-a-secret.ics", 404)
    feed(client, "/calendar/teams/not-a-secret.ics", 404)
    member.active = False
    db.session.commit()
    feed(client, address, 404)


def test_a_person_without_a_team_gets_an_empty_feed(world, client, login, db):
    loner = make_user(world.organization, {})
    address = person_address(login(loner), db, loner)
    assert events_by_uid(feed(client, address)) == {}


def team_address(client, db, team) -> str:
    page = client.get(f"/teams/{team.id}/calendar")
    assert page.status_code == 200
    assert client.post(f"/teams/{team.id}/calendar/address").status_code == 303
    db.session.refresh(team)
    return f"/calendar/teams/{team.calendar_token}.ics"


def test_a_teams_feed_has_its_open_due_cards_only(world, work, login_as, client, db, query_counter):
    address = team_address(login_as("member"), db, world.team)
    with query_counter() as count:
        calendar = feed(client, address)
    assert count.value == 2
    assert str(calendar["X-WR-CALNAME"]) == f"Vertaa: {world.team.name}"
    cards = work["cards"]
    assert set(events_by_uid(calendar)) == {
        f"improvement-{cards['own'].id}@localhost",
        f"improvement-{cards['teammate'].id}@localhost",
    }
    assert f"improvement-{world.foreign_improvement.id}@localhost" not in events_by_uid(calendar)


def test_the_team_address_is_for_its_members_and_renewed_by_its_supervisors(
    world, work, login_as, client, db
):
    member = login_as("member")
    address = team_address(member, db, world.team)
    assert f"http://localhost{address}" in member.get(f"/teams/{world.team.id}/calendar").get_data(
        as_text=True
    )
    assert member.post(f"/teams/{world.team.id}/calendar/renew").status_code == 403
    for role, status in (("coordinator", 403), ("admin", 403), ("foreign_member", 404)):
        assert login_as(role).get(f"/teams/{world.team.id}/calendar").status_code == status
    supervisor = login_as("supervisor")
    assert supervisor.post(f"/teams/{world.team.id}/calendar/renew").status_code == 303
    feed(client, address, 404)
    db.session.refresh(world.team)
    feed(client, f"/calendar/teams/{world.team.calendar_token}.ics")


def test_an_archived_teams_feed_answers_404(world, work, login_as, client, db):
    address = team_address(login_as("member"), db, world.team)
    world.team.archived = True
    db.session.commit()
    feed(client, address, 404)
