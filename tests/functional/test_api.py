"""The API's core: its description and page, tokens (and only tokens) authorizing it, the rate
limit, problem details in the caller's language, cursor pages and CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from lean.api import services
from lean.core.extensions import db
from tests.conftest import make_app, make_improvement
from tests.functional.api_support import ApiClient, bearer, token_for


def test_the_description_is_served_and_validates(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/improvements" in spec["paths"]
    assert "/api/v1/events" in spec["paths"]
    # The OpenAPI 3.0 meta-schema, as schemathesis itself checks a description with it.
    from schemathesis.specs.openapi.definitions import OPENAPI_30_VALIDATOR

    assert [error.message for error in OPENAPI_30_VALIDATOR.iter_errors(spec)] == []


def test_the_page_beside_it_lists_the_paths_without_scripts_from_elsewhere(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "GET /api/v1/improvements" in page
    assert 'href="/api/v1/openapi.json"' in page
    assert '<script src="http' not in page
    # The descriptions come from the code in English: a Finnish page marks them so, for a
    # screen reader to read them in English (WCAG 3.1.2).
    finnish = client.get("/api/v1/docs", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    assert "<h2>Polut</h2>" in finnish
    assert '<p lang="en"><strong>The cards you may read</strong></p>' in finnish


def test_without_a_token_the_answer_is_401_problem(client, world):
    response = client.get("/api/v1/improvements")
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 401 and problem["title"] and problem["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_bad_expired_or_revoked_token_is_401(client, world, clock):
    member = world.users["member"]
    assert client.get("/api/v1/improvements", headers=bearer("vta_nonsense")).status_code == 401
    assert (
        client.get("/api/v1/improvements", headers={"Authorization": "Basic eDp5"}).status_code
        == 401
    )
    raw = token_for(member, expires_on=date(2026, 11, 16))
    assert client.get("/api/v1/improvements", headers=bearer(raw)).status_code == 200
    revoked = token_for(member)
    token = services.authenticate(revoked, services.utcnow())
    services.revoke_token(member, token)
    db.session.commit()
    assert client.get("/api/v1/improvements", headers=bearer(revoked)).status_code == 401
    clock.shift(86400)  # past the end of the 16th in Helsinki
    response = client.get("/api/v1/improvements", headers=bearer(raw))
    assert response.status_code == 401
    assert "invalid_token" in response.headers["WWW-Authenticate"]


def test_a_login_cookie_never_authorizes_the_api(login_as):
    client = login_as("member")
    response = client.get("/api/v1/improvements")
    assert response.status_code == 401
    assert response.content_type == "application/problem+json"
    # Nor does it need the form's CSRF token: a POST without a token is refused as unauthorized.
    assert client.post("/api/v1/improvements", json={}).status_code == 401


def test_the_token_acts_as_its_person_not_the_cookies(login_as, world):
    client = login_as("foreign_member")
    api = ApiClient(client, token_for(world.users["member"]))
    response = api.get(f"/improvements/{world.improvement.id}")
    assert response.status_code == 200
    assert api.get(f"/improvements/{world.foreign_improvement.id}").status_code == 404


def test_a_read_only_token_reads_but_may_not_write(client, world):
    api = ApiClient(client, token_for(world.users["member"], can_write=False))
    assert api.get("/improvements").status_code == 200
    response = api.post(f"/improvements/{world.improvement.id}/comments", json={"body": "Hei"})
    assert response.status_code == 403
    assert response.get_json()["type"].endswith("#problem-read-only-token")


def test_too_many_requests_get_429_with_retry_after(app, client, world):
    app.config["API_RATE_LIMIT"] = 3
    api = ApiClient(client, token_for(world.users["member"]))
    for _ in range(3):
        assert api.get("/improvements").status_code == 200
    response = api.get("/improvements")
    assert response.status_code == 429
    assert response.content_type == "application/problem+json"
    assert 1 <= int(response.headers["Retry-After"]) <= 60


def test_problems_are_in_the_callers_language(client, world):
    response = client.get("/api/v1/improvements", headers={"Accept-Language": "fi"})
    assert response.status_code == 401
    assert response.headers["Content-Language"] == "fi"
    problem = response.get_json()
    assert problem["title"] == "Tunnistautuminen tarvitaan"
    api = ApiClient(client, token_for(world.users["member"]))
    response = api.get("/improvements?limit=500", headers={"Accept-Language": "fi"})
    assert response.status_code == 422
    problem = response.get_json()
    assert problem["errors"]["limit"] == ["Sivulla on 1–200 kohdetta."]
    assert problem["detail"] == "Jotkin kentät eivät kelpaa: limit."


def test_unknown_paths_and_methods_are_problems_too(client, world):
    api = ApiClient(client, token_for(world.users["member"]))
    assert api.get("/nothing-here").content_type == "application/problem+json"
    response = client.delete("/api/v1/improvements", headers=bearer(api.raw))
    assert response.status_code == 405
    assert response.content_type == "application/problem+json"
    assert "GET" in response.headers["Allow"]
    # The app's own pages keep their HTML error pages.
    assert client.get("/no-such-page").content_type.startswith("text/html")


def test_a_list_is_paged_by_cursor_with_a_next_link(client, world):
    for number in range(4):
        make_improvement(world.team, world.users["member"], title=f"Kortti {number}")
    api = ApiClient(client, token_for(world.users["member"]))
    seen = []
    url = "/improvements?limit=2"
    pages = 0
    while url:
        response = api.get(url)
        assert response.status_code == 200
        body = response.get_json()
        assert len(body["items"]) <= 2
        seen += [item["id"] for item in body["items"]]
        pages += 1
        if body["next"]:
            assert response.headers["Link"] == f'<{body["next"]}>; rel="next"'
            url = body["next"].split("/api/v1", 1)[1]
        else:
            url = None
    # The world's own card and the four new ones, once each, in order; not the foreign card.
    assert len(seen) == 5 == len(set(seen)) and seen == sorted(seen)
    assert world.foreign_improvement.id not in seen
    assert pages == 3
    assert api.get("/improvements?cursor=bm9wZQ").status_code == 422


def test_a_list_as_csv_has_the_same_rows(client, world):
    make_improvement(world.team, world.users["member"], title="=SUM(A1) ja ääkköset")
    api = ApiClient(client, token_for(world.users["member"]))
    rows_json = api.get("/improvements").get_json()["items"]
    response = api.get("/improvements", headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.content_type == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert [int(row["id"]) for row in rows] == [item["id"] for item in rows_json]
    assert list(rows[0]) == list(rows_json[0])
    assert rows[1]["title"] == "'=SUM(A1) ja ääkköset"  # never run as a formula
    assert rows[0]["created_at"] == rows_json[0]["created_at"]
    assert rows[0]["created_at"].endswith("+00:00")


def test_events_follow_a_cursor_and_only_what_the_person_may_read(client, world):
    member, foreign = world.users["member"], world.users["foreign_member"]
    api = ApiClient(client, token_for(member))
    page = api.get("/events?limit=200").get_json()
    ids = [event["id"] for event in page["items"]]
    assert ids == sorted(ids) and page["next"] is None
    assert {event["team_id"] for event in page["items"]} <= {world.team.id, world.other_team.id}
    last = ids[-1]
    # A new change appears after the last event read, and nothing before it again.
    api.post(f"/improvements/{world.improvement.id}/move", json={"stage": "plan"})
    after = api.get(f"/events?after={last}").get_json()["items"]
    assert [event["kind"] for event in after] == ["moved"]
    assert after[0]["data"] == {"from": "idea", "to": "plan"}
    foreign_api = ApiClient(client, token_for(foreign))
    foreign_ids = {e["id"] for e in foreign_api.get("/events").get_json()["items"]}
    assert not foreign_ids & set([*ids, after[0]["id"]])


def test_events_page_with_after_links(client, world):
    for number in range(3):
        make_improvement(world.team, world.users["member"], title=f"Kortti {number}")
    api = ApiClient(client, token_for(world.users["member"]))
    first = api.get("/events?limit=2")
    body = first.get_json()
    assert len(body["items"]) == 2
    assert f"after={body['items'][-1]['id']}" in body["next"]
    csv_page = api.get("/events?limit=2", headers={"Accept": "text/csv"})
    rows = list(csv.DictReader(io.StringIO(csv_page.data.decode("utf-8-sig"))))
    assert [int(row["id"]) for row in rows] == [item["id"] for item in body["items"]]
    assert json.loads(rows[0]["data"]) == body["items"][0]["data"]
    assert csv_page.headers["Link"].startswith("<http")


def test_csrf_does_not_apply_to_token_requests(database, app, world):
    protected = make_app(database, WTF_CSRF_ENABLED=True)
    raw = token_for(world.users["member"])
    client = protected.test_client()
    response = client.post(
        f"/api/v1/improvements/{world.improvement.id}/comments",
        json={"body": "Ilman lomakkeen tunnistetta"},
        headers=bearer(raw),
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    # The app's own forms still need their token.
    assert client.post("/login", data={"email": "member@example.fi"}).status_code == 400


def test_an_unexpected_error_is_a_500_problem(client, world, monkeypatch):
    from lean.api import improvements

    def broken(*_args):
        raise RuntimeError("a bug")

    monkeypatch.setattr(improvements, "_items", broken)
    api = ApiClient(client, token_for(world.users["member"]))
    response = api.get("/improvements", headers={"Accept-Language": "sv"})
    assert response.status_code == 500
    assert response.content_type == "application/problem+json"
    assert response.get_json()["title"] == "Serverfel"


def test_answers_are_private_and_set_no_cookie(client, world):
    api = ApiClient(client, token_for(world.users["member"]))
    response = api.get("/improvements")
    assert response.headers["Cache-Control"] == "private, no-store"
    assert "Authorization" in response.headers["Vary"]
    assert "Set-Cookie" not in response.headers


def test_a_coordinator_also_reads_the_organizations_changes_outside_teams(client, world):
    # Making a token is an organization's change outside any team (the audit log's).
    member_api = ApiClient(client, token_for(world.users["member"]))
    coordinator_api = ApiClient(client, token_for(world.users["coordinator"]))
    member_kinds = {e["kind"] for e in member_api.get("/events").get_json()["items"]}
    coordinator_kinds = {e["kind"] for e in coordinator_api.get("/events").get_json()["items"]}
    assert "token_created" not in member_kinds
    assert "token_created" in coordinator_kinds
    foreign_api = ApiClient(client, token_for(world.users["foreign_member"]))
    assert all(
        event["organization_id"] == world.foreign_organization.id
        for event in foreign_api.get("/events").get_json()["items"]
    )


def test_the_events_run_a_fixed_number_of_statements(client, world, query_counter):
    api = ApiClient(client, token_for(world.users["member"]))

    def count() -> int:
        with query_counter() as counter:
            assert api.get("/events?limit=200").status_code == 200
        return counter.value

    small = count()
    for number in range(20):
        make_improvement(world.team, world.users["member"], title=f"Kortti {number}")
    assert count() == small == 3
