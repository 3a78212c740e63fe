"""Logging in and out, lockout, sessions, passwords and cookies."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lean.models import LoginFailure
from tests.conftest import PASSWORD, make_app, make_user


def post_login(client, email, password=PASSWORD, **extra):
    return client.post("/login", data={"email": email, "password": password, **extra})


def test_login_takes_user_to_their_board(client, world):
    response = post_login(client, "MEMBER@example.fi ")
    assert response.status_code == 303
    board = client.get(response.location, follow_redirects=True)
    assert "Opintotoimisto" in board.get_data(as_text=True)


@pytest.mark.parametrize(
    ("email", "password"),
    [("member@example.fi", "väärä-salasana-123"), ("nobody@example.fi", PASSWORD), ("", "")],
)
def test_bad_login_is_refused_with_a_message(client, world, email, password):
    response = post_login(client, email, password)
    assert response.status_code == 422
    assert client.get("/teams").status_code == 302  # still logged out


def test_inactive_user_cannot_log_in(client, world):
    world.users["member"].active = False
    from lean.extensions import db

    db.session.commit()
    assert post_login(client, "member@example.fi").status_code == 422


def test_five_failures_lock_the_account_even_for_the_right_password(client, world, database):
    for _ in range(5):
        assert post_login(client, "member@example.fi", "arvaus-numero-1").status_code == 422
    locked = post_login(client, "member@example.fi")
    assert locked.status_code == 429
    assert "Too many failed logins" in locked.get_data(as_text=True)
    # Another app process sharing the database refuses as well.
    other_process = make_app(database)
    assert post_login(other_process.test_client(), "member@example.fi").status_code == 429
    # Another account is not affected.
    assert post_login(client, "supervisor@example.fi").status_code == 303


def test_lock_ends_when_the_failures_are_older_than_the_window(client, world, db):
    for _ in range(5):
        post_login(client, "member@example.fi", "arvaus-numero-1")
    for failure in db.session.scalars(select(LoginFailure)):
        failure.at -= timedelta(minutes=16)
    db.session.commit()
    assert post_login(client, "member@example.fi").status_code == 303
    assert db.session.scalar(select(func.count(LoginFailure.id))) == 0


@pytest.mark.parametrize(
    ("target", "lands_on"),
    [
        ("/improvements/{id}", "/improvements/{id}"),
        ("https://evil.example/phish", "/"),
        ("//evil.example/phish", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_next_redirect_stays_on_our_site(client, world, target, lands_on):
    card = world.improvement.id
    response = post_login(client, "member@example.fi", next=target.format(id=card))
    assert response.location == lands_on.format(id=card)


def test_login_starts_a_fresh_session(client, world):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    post_login(client, "member@example.fi")
    with client.session_transaction() as session:
        assert "planted" not in session
        assert "_user_id" in session


def test_logout_ends_the_users_other_sessions(app, world, login):
    member = world.users["member"]
    laptop, phone = login(member), login(member)
    assert phone.get("/teams").status_code == 200
    assert laptop.post("/logout").status_code == 303
    assert phone.get("/teams").status_code == 302
    assert laptop.get("/teams").status_code == 302


def test_remember_me_cookie_is_safe_and_short(app, world):
    client = app.test_client()
    post_login(client, "member@example.fi", remember="y")
    cookie = client.get_cookie("remember_token")
    assert cookie is not None
    assert cookie.http_only
    assert cookie.same_site == "Lax"
    assert cookie.expires is not None
    from datetime import UTC, datetime

    assert cookie.expires - datetime.now(UTC) <= timedelta(days=14)


def test_remember_me_cookie_stops_working_after_logout_elsewhere(app, world, login):
    member = world.users["member"]
    remembered = login(member, remember=True)
    remembered.delete_cookie("session")  # the browser was closed; only the remember cookie is left
    assert remembered.get("/teams").status_code == 200
    login(member).post("/logout")
    remembered.delete_cookie("session")
    assert remembered.get("/teams").status_code == 302


def test_production_cookies_are_secure_and_hsts_is_sent(database):
    app = make_app(database, ENV="production", SECRET_KEY="x" * 48)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    response = app.test_client().get("/login", base_url="https://vertaa.example")
    assert "max-age" in response.headers["Strict-Transport-Security"]


@pytest.mark.parametrize("secret", [None, "dev", "short-secret"])
def test_production_refuses_to_start_with_a_default_secret(database, secret, monkeypatch):
    monkeypatch.delenv("LEAN_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="LEAN_SECRET_KEY"):
        make_app(database, ENV="production", SECRET_KEY=secret)


@pytest.mark.parametrize(
    ("new_password", "accepted", "message"),
    [
        ("lyhyt", False, "at least 10 characters"),
        ("password123", False, "too common"),
        ("qwertyuiop", False, "too common"),
        ("aaaaaaaaaaaa", False, "too common"),
        ("kolme-karhua-metsassa", True, ""),
    ],
)
def test_password_change_rules(app, world, login, new_password, accepted, message):
    client = login(world.users["member"])
    response = client.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": new_password, "confirm": new_password},
    )
    if accepted:
        assert response.status_code == 303
    else:
        assert response.status_code == 422
        assert message in response.get_data(as_text=True)


def test_password_change_needs_the_current_password(app, world, login):
    client = login(world.users["member"])
    response = client.post(
        "/account/password",
        data={
            "current_password": "ei-tama-ole",
            "new_password": "x7-uusi-salasana",
            "confirm": "x7-uusi-salasana",
        },
    )
    assert response.status_code == 422
    assert "current password is not right" in response.get_data(as_text=True)


def test_password_change_ends_other_sessions_but_keeps_this_one(app, world, login, db):
    member = world.users["member"]
    this, other = login(member), login(member)
    new = "kolme-karhua-metsassa"
    response = this.post(
        "/account/password",
        data={"current_password": PASSWORD, "new_password": new, "confirm": new},
    )
    assert response.status_code == 303
    assert this.get("/teams").status_code == 200
    assert other.get("/teams").status_code == 302
    db.session.refresh(member)
    assert member.check_password(new) and member.password_hash != new


def test_stored_password_is_a_hash(world, db):
    user = make_user(world.organization)
    user.set_password("kolme-karhua-metsassa")
    db.session.commit()
    assert "kolme" not in user.password_hash
    assert user.password_hash.startswith("scrypt:")


def test_csrf_token_is_required_for_changes(database, app, world):
    protected = make_app(database, WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    response = post_login(client, "member@example.fi")
    assert response.status_code == 400
    assert "expired" in response.get_data(as_text=True)
