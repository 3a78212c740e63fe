"""The API's reads besides improvements and events: organizations, teams, kaizens, A3 sheets,
stand-ups, the dashboard's metrics and the network's practices. Each applies exactly the
person's policy, pages by cursor, answers CSV too, and runs a fixed number of statements."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from lean.a3 import services as a3_services
from lean.core.extensions import db
from lean.kaizen import services as kaizen_services
from lean.models import A3Action, A3Cause, A3Countermeasure, A3Why
from lean.network import services as network_services
from lean.network.snapshot import Shares
from lean.standups import services as standup_services
from tests.conftest import (
    make_improvement,
    make_kaizen,
    make_user,
    publish_world_card,
)
from tests.functional.api_support import ApiClient, token_for

LISTS = ["/organizations", "/teams", "/kaizens", "/a3-sheets", "/standups", "/practices"]


def api_of(client, user) -> ApiClient:
    return ApiClient(client, token_for(user, can_write=False))


def items(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["items"]


def ids(response) -> list[int]:
    return [item["id"] for item in items(response)]


def make_sheet(improvement, author, coach=None):
    sheet = a3_services.start_a3(author, improvement)
    sheet.background = "Tausta"
    if coach is not None:
        sheet.coach_id = coach.id
    db.session.add_all(
        [
            A3Why(sheet_id=sheet.id, position=1, text="Miksi 1"),
            A3Cause(sheet_id=sheet.id, category="methods", text="Ohje puuttuu"),
            A3Countermeasure(sheet_id=sheet.id, option="Ohje", chosen=True),
            A3Action(sheet_id=sheet.id, what="Kirjoita ohje", who_id=author.id, done=True),
            A3Action(sheet_id=sheet.id, what="Kouluta", due_on=date(2026, 12, 1)),
        ]
    )
    db.session.commit()
    return sheet


def make_standup(world, decision="Jatketaan", question="Saako?"):
    supervisor, member = world.users["supervisor"], world.users["member"]
    make_improvement(world.team, member, title="Jumissa", blocked=True, blocked_reason="Odottaa")
    standup, _ = standup_services.start_standup(supervisor, world.team)
    db.session.commit()
    card = world.improvement
    standup_services.record_decision(supervisor, standup, card, decision)
    standup_services.escalate_card(supervisor, standup, card, question)
    standup_services.finish_standup(
        supervisor,
        standup,
        standup.version,
        attendee_ids=[supervisor.id, member.id],
        guests="Vieras",
        note="Muistiinpano",
        plus="Nopea",
        delta="Ajoissa",
    )
    db.session.commit()
    return standup


# ---- organizations and teams ---------------------------------------------------------------


def test_organizations_are_the_persons_own_and_an_admin_reads_every_one(client, world):
    member, admin = world.users["member"], world.users["admin"]
    own = items(api_of(client, member).get("/organizations"))
    assert [(o["id"], o["name"], o["team_count"]) for o in own] == [
        (world.organization.id, world.organization.name, 2)
    ]
    assert own[0]["created_at"].endswith("+00:00")
    admin_ids = ids(api_of(client, admin).get("/organizations"))
    assert {world.organization.id, world.foreign_organization.id} <= set(admin_ids)


def test_one_organization_with_its_teams_and_another_is_404(client, world):
    member_api = api_of(client, world.users["member"])
    body = member_api.get(f"/organizations/{world.organization.id}").get_json()
    assert [team["name"] for team in body["teams"]] == ["Opintotoimisto", "Rakennusala"]
    response = member_api.get(f"/organizations/{world.foreign_organization.id}")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    admin_api = api_of(client, world.users["admin"])
    assert admin_api.get(f"/organizations/{world.foreign_organization.id}").status_code == 200


def test_teams_are_those_the_person_reads_with_their_role(client, world):
    world.team.standup_weekdays = "1,3,5"
    world.team.do_wip_limit = 3
    db.session.commit()
    member_api = api_of(client, world.users["member"])
    teams = {team["id"]: team for team in items(member_api.get("/teams"))}
    assert set(teams) == {world.team.id, world.other_team.id}
    own = teams[world.team.id]
    assert own["your_role"] == "member" and teams[world.other_team.id]["your_role"] is None
    assert own["standup_weekdays"] == [1, 3, 5] and own["do_wip_limit"] == 3
    assert own["url"].endswith(f"/teams/{world.team.id}/board")
    assert "calendar_token" not in own
    assert member_api.get(f"/teams/{world.team.id}").get_json()["your_role"] == "member"
    assert member_api.get(f"/teams/{world.foreign_team.id}").status_code == 404
    admin_api = api_of(client, world.users["admin"])
    foreign_only = ids(admin_api.get(f"/teams?organization={world.foreign_organization.id}"))
    assert foreign_only == [world.foreign_team.id]


# ---- kaizens -------------------------------------------------------------------------------


def test_kaizens_of_readable_teams_filtered_by_team_and_since(client, world, clock):
    member = world.users["member"]
    first = make_kaizen(world.team, member, title="Ensimmäinen")
    clock.shift(3600)
    second = make_kaizen(world.other_team, world.users["supervisor"], title="Toinen")
    make_kaizen(world.foreign_team, world.users["foreign_member"], title="Vieras")
    gone = make_kaizen(world.team, member, title="Poistettu")
    kaizen_services.delete_kaizen(member, gone)
    db.session.commit()
    api = api_of(client, member)
    assert ids(api.get("/kaizens")) == [first.id, second.id]
    assert ids(api.get(f"/kaizens?team={world.team.id}")) == [first.id]
    since = (datetime(2026, 11, 16, 8, 30, tzinfo=UTC)).isoformat()
    assert ids(api.get("/kaizens", query_string={"logged_since": since})) == [second.id]
    assert ids(api.get("/kaizens", query_string={"updated_since": since})) == [second.id]
    item = items(api.get(f"/kaizens?team={world.team.id}"))[0]
    assert item["author_name"] == member.name and item["before"] == "Ennen"
    # A time in another zone means the same moment.
    helsinki = "2026-11-16T10:30:00+02:00"
    assert ids(api.get("/kaizens", query_string={"logged_since": helsinki})) == [second.id]
    assert api.get("/kaizens?logged_since=0001-01-01T00:00:00%2B14:00").status_code == 422
    foreign_api = api_of(client, world.users["foreign_member"])
    assert [k["title"] for k in items(foreign_api.get("/kaizens"))] == ["Vieras"]


# ---- A3 sheets -----------------------------------------------------------------------------


def test_a3_sheets_with_progress_and_one_with_its_sections(client, world):
    member = world.users["member"]
    sheet = make_sheet(world.improvement, member)
    foreign_card = world.foreign_improvement
    foreign_sheet = make_sheet(foreign_card, world.users["foreign_member"])
    api = api_of(client, member)
    listed = items(api.get("/a3-sheets"))
    assert [s["id"] for s in listed] == [sheet.id]
    assert listed[0]["team_name"] == "Opintotoimisto"
    assert (listed[0]["actions_done"], listed[0]["actions_total"]) == (1, 2)
    assert listed[0]["sections_filled"] == 4 and listed[0]["sections_total"] == 8
    detail = api.get(f"/a3-sheets/{sheet.id}").get_json()
    sections = detail["sections"]
    assert sections["background"] == "Tausta"
    assert sections["root_cause"]["whys"] == ["Miksi 1"]
    assert sections["root_cause"]["causes"] == [{"category": "methods", "text": "Ohje puuttuu"}]
    assert [a["what"] for a in sections["plan"]] == ["Kouluta", "Kirjoita ohje"]
    assert sections["plan"][1]["who_name"] == member.name
    assert sections["countermeasures"][0]["chosen"] is True
    assert detail["actions_total"] == 2
    assert api.get(f"/a3-sheets/{foreign_sheet.id}").status_code == 404
    assert ids(api.get(f"/a3-sheets?team={world.other_team.id}")) == []
    assert ids(api.get("/a3-sheets?stage=idea")) == [sheet.id]


def test_a_peer_coach_sees_the_sheet_they_coach_but_not_its_team_or_unshown_names(client, world):
    member, coach = world.users["member"], world.users["foreign_member"]
    sheet = make_sheet(world.improvement, member, coach=coach)
    api = api_of(client, coach)
    listed = items(api.get("/a3-sheets"))
    assert [s["id"] for s in listed] == [sheet.id]
    assert listed[0]["team_id"] is None and listed[0]["team_name"] is None
    assert listed[0]["coach_name"] == coach.name
    detail = api.get(f"/a3-sheets/{sheet.id}").get_json()
    who = detail["sections"]["plan"][1]["who_name"]
    assert member.name not in who and world.organization.name in who
    # The card itself stays closed to the coach.
    assert api.get(f"/improvements/{world.improvement.id}").status_code == 404


# ---- stand-ups -----------------------------------------------------------------------------


def test_standup_records_with_attendees_decisions_and_escalations(client, world, clock):
    standup = make_standup(world)
    member_api = api_of(client, world.users["member"])
    record = items(member_api.get("/standups"))
    assert [r["id"] for r in record] == [standup.id]
    record = record[0]
    assert record["date"] == "2026-11-16" and record["team_name"] == "Opintotoimisto"
    assert record["started_at"].endswith("+00:00") and record["finished_at"]
    assert sorted(a["name"] for a in record["attendees"]) == sorted(
        [world.users["member"].name, world.users["supervisor"].name]
    )
    assert record["decisions"] == [
        {
            "improvement_id": world.improvement.id,
            "improvement_title": "Oma kortti",
            "reason": record["decisions"][0]["reason"],
            "decision": "Jatketaan",
        }
    ]
    assert [e["question"] for e in record["escalations"]] == ["Saako?"]
    assert record["escalations"][0]["answered_at"] is None
    assert record["plus"] == "Nopea" and record["led_by_name"] == world.users["supervisor"].name
    # The period, in local days, and the team.
    assert ids(member_api.get("/standups?start=2026-11-16&end=2026-11-16")) == [standup.id]
    assert ids(member_api.get("/standups?start=2026-11-17")) == []
    assert ids(member_api.get("/standups?end=2026-11-15")) == []
    assert ids(member_api.get(f"/standups?team={world.other_team.id}")) == []
    assert member_api.get("/standups?start=2026-11-17&end=2026-11-16").status_code == 422
    foreign_api = api_of(client, world.users["foreign_member"])
    assert ids(foreign_api.get("/standups")) == []


# ---- metrics -------------------------------------------------------------------------------


def test_metrics_are_the_dashboards_for_its_readers_only(client, world):
    member = world.users["member"]
    make_improvement(world.team, member, stage="do")
    done = make_improvement(world.team, member, stage="done", hours_saved_per_month=4)
    make_kaizen(world.team, member)
    coordinator_api = api_of(client, world.users["coordinator"])
    body = coordinator_api.get("/metrics?start=2026-11-01&end=2026-11-30").get_json()
    assert body["organization_id"] == world.organization.id
    assert (body["start"], body["end"]) == ("2026-11-01", "2026-11-30")
    figures = body["figures"]
    assert figures["in_progress"] == 1 and figures["completed"] == 1 and figures["kaizens"] == 1
    assert figures["hours_saved_per_month"] == 4.0
    rows = {row["team_name"]: row for row in body["teams"]}
    assert rows["Opintotoimisto"]["do"] == 1 and rows["Opintotoimisto"]["completed"] == 1
    assert sum(b["cards"] for b in body["cycle_distribution"]) == 1
    assert sum(t["completed"] for t in body["throughput"]) == 1
    assert done.id not in [card["improvement_id"] for card in body["ageing"]]
    # Another organization asked for by a coordinator is ignored: their own is shown.
    other = coordinator_api.get(f"/metrics?organization={world.foreign_organization.id}")
    assert other.get_json()["organization_id"] == world.organization.id
    admin_api = api_of(client, world.users["admin"])
    foreign = admin_api.get(f"/metrics?organization={world.foreign_organization.id}").get_json()
    assert foreign["organization_id"] == world.foreign_organization.id
    assert foreign["figures"]["completed"] == 0
    assert api_of(client, member).get("/metrics").status_code == 403
    assert coordinator_api.get("/metrics?start=2026-11-30&end=2026-11-01").status_code == 422
    assert coordinator_api.get("/metrics?start=2001-01-01&end=2026-11-01").status_code == 422
    only_other = coordinator_api.get(f"/metrics?team={world.other_team.id}").get_json()
    assert only_other["team_ids"] == [world.other_team.id]
    response = coordinator_api.get("/metrics", headers={"Accept": "text/csv"})
    assert response.content_type == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert {row["team_name"] for row in rows} == {"Opintotoimisto", "Rakennusala"}


# ---- practices -----------------------------------------------------------------------------


def test_practices_as_the_network_shows_them(client, world):
    practice = publish_world_card(world)
    foreign_api = api_of(client, world.users["foreign_member"])
    listed = items(foreign_api.get("/practices"))
    assert [p["id"] for p in listed] == [practice.id]
    item = listed[0]
    assert item["organization_name"] == world.organization.name
    # The publisher does not show their name to the network: their organization stands in.
    assert world.users["coordinator"].name not in item["published_by"]
    assert world.organization.name in item["published_by"]
    assert isinstance(item["content"], dict) and item["adoptions"] == 0
    own = items(api_of(client, world.users["member"]).get("/practices"))[0]
    assert own["published_by"] == world.users["coordinator"].name
    network_services.withdraw_practice(world.users["coordinator"], practice)
    db.session.commit()
    assert ids(foreign_api.get("/practices")) == []
    assert ids(foreign_api.get("/practices?withdrawn=true")) == []
    member_api = api_of(client, world.users["member"])
    assert ids(member_api.get("/practices")) == []
    assert ids(member_api.get("/practices?withdrawn=true")) == [practice.id]


# ---- every list: pages, CSV, the same statements whatever the data ---------------------------


def fill(world, count: int) -> None:
    """`count` more of everything each list shows, in the world's organization."""
    member, supervisor = world.users["member"], world.users["supervisor"]
    for number in range(count):
        card = make_improvement(world.team, member, title=f"Kortti {number}", stage="done")
        make_kaizen(world.team, member)
        make_sheet(card, member)
        standup, _ = standup_services.start_standup(supervisor, world.team)
        standup_services.record_decision(supervisor, standup, world.improvement, f"Päätös {number}")
        standup_services.escalate_card(supervisor, standup, world.improvement, "Kysymys")
        standup_services.finish_standup(
            supervisor,
            standup,
            standup.version,
            attendee_ids=[member.id, supervisor.id],
            guests="",
            note="",
            plus="",
            delta="",
        )
        db.session.commit()
        network_services.publish_practice(
            world.users["coordinator"],
            card,
            network_services.PracticeText(
                title=f"Käytäntö {number}",
                summary="Tiivistelmä",
                learnings="",
                theme=card.theme,
                focus_area=None,
                shares=Shares(),
            ),
        )
        db.session.commit()
        make_user(world.organization, {world.team: "member"})


