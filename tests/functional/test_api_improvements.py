"""Improvements through the API: the list with its filters, checklist counts and stage times,
one card, and the writes through the board's services with the same rules and events as the
pages: the person's policy, the version check, the work-in-progress limits, comments."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from lean.boards import checklists
from lean.core.extensions import db
from lean.models import CardComment, Event, Improvement, Notification, Stage, Theme
from tests.conftest import make_improvement, make_user, theme
from tests.functional.api_support import ApiClient, token_for


@pytest.fixture
def api(client, world):
    """The world's member with a read-write token."""
    return ApiClient(client, token_for(world.users["member"]))


def events_of(improvement_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(Event.kind)
            .where(Event.subject_type == "improvement", Event.subject_id == improvement_id)
            .order_by(Event.id)
        )
    )


def test_the_list_has_checklist_counts_stage_times_and_filters(api, world):
    card = world.improvement
    checklists.add_checklist_item(world.users["member"], card, "Ensimmäinen")
    item = checklists.add_checklist_item(world.users["member"], card, "Toinen")
    checklists.tick_checklist_item(world.users["member"], item)
    db.session.commit()
    other = make_improvement(world.other_team, world.users["member"], title="Toisen tiimin")
    planned = make_improvement(
        world.team, world.users["member"], title="Suunnitteilla", stage="plan"
    )

    items = {item["id"]: item for item in api.get("/improvements").get_json()["items"]}
    assert set(items) == {card.id, other.id, planned.id}
    mine = items[card.id]
    assert (mine["checklist_done"], mine["checklist_total"]) == (1, 2)
    assert mine["team_name"] == "Opintotoimisto" and mine["stage"] == "idea"
    assert mine["created_at"].endswith("+00:00") and mine["stage_entered_at"]
    assert mine["first_started_at"] is None and items[planned.id]["first_started_at"]
    assert mine["url"].endswith(f"/improvements/{card.id}")
    assert mine["version"] == card.version

    def ids(query: str) -> set[int]:
        response = api.get("/improvements" + query)
        assert response.status_code == 200, response.get_json()
        return {item["id"] for item in response.get_json()["items"]}

    assert ids(f"?team={world.team.id}") == {card.id, planned.id}
    assert ids("?stage=plan") == {planned.id}
    assert ids(f"?theme={theme().id}") == {card.id, other.id, planned.id}
    assert ids("?updated_since=2030-01-01T00:00:00%2B02:00") == set()
    assert ids("?updated_since=2020-01-01T00:00:00Z") == {card.id, other.id, planned.id}
    assert ids(f"?team={world.foreign_team.id}") == set()
    assert api.get("/improvements?stage=nowhere").status_code == 422
    # A moment no database compares (the year 1, east of UTC) is refused, not a 500.
    assert api.get("/improvements?updated_since=0001-01-01T00:00:00%2B14:00").status_code == 422


def test_one_card_follows_the_persons_policy(client, world):
    other_team_member = make_user(world.organization, {world.other_team: "member"})
    card = world.improvement
    # A member reads every board of their organization, but writes only their own team's.
    colleague = ApiClient(client, token_for(other_team_member))
    assert colleague.get(f"/improvements/{card.id}").status_code == 200
    response = colleague.patch(f"/improvements/{card.id}", json={"version": 1, "title": "X"})
    assert response.status_code == 403
    # Another organization's card does not exist for them.
    foreign = ApiClient(client, token_for(world.users["foreign_member"]))
    response = foreign.get(f"/improvements/{card.id}")
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert foreign.patch(f"/improvements/{card.id}", json={"version": 1}).status_code == 404
    assert foreign.post(f"/improvements/{card.id}/comments", json={"body": "x"}).status_code == 404
    assert card.id not in {i["id"] for i in foreign.get("/improvements").get_json()["items"]}
    assert (
        ApiClient(client, token_for(world.users["member"])).get("/improvements/99999").status_code
        == 404
    )


def test_create_makes_the_card_as_the_quick_add_does(api, world):
    response = api.post(
        "/improvements",
        json={"team_id": world.team.id, "title": "  Uusi idea  ", "theme_id": theme().id},
    )
    assert response.status_code == 201, response.get_json()
    card = response.get_json()
    assert card["title"] == "Uusi idea" and card["stage"] == "idea"
    assert card["owner_id"] == world.users["member"].id
    assert response.headers["Location"].endswith(f"/api/v1/improvements/{card['id']}")
    db.session.rollback()
    assert db.session.get(Improvement, card["id"]).title == "Uusi idea"
    assert events_of(card["id"]) == ["created"]


def test_create_is_checked_as_the_form_checks(api, world):
    retired = db.session.scalar(select(Theme).where(Theme.key != theme().key))
    retired.retired = True
    db.session.commit()
    base = {"team_id": world.team.id, "title": "Uusi", "theme_id": theme().id}
    for changes, field in (
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"theme_id": retired.id}, "theme_id"),
        ({"owner_id": world.users["foreign_member"].id}, "owner_id"),
        ({"unknown": 1}, "unknown"),
        ({"team_id": "1"}, "team_id"),
        ({"due_date": "0001-01-01"}, "due_date"),  # the forms' range: 1900–2999
    ):
        response = api.post("/improvements", json={**base, **changes})
        assert response.status_code == 422, changes
        assert field in response.get_json()["errors"], response.get_json()
    assert (
        api.post("/improvements", json={**base, "team_id": world.foreign_team.id}).status_code
        == 404
    )
    assert api.post("/improvements", data="{", content_type="application/json").status_code == 400
    assert db.session.scalar(select(Improvement).where(Improvement.title == "Uusi")) is None


