"""SQLite's write lock: readers never queue for it, writers wait for it, and a writer that
waits past the busy timeout gets a page that says to try again."""

import sqlite3
import threading
import time
from contextlib import contextmanager

import pytest
from sqlalchemy import func, make_url, select

from lean.core.extensions import db as _db
from lean.models import Improvement
from tests.conftest import PASSWORD, World, empty_tables, make_app

# Long enough that a read waiting for the lock would be plain to see.
LONG_BUSY_TIMEOUT = 30.0


@pytest.fixture
def sqlite_world(sqlite_database):
    """The world's people and cards in an SQLite database, and that database's file."""
    setup = make_app(sqlite_database)
    with setup.app_context():
        world = World()
        ids = {
            "team": world.team.id,
            "theme": world.improvement.theme_id,
            "member": world.users["member"].email,
        }
        _db.session.commit()  # end the builders' transaction: it holds the write lock
        yield ids, make_url(sqlite_database).database
        _db.session.remove()
        empty_tables()
        _db.engine.dispose()


def logged_in_client(database: str, busy_timeout: float, email: str, language="en"):
    server = make_app(database, SQLITE_BUSY_TIMEOUT=busy_timeout)
    client = server.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 303
    return client


@contextmanager
def write_lock_held(path: str):
    """Another process's writer: holds SQLite's write lock until the block ends."""
    writer = sqlite3.connect(path, isolation_level=None, timeout=30, check_same_thread=False)
    writer.execute("BEGIN IMMEDIATE")
    try:
        yield writer
    finally:
        writer.rollback()
        writer.close()


def cards_titled(title: str) -> int:
    return _db.session.scalar(select(func.count(Improvement.id)).where(Improvement.title == title))


def test_the_board_answers_while_another_writer_holds_the_lock(sqlite_world):
    """A GET reads a snapshot: it neither waits for the writer nor fails."""
    ids, path = sqlite_world
    client = logged_in_client(f"sqlite:///{path}", LONG_BUSY_TIMEOUT, ids["member"], language="en")
    with write_lock_held(path):
        began = time.monotonic()
        response = client.get(f"/teams/{ids['team']}/board")
        took = time.monotonic() - began
    assert response.status_code == 200
    assert "Oma kortti" in response.get_data(as_text=True)
    assert took < LONG_BUSY_TIMEOUT / 2, f"the board waited {took:.1f} s for the write lock"


def test_a_quick_add_waits_for_the_lock_and_then_saves(sqlite_world):
    """A POST queues behind the writer (BEGIN IMMEDIATE) instead of failing on a stale read."""
    ids, path = sqlite_world
    client = logged_in_client(f"sqlite:///{path}", LONG_BUSY_TIMEOUT, ids["member"])
    hold_for = 1.5
    with write_lock_held(path) as writer:
        releaser = threading.Timer(hold_for, writer.rollback)
        releaser.start()
        began = time.monotonic()
        response = client.post(
            f"/teams/{ids['team']}/improvements",
            data={"title": "Odotti vuoroaan", "theme_id": ids["theme"]},
        )
        took = time.monotonic() - began
        releaser.join()
    assert response.status_code in (200, 303), response.get_data(as_text=True)
    assert took >= hold_for * 0.8, "the write did not wait for the lock"
    assert cards_titled("Odotti vuoroaan") == 1
    _db.session.rollback()


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "Try again in a moment"),
        ("fi", "Yritä hetken kuluttua uudelleen"),
        ("sv", "Försök igen om en stund"),
    ],
)
def test_a_write_locked_out_past_the_busy_timeout_gets_a_friendly_503(
    sqlite_world, language, message
):
    ids, path = sqlite_world
    client = logged_in_client(f"sqlite:///{path}", 0.3, ids["member"], language=language)
    with write_lock_held(path):
        page = client.post(
            f"/teams/{ids['team']}/improvements",
            data={"title": "Lukon takana", "theme_id": ids["theme"]},
        )
        partial = client.post(
            f"/teams/{ids['team']}/improvements",
            data={"title": "Lukon takana", "theme_id": ids["theme"]},
            headers={"HX-Request": "true"},
        )
    assert page.status_code == 503
    assert page.headers["Retry-After"]
    assert message in page.get_data(as_text=True)
    assert "Traceback" not in page.get_data(as_text=True)
    # htmx puts the message into the page's alert area.
    assert partial.status_code == 503
    assert partial.headers["HX-Retarget"] == "#messages"
    assert 'role="alert"' in partial.get_data(as_text=True)
    assert message in partial.get_data(as_text=True)
    assert cards_titled("Lukon takana") == 0
    _db.session.rollback()
