"""Logging in and out, lockout, sessions, passwords and cookies."""

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lean.models import LoginFailure
from tests.conftest import PASSWORD, make_app, make_user


def post_login(client, email, password=PASSWORD, *, address=None, **extra):
    """The login form posted, from `address` when given; `extra` are further form fields."""
    environ = {"REMOTE_ADDR": address} if address else {}
    return client.post(
        "/login", data={"email": email, "password": password, **extra}, environ_base=environ
    )


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
    from lean.core.extensions import db

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


def test_many_failures_from_one_address_stop_logins_from_it_to_any_account(app, client, world):
    """Password spraying: a few guesses at each of many accounts, all from one address."""
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 6
    sprayer = "198.51.100.7"
    for number in range(6):
        response = post_login(client, f"guess{number}@example.fi", "arvaus-1", address=sprayer)
        assert response.status_code == 422
    refused = post_login(client, "supervisor@example.fi", address=sprayer)
    assert refused.status_code == 429
    assert "Too many failed logins from your network" in refused.get_data(as_text=True)
    # The accounts themselves are not locked: the supervisor logs in from elsewhere.
    elsewhere = post_login(client, "supervisor@example.fi", address="203.0.113.20")
    assert elsewhere.status_code == 303


def test_ipv6_failures_are_counted_per_64_so_rotating_addresses_does_not_help(app, client, world):
    """One subscriber gets a whole /64: a fresh address for every guess must not reset the count."""
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    for number in range(3):
        rotating = f"2001:db8:1:2::{number + 1:x}"
        guessed = post_login(client, f"guess{number}@example.fi", "arvaus-1", address=rotating)
        assert guessed.status_code == 422
    same_network = post_login(
        client, "supervisor@example.fi", address="2001:db8:1:2:ffff:ffff:ffff:fffe"
    )
    assert same_network.status_code == 429
    assert "Too many failed logins from your network" in same_network.get_data(as_text=True)
    # The neighbouring /64 is someone else.
    neighbour = post_login(client, "supervisor@example.fi", address="2001:db8:1:3::1")
    assert neighbour.status_code == 303


def test_an_ipv4_mapped_address_counts_as_its_ipv4_address(app, client, world):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 2
    for address in ("198.51.100.7", "::ffff:198.51.100.7"):
        post_login(client, "nobody@example.fi", "arvaus-1", address=address)
    refused = post_login(client, "supervisor@example.fi", address="198.51.100.7")
    assert refused.status_code == 429


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(database, world):
    app = make_app(database, PROXY_COUNT=1, LOGIN_MAX_FAILURES_PER_ADDRESS=2)
    client = app.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for _ in range(2):
        client.post(
            "/login",
            data={"email": "nobody@example.fi", "password": "arvaus-1"},
            headers={"X-Forwarded-For": "198.51.100.9"},
            environ_base=proxy,
        )
    with app.app_context():
        from lean.core.extensions import db

        addresses = db.session.scalars(select(LoginFailure.address)).all()
    assert addresses == ["198.51.100.9", "198.51.100.9"]
    # Another client behind the same proxy is not refused.
    other = client.post(
        "/login",
        data={"email": "member@example.fi", "password": PASSWORD},
        headers={"X-Forwarded-For": "198.51.100.10"},
        environ_base=proxy,
    )
    assert other.status_code == 303


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
    app = make_app(
        database, ENV="production", SECRET_KEY="x" * 48, BASE_URL="https://vertaa.example"
    )
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


def test_a_login_checks_one_password_hash_whether_or_not_the_account_exists(
    client, world, db, monkeypatch
):
    """Unknown and inactive addresses cost a scrypt check like a wrong password does.

    Counted, not timed: on a loaded test machine wall-clock comparisons are flaky, while
    the number of scrypt runs (the whole cost of a check; everything else is a few
    milliseconds) is exact. The count wraps the standard library's scrypt, which the real
    hash check calls, and lets every call through.
    """
    world.users["member"].set_password(PASSWORD)  # scrypt, as the app hashes passwords
    make_user(world.organization, email="left@example.fi", active=False).set_password(PASSWORD)
    db.session.commit()
    post_login(client, "warm-up@example.fi", "vaara-salasana")  # any one-time setup first
    scrypt_runs = 0
    real_scrypt = hashlib.scrypt

    def counting_scrypt(*args, **kwargs):
        nonlocal scrypt_runs
        scrypt_runs += 1
        return real_scrypt(*args, **kwargs)

    monkeypatch.setattr(hashlib, "scrypt", counting_scrypt)
    for email in ("member@example.fi", "nobody@example.fi", "left@example.fi"):
        scrypt_runs = 0
        assert post_login(client, email, "vaara-salasana").status_code == 422
        assert scrypt_runs == 1, email


# ---- throttling records are pruned once they can no longer count -------------------------


def test_prune_removes_throttle_records_only_once_outside_their_windows(app, client, world, db):
    from lean.models import PasswordResetRequest
    from lean.models.base import utcnow

    now = utcnow()
    for minutes_ago in (16, 90, 60 * 24 * 40):  # long past the 15-minute window
        db.session.add(
            LoginFailure(email="member@example.fi", at=now - timedelta(minutes=minutes_ago))
        )
    db.session.add(PasswordResetRequest(email="member@example.fi", at=now - timedelta(hours=2)))
    db.session.add(PasswordResetRequest(email="member@example.fi", at=now - timedelta(minutes=30)))
    db.session.commit()
    for _ in range(5):  # recent failures lock the account
        post_login(client, "member@example.fi", "arvaus-numero-1")
    assert post_login(client, "member@example.fi").status_code == 429

    result = app.test_cli_runner().invoke(args=["prune"])

    assert result.exit_code == 0, result.output
    assert "3 failed logins and 1 reset requests removed" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(func.count(LoginFailure.id))) == 5  # the recent failures
    [kept] = db.session.scalars(select(PasswordResetRequest)).all()
    assert kept.at > now - timedelta(hours=1)
    # The lock still holds: only what no longer counted was removed.
    assert post_login(client, "member@example.fi").status_code == 429


def test_the_daily_jobs_prune_the_throttle_records():
    from pathlib import Path

    unit = (Path(__file__).parents[2] / "deploy" / "vertaa-daily.service").read_text()
    commands = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    assert any(line.endswith("/flask prune") for line in commands), commands