def test_an_edit_saves_the_fields_sent_and_records_its_event(api, world):
    card = world.improvement
    version = card.version
    response = api.patch(
        f"/improvements/{card.id}",
        json={"version": version, "problem": "Jonot", "hours_saved_per_month": 2.25},
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["problem"] == "Jonot" and body["title"] == "Oma kortti"
    assert body["hours_saved_per_month"] == 2.2 or body["hours_saved_per_month"] == 2.3
    assert body["version"] == version + 1
    assert events_of(card.id)[-1] == "edited"
    blocked = api.patch(
        f"/improvements/{card.id}", json={"version": body["version"], "blocked": True}
    )
    assert blocked.status_code == 422
    assert "blocked_reason" in blocked.get_json()["errors"]


def test_a_stale_version_is_a_409_with_yours_and_the_current(api, world):
    card = world.improvement
    version = card.version
    assert (
        api.patch(f"/improvements/{card.id}", json={"version": version, "title": "Eka"}).status_code
        == 200
    )
    response = api.patch(f"/improvements/{card.id}", json={"version": version, "title": "Toka"})
    assert response.status_code == 409
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert problem["yours"] == {"version": version, "title": "Toka"}
    assert problem["current"]["title"] == "Eka"
    assert problem["current"]["version"] == version + 1
    assert problem["type"].endswith("#problem-edit-conflict")
    db.session.rollback()
    assert db.session.get(Improvement, card.id).title == "Eka"


def test_a_move_goes_through_the_limits(api, world):
    card = world.improvement
    world.team.plan_wip_limit = 1
    make_improvement(world.team, world.users["member"], stage="plan")
    db.session.commit()
    # A soft limit: the move needs its reason.
    response = api.post(f"/improvements/{card.id}/move", json={"stage": "plan"})
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["limit"] == 1 and problem["stage"] == "plan" and not problem["hard"]
    assert "over_limit_reason" in problem["errors"]
    response = api.post(
        f"/improvements/{card.id}/move", json={"stage": "plan", "over_limit_reason": "Kiire"}
    )
    assert response.status_code == 200
    assert response.get_json()["stage"] == "plan"
    db.session.rollback()
    moved = db.session.scalars(
        select(Event).where(Event.subject_id == card.id, Event.kind == "moved")
    ).one()
    assert moved.data["over_limit_reason"] == "Kiire"
    # A hard limit refuses it, naming the limit.
    world.team.do_wip_limit = 0
    world.team.wip_limits_hard = True
    db.session.commit()
    response = api.post(
        f"/improvements/{card.id}/move", json={"stage": "do", "over_limit_reason": "Kiire"}
    )
    assert response.status_code == 409
    problem = response.get_json()
    assert problem["hard"] and problem["limit"] == 0 and "0" in problem["detail"]
    db.session.rollback()
    assert db.session.get(Improvement, card.id).stage == Stage.PLAN


def test_a_comment_is_made_by_the_conversations_service(api, world):
    card = world.improvement
    response = api.post(f"/improvements/{card.id}/comments", json={"body": " Hyvä idea "})
    assert response.status_code == 201
    body = response.get_json()
    assert body["body"] == "Hyvä idea" and body["author_id"] == world.users["member"].id
    db.session.rollback()
    assert db.session.get(CardComment, body["id"]).body == "Hyvä idea"
    assert events_of(card.id)[-1] == "commented"
    assert api.post(f"/improvements/{card.id}/comments", json={"body": ""}).status_code == 422


def test_a_comment_mentions_people_by_their_full_name_as_on_the_card_page(api, world):
    card = world.improvement
    colleague = make_user(world.organization, {world.team: "member"}, name="Sanna Virtanen")
    stranger = make_user(world.foreign_organization, name="Olli Ulko")
    url = f"/improvements/{card.id}/comments"

    response = api.post(url, json={"body": "Katso @Sanna Virtanen ja @Olli Ulko"})
    assert response.status_code == 201
    db.session.rollback()
    told = db.session.scalars(
        select(Notification.user_id).where(Notification.reason == "mentioned")
    ).all()
    # Olli of another organization is nobody here, as on the card page.
    assert told == [colleague.id] and stranger.id not in told

    # Half a name tells nobody: a 422 with the card page's words, and no comment is made.
    half = api.post(url, json={"body": "Katso @Sanna"})
    assert half.status_code == 422
    message = half.get_json()["errors"]["body"][0]
    assert message.startswith("“@Sanna” is not a whole name, so nobody would be told.")
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(CardComment)) == 1


def test_a_body_that_is_not_json_is_refused(api, world):
    response = api.post(f"/improvements/{world.improvement.id}/comments", data={"body": "Hei"})
    assert response.status_code == 415
    assert response.content_type == "application/problem+json"
    response = api.post(f"/improvements/{world.improvement.id}/comments", json={"body": "a\x00b"})
    assert response.status_code == 422


def test_the_list_runs_a_fixed_number_of_statements(api, world, query_counter):
    def count() -> int:
        with query_counter() as counter:
            response = api.get("/improvements?limit=200")
        assert response.status_code == 200
        return counter.value

    small = count()
    for number in range(30):
        card = make_improvement(world.team, world.users["member"], title=f"Kortti {number}")
        checklists.add_checklist_item(world.users["member"], card, "Kohta")
    db.session.commit()
    assert count() == small
    # The token: found, then counted and marked used in one update; then the page's statement.
    assert small == 3