@pytest.mark.parametrize("path", LISTS)
def test_every_list_pages_by_cursor(client, world, path):
    if path != "/organizations":
        fill(world, 2)
    api = api_of(client, world.users["admin"])
    everything = ids(api.get(path))
    assert len(everything) >= 2 and everything == sorted(everything)
    seen, url = [], f"{path}?limit=1"
    while url:
        response = api.get(url)
        body = response.get_json()
        assert len(body["items"]) == 1
        seen += [item["id"] for item in body["items"]]
        url = body["next"].split("/api/v1", 1)[1] if body["next"] else None
        if url:
            assert "cursor=" in url and response.headers["Link"].endswith('rel="next"')
    assert seen == everything


@pytest.mark.parametrize("path", LISTS)
def test_every_list_is_csv_too(client, world, path):
    fill(world, 1)
    api = api_of(client, world.users["member"])
    as_json = items(api.get(path))
    response = api.get(path, headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [int(row["id"]) for row in rows] == [item["id"] for item in as_json]
    assert list(rows[0]) == list(as_json[0])


def statements(client, query_counter, api, path) -> int:
    api.get(path)  # warm what a running app has warm anyway
    with query_counter() as counter:
        response = api.get(path)
    assert response.status_code == 200, response.get_data(as_text=True)
    return counter.value


# The token's check (the token with its person, its use and count written and committed)
# comes before each; then the list's own statements.
LIST_STATEMENTS = {
    "/organizations": 1,
    "/teams": 1,
    "/kaizens": 1,
    "/a3-sheets": 1,
    "/standups": 4,
    "/practices": 1,
    "/metrics": 8,
}


@pytest.mark.parametrize("path", [*LISTS, "/metrics"])
def test_a_page_runs_the_same_statements_whatever_the_data(client, world, query_counter, path):
    api = api_of(client, world.users["admin"])
    fill(world, 1)
    small = statements(client, query_counter, api, path)
    fill(world, 6)
    large = statements(client, query_counter, api, path)
    assert large == small
    token_check = statements(client, query_counter, api, "/teams") - LIST_STATEMENTS["/teams"]
    assert small - token_check == LIST_STATEMENTS[path]


def test_the_description_names_every_read(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    for path in [*LISTS, "/metrics", "/organizations/{organization_id}", "/teams/{team_id}"]:
        assert f"/api/v1{path}" in paths
    assert "/api/v1/a3-sheets/{sheet_id}" in paths


def test_one_sheet_runs_the_same_statements_however_long_its_lists(client, world, query_counter):
    member = world.users["member"]
    sheet = make_sheet(world.improvement, member)
    api = api_of(client, member)
    path = f"/a3-sheets/{sheet.id}"
    small = statements(client, query_counter, api, path)
    for number in range(10):
        db.session.add_all(
            [
                A3Cause(sheet_id=sheet.id, category="people", text=f"Syy {number}"),
                A3Action(sheet_id=sheet.id, what=f"Tee {number}", who_id=member.id),
            ]
        )
    db.session.commit()
    assert statements(client, query_counter, api, path) == small


def test_a_refused_period_is_told_in_the_callers_language(client, world):
    api = api_of(client, world.users["coordinator"])
    response = api.get(
        "/metrics?start=2026-11-30&end=2026-11-01", headers={"Accept-Language": "fi"}
    )
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"
    assert response.get_json()["errors"]["end"] == ["Viimeinen päivä on ennen ensimmäistä."]
