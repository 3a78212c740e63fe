"""What a request may carry, checked once for every route: control characters, ids beyond the
database's integers, page numbers, dates at the calendar's edges, forms of countless fields."""

from __future__ import annotations

import io
import time

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from lean.models import Improvement, KaizenEntry, User
from tests.conftest import make_kaizen, theme

HTMX = {"HX-Request": "true"}
CONTROL_MESSAGE = "invisible control character"


# ---- control characters --------------------------------------------------------------------


@pytest.mark.parametrize("character", ["\x00", "\x07", "\x1b", "\x7f", "\x85"])
def test_a_control_character_in_the_login_email_is_refused_before_anything_else(
    client, world, character
):
    response = client.post(
        "/login", data={"email": f"member{character}@example.fi", "password": "whatever"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert CONTROL_MESSAGE in html and "<html" in html


def test_control_characters_are_refused_on_every_kind_of_form(world, login_as, db):
    member = login_as("member")
    card = world.improvement
    sent = {
        "quick add": member.post(
            f"/teams/{world.team.id}/improvements",
            data={"title": "Tulostin\x00lähemmäs", "theme_id": theme().id},
            headers=HTMX,
        ),
        "card edit": member.post(
            f"/improvements/{card.id}/edit",
            data={"title": "Uusi\x00otsikko", "theme_id": theme().id, "version": card.version},
        ),
        "profile": member.post("/profile", data={"name": "Maija\x00", "language": "fi"}),
        "kaizen": member.post(
            f"/teams/{world.team.id}/kaizen",
            **_multipart(
                {"title": "Kaizen\x00", "before": "a", "after": "b", "theme_id": theme().id}
            ),
        ),
        "file name": member.post(
            f"/teams/{world.team.id}/kaizen",
            **_multipart(
                {"title": "Kaizen", "before": "a", "after": "b", "theme_id": theme().id},
                [("kuva\x00.png", b"\x89PNG")],
            ),
        ),
        "form field name": member.post("/profile", data={"name\x00": "x", "language": "fi"}),
    }
    for where, response in sent.items():
        assert response.status_code == 422, where
        assert CONTROL_MESSAGE in response.get_data(as_text=True), where
    # htmx shows the message in the page's alert area and leaves the form as it was typed.
    assert sent["quick add"].headers["HX-Retarget"] == "#messages"
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Improvement)) == 2
    assert db.session.scalar(select(func.count()).select_from(KaizenEntry)) == 0
    assert "\x00" not in db.session.get(User, world.users["member"].id).name


def test_tab_and_newlines_are_still_welcome(world, login_as, db):
    make_kaizen(world.team, world.users["member"], title="Vanha")
    response = login_as("member").post(
        f"/teams/{world.team.id}/kaizen",
        **_multipart(
            {
                "title": "Sarkain\tja rivit",
                "before": "Ensin\r\ntoinen rivi",
                "after": "Jälkeen\n",
                "theme_id": theme().id,
            }
        ),
    )
    assert response.status_code == 303
    assert db.session.scalar(select(KaizenEntry.before).where(KaizenEntry.title != "Vanha"))


@pytest.mark.parametrize(
    "url",
    [
        "/teams/{team}/kaizen?q=tulostin%00",
        "/teams/{team}/kaizen?q%01=x",
        "/dashboard?period=custom%00",
        "/admin/audit?date_to=2026-01-01%1b",
        "/network?q=%00",
    ],
)
def test_a_control_character_in_an_address_is_a_400_page(world, login_as, url):
    response = login_as("coordinator").get(url.format(team=world.team.id))
    assert response.status_code == 400
    assert CONTROL_MESSAGE in response.get_data(as_text=True)


def test_a_control_character_in_json_is_refused(world, login_as):
    response = login_as("member").post(
        f"/teams/{world.team.id}/improvements", json={"title": "a\x00"}
    )
    assert response.status_code == 422


def _multipart(fields: dict, files=()) -> dict:
    data = MultiDict(fields)
    for number, (name, content) in enumerate(files):
        data.add(f"files-{number}-file", FileStorage(io.BytesIO(content), filename=name))
    boundary, body = encode_multipart(data)
    return {"data": body, "content_type": f"multipart/form-data; boundary={boundary}"}


# ---- ids and pages -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/teams/9223372036854775808/board",
        "/teams/99999999999999999999999999/kaizen",
        "/improvements/9223372036854775808",
        "/attachments/18446744073709551616",
        "/admin/users/9223372036854775808",
    ],
)
def test_ids_beyond_the_database_s_integers_are_404(world, login_as, url):
    response = login_as("admin").get(url)
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


@pytest.mark.parametrize("team_id", [2**31 - 1, 2**31, 2**63 - 1])
def test_ids_at_the_edges_of_the_integer_columns_are_a_plain_404(world, login_as, team_id):
    assert login_as("member").get(f"/teams/{team_id}/board").status_code == 404


def test_an_organization_id_too_large_on_the_dashboard_is_a_404(world, login_as):
    assert login_as("admin").get("/dashboard?organization=9223372036854775808").status_code == 404
    assert login_as("admin").get("/dashboard?organization=2147483648").status_code == 404


