"""The pages of personal access tokens: a person makes a named token on their profile and sees
it once, uncached; the list shows each token's access, dates and last use, never the token;
revoking asks first and stops the token; an organization's managers list and revoke its
people's tokens, and no one else's."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select

from lean.api import services
from lean.core.extensions import db as _db
from lean.models import Event
from lean.models.connect import ApiToken
from tests.conftest import FIXED_NOW

TOKEN = re.compile(r"vta_[A-Za-z0-9_-]{43}")


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)


def make(client, **values) -> tuple[int, str]:
    page = client.get("/profile/tokens").get_data(as_text=True)
    form = {"csrf_token": csrf(page), "name": "Power BI", "access": "read"}
    form.update(values)
    response = client.post("/profile/tokens", data=form)
    return response.status_code, response.get_data(as_text=True)


def test_the_profile_leads_to_ones_tokens(login_as):
    page = login_as("member").get("/profile").get_data(as_text=True)
    assert 'href="/profile/tokens"' in page
    assert "Personal access tokens" in page


def test_a_new_token_is_shown_once_uncached_and_works(login_as, world):
    client = login_as("member")
    page = client.get("/profile/tokens").get_data(as_text=True)
    # 90 days from today by default, a year at most, today at least.
    assert 'value="2027-02-14"' in page
    assert 'min="2026-11-16"' in page and 'max="2027-11-16"' in page
    assert "You have no tokens yet." in page

    response = client.post(
        "/profile/tokens",
        data={
            "csrf_token": csrf(page),
            "name": "Power BI",
            "access": "read",
            "expires_on": "2027-02-14",
        },
    )
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    [secret] = set(TOKEN.findall(page))
    assert f'value="{secret}"' in page and "readonly" in page
    assert "it is not shown again" in page
    token = _db.session.scalar(select(ApiToken))
    assert token.name == "Power BI" and token.can_write is False
    assert services.authenticate(secret, FIXED_NOW).id == token.id
    _db.session.commit()

    # Never again: the list names it, with its first characters only.
    again = client.get("/profile/tokens")
    assert "no-store" not in again.headers.get("Cache-Control", "")
    listed = again.get_data(as_text=True)
    assert secret not in listed and TOKEN.search(listed) is None
    row = listed[listed.index(f'id="token-{token.id}"') :]
    row = row[: row.index("</tr>")]
    assert "Power BI" in row and f"{secret[:12]}…" in row
    assert "Read only" in row
    assert "Never" not in row  # it was used just now, by the check above
    assert secret not in client.get("/profile").get_data(as_text=True)


def test_the_list_shows_access_dates_and_never_used(login, world):
    member = world.users["member"]
    token, _secret = services.create_token(member, "Excel", True, date(2027, 2, 14))
    _db.session.commit()
    client = login(member)
    client.post("/language", data={"language": "fi"})
    page = client.get("/profile/tokens").get_data(as_text=True)
    row = page[page.index(f'id="token-{token.id}"') :]
    row = row[: row.index("</tr>")]
    assert "Excel" in row
    assert "Luku ja kirjoitus" in row
    assert "16.11.2026" in row  # made
    assert "14.2.2027" in row  # works until the end of that day
    assert "Ei koskaan" in row


def test_a_wrong_form_keeps_what_was_typed(login_as):
    client = login_as("member")
    status, page = make(client, name="", expires_on="2028-01-01", access="write")
    assert status == 422
    assert "This field is required." in page
    assert "a token works for a year at most" in page
    assert 'value="write" checked' in page or re.search(r'checked[^>]*value="write"', page)
    assert 'value="2028-01-01"' in page
    status, page = make(client, name="Vanha", expires_on="2026-11-15")
    assert status == 422 and 'value="Vanha"' in page
    assert _db.session.scalar(select(ApiToken)) is None
    status, _page = make(client, name="x" * 101, expires_on="2027-01-01")
    assert status == 422


def test_a_token_for_today_works_until_midnight_in_helsinki(login_as):
    client = login_as("member")
    status, _page = make(client, expires_on="2026-11-16", access="write")
    assert status == 200
    token = _db.session.scalar(select(ApiToken))
    assert token.can_write is True
    assert token.expires_at == datetime(2026, 11, 16, 22, 0, tzinfo=UTC)


def test_revoking_ones_token_stops_it(login_as, world):
    member = world.users["member"]
    token, secret = services.create_token(member, "Excel", False, date(2027, 1, 1))
    _db.session.commit()
    client = login_as("member")
    page = client.get("/profile/tokens").get_data(as_text=True)
    assert "Revoke the token “Excel”?" in page
    response = client.post(f"/tokens/{token.id}/revoke", data={"csrf_token": csrf(page)})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/profile/tokens")
    page = client.get("/profile/tokens").get_data(as_text=True)
    assert "The token “Excel” is revoked" in page
    assert "Revoke the token “Excel”?" not in page  # nothing left to revoke
    assert "Revoked" in page
    assert services.authenticate(secret, FIXED_NOW) is None
    kinds = _db.session.scalars(select(Event.kind).order_by(Event.id)).all()
    assert kinds[-2:] == ["token_created", "token_revoked"]


def test_an_organizations_managers_list_and_revoke_its_peoples_tokens(login_as, world, clock):
    member = world.users["member"]
    theirs, _ = services.create_token(member, "Power BI", False, date(2027, 1, 1))
    foreign, _ = services.create_token(
        world.users["foreign_member"], "Vieras", False, date(2027, 1, 1)
    )
    expired, _ = services.create_token(member, "Vanha", False, date(2026, 11, 1))
    theirs.last_used_at = FIXED_NOW - timedelta(days=1)
    _db.session.commit()

    client = login_as("coordinator")
    organization_page = client.get(f"/admin/organizations/{world.organization.id}")
    assert f"/admin/organizations/{world.organization.id}/tokens" in organization_page.get_data(
        as_text=True
    )
    page = client.get(f"/admin/organizations/{world.organization.id}/tokens").get_data(as_text=True)
    assert member.name in page and "Power BI" in page and "Vanha" in page
    assert "Vieras" not in page
    assert "Expired" in page
    assert page.count("Revoke the token “") == 1  # the expired one needs no revoking
    response = client.post(
        f"/tokens/{theirs.id}/revoke", data={"csrf_token": csrf(page), "back": "organization"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(
        f"/admin/organizations/{world.organization.id}/tokens"
    )
    _db.session.expire_all()
    assert _db.session.get(ApiToken, theirs.id).revoked_at is not None
    # Another organization's token is not even found; a colleague's is not theirs to revoke.
    assert (
        client.post(f"/tokens/{foreign.id}/revoke", data={"csrf_token": csrf(page)}).status_code
        == 404
    )
    colleague = login_as("supervisor")
    assert (
        colleague.post(f"/tokens/{expired.id}/revoke", data={"csrf_token": csrf(page)}).status_code
        == 403
    )


def test_the_audit_log_tells_of_made_and_revoked_tokens(login_as, world):
    member = world.users["member"]
    token, _secret = services.create_token(member, "Excel", True, date(2027, 2, 14))
    services.revoke_token(world.users["coordinator"], token)
    _db.session.commit()
    page = login_as("coordinator").get("/admin/audit").get_data(as_text=True)
    assert "made a personal access token" in page
    assert "revoked a personal access token" in page
    assert "14/02/2027" in page or "14 Feb 2027" in page or "14.2.2027" in page