@pytest.mark.parametrize("page", ["999999999999999999999", "9223372036854775807", "5000"])
def test_a_page_beyond_the_last_shows_the_last_page(world, login_as, app, page):
    app.config["KAIZEN_PAGE_SIZE"] = 2
    for number in range(5):
        make_kaizen(world.team, world.users["member"], title=f"Kaizen numero {number}")
    response = login_as("member").get(f"/teams/{world.team.id}/kaizen?page={page}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Page 3 of 3" in html and "Kaizen numero 0" in html


@pytest.mark.parametrize("url", ["/network?page={page}", "/network/notices?page={page}"])
def test_network_pages_beyond_the_last_answer_the_last(world, login_as, url):
    response = login_as("coordinator").get(url.format(page="999999999999999999999"))
    assert response.status_code == 200


# ---- dates at the edges --------------------------------------------------------------------


@pytest.mark.parametrize("edge", ["9999-12-31", "0001-01-01"])
@pytest.mark.parametrize(
    "url",
    [
        "/admin/audit?date_to={edge}",
        "/admin/audit?date_from={edge}",
        "/dashboard?period=custom&date_from=2026-01-01&date_to={edge}",
        "/dashboard?period=custom&date_from={edge}&date_to=2026-01-01",
        "/dashboard/teams.csv?period=custom&date_from={edge}&date_to={edge}",
        "/dashboard/improvements.xlsx?period=custom&date_from=2026-01-01&date_to={edge}",
        "/dashboard/report?period=custom&date_from={edge}&date_to={edge}",
        "/dashboard/report.pdf?period=custom&date_from={edge}&date_to=2026-01-01",
        "/teams/{team}/kaizen?date_to={edge}",
        "/teams/{team}/kaizen?date_from={edge}",
    ],
)
def test_dates_at_the_calendar_s_edges_answer_422_with_the_message(world, login_as, url, edge):
    response = login_as("coordinator").get(url.format(edge=edge, team=world.team.id))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Give a date between" in html and "<html" in html


@pytest.mark.parametrize("edge", ["9999-12-31", "0001-01-01"])
def test_kaizen_exports_refuse_dates_at_the_edges(world, login_as, edge):
    client = login_as("coordinator")
    assert client.get(f"/teams/{world.team.id}/kaizen/export.csv?date_to={edge}").status_code == 400
    assert client.get(f"/kaizen/export.xlsx?date_from={edge}").status_code == 400


def test_a_kaizen_dated_at_the_edge_is_refused_in_the_form(world, login_as, db):
    response = login_as("member").post(
        f"/teams/{world.team.id}/kaizen",
        **_multipart(
            {
                "title": "Kaukana tulevaisuudessa",
                "before": "a",
                "after": "b",
                "theme_id": theme().id,
                "done_on": "9999-12-31",
            }
        ),
    )
    assert response.status_code == 422
    assert "Give a date between" in response.get_data(as_text=True)
    assert db.session.scalar(select(KaizenEntry)) is None


def test_ordinary_dates_still_filter(world, login_as):
    response = login_as("coordinator").get("/admin/audit?date_from=2026-01-01&date_to=2026-12-31")
    assert response.status_code == 200


# ---- forms of countless fields -------------------------------------------------------------


def test_an_urlencoded_form_of_200000_fields_is_refused_quickly(world, login_as):
    client = login_as("member")
    body = "&".join(f"f{n}=x" for n in range(200_000))
    started = time.monotonic()
    response = client.post(
        f"/teams/{world.team.id}/improvements",
        data=body,
        content_type="application/x-www-form-urlencoded",
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert elapsed < 2, elapsed  # parsing the fields took 3.5 s


def test_a_multipart_form_of_too_many_fields_is_refused(world, login_as):
    data = MultiDict([(f"f{n}", "x") for n in range(1_500)])
    boundary, body = encode_multipart(data)
    response = login_as("member").post(
        f"/teams/{world.team.id}/improvements",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    assert response.status_code == 413


def test_an_urlencoded_form_larger_than_any_field_needs_is_refused(world, login_as):
    response = login_as("member").post(
        f"/teams/{world.team.id}/improvements",
        data={"title": "x" * 600_000, "theme_id": theme().id},
    )
    assert response.status_code == 413


def test_ordinary_forms_pass_the_limits(world, login_as):
    data = {"title": "Tavallinen kortti", "theme_id": theme().id}
    data.update({f"extra{n}": "x" for n in range(500)})
    response = login_as("member").post(f"/teams/{world.team.id}/improvements", data=data)
    assert response.status_code == 303


def test_only_the_kaizen_forms_take_photo_sized_requests(world, login_as):
    """Other forms keep the smaller limit: a 4 MB body to the quick add is too large."""
    response = login_as("member").post(
        f"/teams/{world.team.id}/improvements",
        **_multipart({"title": "Iso", "theme_id": theme().id}, [("iso.pdf", b"0" * 4 * 2**20)]),
    )
    assert response.status_code == 413
