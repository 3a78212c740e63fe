"""Fixtures shared by every test: the app on a real database, builders and logged-in clients.

The database is SQLite in a temporary folder, or PostgreSQL when LEAN_TEST_DATABASE_URL is
set. Its schema comes from the migrations, once per run; each test starts from empty tables
(the themes that the first migration seeds stay).

Time is an input. Every unit and functional test starts at FIXED_NOW (Monday 16 November 2026,
10.00 in Helsinki), whatever day the suite runs: due dates, ages, "today" and the stand-up
rhythm come out the same in any year. The clock ticks on from there at real speed (time-machine
with tick=True), so rows made one after another still get increasing timestamps, as in
production; a test moves it with the `clock` fixture (`clock.move_to(moment)`,
`clock.shift(timedelta(days=2))`). time-machine patches this Python process only: the database
server's clock, the file system's timestamps and the clock of a process a test starts stay
real. So the app never asks the database for now(), a test that compares file ages sets their
times itself, and a process that must share the test's time is handed its now and travels there
(tests/functional/test_standups_concurrency.py).

Browser and system tests run at the real time instead. Chromium keeps its own clock, and pages
compare the two: the stand-up timer counts from the server's start time to the browser's
now, so a server weeks behind shows every stand-up as long over. (Cookies survive a skew:
Chromium moves a remember-me cookie's expiry by the difference between the response's Date and
its own clock.) The system tests' gunicorn servers are other processes. Their data is made
relative to the app's `today()` and the real now, never from a calendar date that could pass.
A browser test whose data has calendar dates and whose page has no clock in JavaScript asks for
`clock` itself: the live server is a thread of this process and reads it
(tests/browser/test_dashboard.py).

To see that nothing else reads the real date, run the unit and functional tests a year away
under Debian's faketime, with the monotonic clock left real (timed waits of threads hang
otherwise): `FAKETIME_DONT_FAKE_MONOTONIC=1 faketime -f '+365d' .venv/bin/python -m pytest
tests/unit tests/functional` (and '-365d').
"""

from __future__ import annotations

import io
import itertools
import os
import tempfile
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from flask_migrate import upgrade
from PIL import Image
from sqlalchemy import create_engine, event, func, make_url, select, text
from werkzeug.security import generate_password_hash

from lean import create_app
from lean.boards import services
from lean.core import unit_of_work
from lean.core.extensions import cache
from lean.core.extensions import db as _db
from lean.models import (
    Improvement,
    KaizenEntry,
    Membership,
    Organization,
    Stage,
    Team,
    TeamRole,
    Theme,
    User,
)

# A real Redis and real job workers, for the tests of the job queue and what runs on it.
from tests.jobs_worker import job_queue, jobs_worker  # noqa: F401
from tests.redis_server import redis_server, redis_url  # noqa: F401

PASSWORD = "kunnon-salasana-42"


def _tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (1, 1), (0, 105, 92)).save(buffer, "PNG")
    return buffer.getvalue()


# The smallest picture an attachment can be.
TINY_PNG = _tiny_png()
# Tables the migrations fill: restored to what they held after migrating, after every test.
SEEDED_TABLES = ("theme", "focus_area")
_seeded_rows: dict[str, list[dict]] = {}
IN_CI = os.environ.get("CI") == "true"

# The moment every unit and functional test starts at: a Monday morning of the autumn term, in
# UTC so that the process's local time zone (which time-machine sets to the destination's) is
# the production servers' one.
FIXED_NOW = datetime(2026, 11, 16, 10, 0, tzinfo=ZoneInfo("Europe/Helsinki")).astimezone(UTC)
# Tests in these folders run at the real time (see the module's docstring).
_REAL_TIME_FOLDERS = tuple(Path(__file__).parent / name for name in ("browser", "system"))


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """The test's clock, at FIXED_NOW and ticking; `clock.move_to(moment, tick=False)` stops it
    at a moment, `clock.shift(delta)` moves it."""
    with time_machine.travel(FIXED_NOW, tick=True) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def fixed_clock(request) -> None:
    """Unit and functional tests run on `clock` whether or not they ask for it."""
    if not any(request.node.path.is_relative_to(folder) for folder in _REAL_TIME_FOLDERS):
        request.getfixturevalue("clock")


def database_url(tmp_path_factory) -> str:
    """SQLite in this run's temporary folder, or a PostgreSQL database of this test worker's own."""
    url = os.environ.get("LEAN_TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url
    # Parallel workers each get a database of their own next to the configured one.
    base = make_url(url)
    name = f"{base.database}_{worker}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database(tmp_path_factory) -> str:
    """A migrated, empty database for the whole run."""
    url = database_url(tmp_path_factory)
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "t" * 40,
            "JOBS_IMMEDIATE": True,
        }
    )
    with app.app_context():
        if url.startswith("postgresql"):
            # A fresh schema each run, whatever an earlier run left behind.
            with _db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
        upgrade()
        with _db.engine.connect() as connection:
            for name in SEEDED_TABLES:
                table = _db.metadata.tables[name]
                _seeded_rows[name] = [
                    dict(row._mapping) for row in connection.execute(table.select())
                ]
        _db.engine.dispose()
    return url


@pytest.fixture(scope="session")
def sqlite_database(database, tmp_path_factory) -> str:
    """A migrated SQLite database, also when the run's own database is PostgreSQL: for the
    tests of SQLite's locking, which must run in every CI step."""
    if database.startswith("sqlite"):
        return database
    url = f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'test.sqlite'}"
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": url,
            "SECRET_KEY": "t" * 40,
            "JOBS_IMMEDIATE": True,
        }
    )
    with app.app_context():
        upgrade()
        _db.engine.dispose()
    return url


_apps_made: list[Flask] = []
_upload_folder = tempfile.mkdtemp(prefix="vertaa-uploads-")


@pytest.fixture(autouse=True)
def close_connections_of_extra_apps():
    """Close the pools of apps a test made besides `app`, so no connection outlives its test."""
    yield
    while _apps_made:
        extra = _apps_made.pop()
        with extra.app_context():
            for engine in _db.engines.values():
                engine.dispose()


class EnglishBrowserClient(FlaskClient):
    """A test client whose browser asks for English, the language the assertions read.

    Its requests share the test's database session (the test holds the app context). What the
    test wrote before a request is committed first, as an earlier request's would have been,
    and the request begins a transaction of its own, as in a fresh worker.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.environ_base.setdefault("HTTP_ACCEPT_LANGUAGE", "en")

    def open(self, *args, **kwargs):
        if has_app_context():
            if unit_of_work.has_writes():
                unit_of_work.commit()
            else:
                _db.session.rollback()
        return super().open(*args, **kwargs)


def make_app(database: str, **overrides) -> Flask:
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database,
        "SECRET_KEY": "t" * 40,
        "WTF_CSRF_ENABLED": False,
        "UPLOAD_FOLDER": _upload_folder,
        # Jobs run at once after the commit; the job queue's own tests run a real worker.
        "JOBS_IMMEDIATE": True,
    }
    config.update(overrides)
    app = create_app(config)
    app.test_client_class = EnglishBrowserClient
    _apps_made.append(app)

    @app.before_request
    def start_like_a_new_request():
        # The test holds the app context, so requests share its session and `g`: expiring
        # the one and emptying the other makes each request start as in a fresh worker
        # (no logged-in user or language carried over from the previous request).
        _db.session.expire_all()
        g.__dict__.clear()

    return app


_shared_apps: dict[str, Flask] = {}


@pytest.fixture
def app(database) -> Iterator[Flask]:
    """The app, built once per test process: a thousand tests each building their own spent a
    tenth of a second each. A test's changes to its configuration are undone after it."""
    app = _shared_apps.get(database)
    if app is None:
        app = _shared_apps[database] = make_app(database)
        _apps_made.remove(app)  # not an extra app: this fixture closes its pool
    config = dict(app.config)
    with app.app_context():
        yield app
        _db.session.remove()
        empty_tables()
        _db.engine.dispose()
        # The next test's rows get the same ids again: nothing rendered from these may remain.
        cache.clear()
    app.config.clear()
    app.config.update(config)


def empty_tables() -> None:
    """Every table as the migrations left it: empty, but for the seeded themes."""
    tables = list(reversed(_db.metadata.sorted_tables))
    with _db.engine.begin() as connection:
        # DELETE, not TRUNCATE: on tables of a few rows it is many times faster on PostgreSQL.
        for table in tables:
            connection.execute(table.delete())
        for name in SEEDED_TABLES:
            connection.execute(_db.metadata.tables[name].insert(), _seeded_rows[name])
            if connection.dialect.name == "postgresql":
                # The rows came back with their ids; the next new row needs the one after.
                table = _db.metadata.tables[name]
                last_id = select(func.max(table.c.id)).scalar_subquery()
                sequence = func.pg_get_serial_sequence(name, "id")
                connection.execute(select(func.setval(sequence, last_id)))


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# ---- builders -------------------------------------------------------------------------

_counter = itertools.count(1)
# A cheap hash method keeps the many logins of the suite fast; the app itself uses scrypt.
_password_hash = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def theme(key: str = "change_leadership") -> Theme:
    return _db.session.scalar(select(Theme).where(Theme.key == key))


def make_organization(**overrides) -> Organization:
    values = {"name": f"Organisaatio {next(_counter)}"}
    values.update(overrides)
    organization = Organization(**values)
    _db.session.add(organization)
    _db.session.commit()
    return organization


def make_team(organization: Organization | None = None, **overrides) -> Team:
    values = {
        "name": f"Tiimi {next(_counter)}",
        "organization": organization or make_organization(),
    }
    values.update(overrides)
    team = Team(**values)
    _db.session.add(team)
    _db.session.commit()
    return team


def make_user(
    organization: Organization | None = None,
    teams: dict[Team, str] | None = None,
    **overrides,
) -> User:
    number = next(_counter)
    values = {
        "email": f"user{number}@example.fi",
        "name": f"Käyttäjä {number}",
        "organization": organization or make_organization(),
        "password_hash": _password_hash,
    }
    values.update(overrides)
    user = User(**values)
    _db.session.add(user)
    for team, role in (teams or {}).items():
        _db.session.add(Membership(user=user, team=team, role=TeamRole(role)))
    _db.session.commit()
    return user


def publish_world_card(world: World):
    """The world's card moved to Done by its member and published by the coordinator."""
    from lean.network import services as network
    from lean.network.snapshot import Shares

    services.move_improvement(world.users["member"], world.improvement, Stage.DONE)
    practice = network.publish_practice(
        world.users["coordinator"],
        world.improvement,
        network.PracticeText(
            title="Jaettu käytäntö",
            summary="Tiivistelmä",
            learnings="",
            theme=theme(),
            focus_area=None,
            shares=Shares(),
        ),
    )
    _db.session.commit()
    return practice


def make_kaizen(team: Team, author: User | None = None, **fields) -> KaizenEntry:
    """A kaizen logged by the real service."""
    from lean.kaizen.services import log_kaizen

    values = {
        "title": f"Kaizen {next(_counter)}",
        "before": "Ennen",
        "after": "Jälkeen",
        "theme": theme(),
    }
    values.update(fields)
    entry = log_kaizen(author or make_user(team.organization, {team: "member"}), team, **values)
    _db.session.commit()
    return entry


def make_improvement(team: Team, author: User | None = None, **fields) -> Improvement:
    """A card made by the real service, then given any extra fields directly."""
    author = author or make_user(team.organization, {team: "member"})
    stage = Stage(fields.pop("stage", "idea"))
    improvement = services.create_improvement(
        author,
        team,
        title=fields.pop("title", f"Parannus {next(_counter)}"),
        theme=fields.pop("theme", None) or theme(),
    )
    if stage != Stage.IDEA:
        services.move_improvement(author, improvement, stage)
    for name, value in fields.items():
        setattr(improvement, name, value)
    _db.session.commit()
    return improvement


class World:
    """Two organizations and one user per role, as the authorization tests need them."""

    def __init__(self):
        self.organization = make_organization(name="Järvilaakson koulutuskuntayhtymä")
        self.team = make_team(self.organization, name="Opintotoimisto")
        self.other_team = make_team(self.organization, name="Rakennusala")
        self.foreign_organization = make_organization(name="Rannikon ammattiopisto")
        self.foreign_team = make_team(self.foreign_organization, name="Opiskelijapalvelut")
        org = self.organization
        self.users = {
            "member": make_user(org, {self.team: "member"}, email="member@example.fi"),
            "supervisor": make_user(org, {self.team: "supervisor"}, email="supervisor@example.fi"),
            "coordinator": make_user(org, is_coordinator=True, email="coordinator@example.fi"),
            "admin": make_user(org, is_admin=True, email="admin@example.fi"),
            "foreign_member": make_user(
                self.foreign_organization, {self.foreign_team: "member"}, email="foreign@example.fi"
            ),
        }
        self.improvement = make_improvement(self.team, self.users["member"], title="Oma kortti")
        self.foreign_improvement = make_improvement(
            self.foreign_team, self.users["foreign_member"], title="Vieras kortti"
        )


@pytest.fixture
def world(app) -> World:
    return World()


@pytest.fixture
def login(app):
    """login(user) -> a test client logged in as that user through the real login form."""

    def log_in(user: User, client=None, remember=False):
        client = client or app.test_client()
        response = client.post(
            "/login",
            data={"email": user.email, "password": PASSWORD, "remember": "y" if remember else ""},
        )
        assert response.status_code == 303, response.get_data(as_text=True)
        return client

    return log_in


@pytest.fixture
def login_as(world, login):
    """login_as("supervisor") -> a client logged in as that role of the world."""
    return lambda role: login(world.users[role])


@pytest.fixture
def query_counter(app):
    """Counts SQL statements: `with query_counter() as count: ...; count.value`."""

    class Counter:
        value = 0

    def counting():
        counter = Counter()

        def before(connection, cursor, statement, *args):
            # SQLite's BEGIN IMMEDIATE is transaction control, not a query of the page.
            if not statement.startswith("BEGIN"):
                counter.value += 1

        class Context:
            def __enter__(self):
                event.listen(_db.engine, "before_cursor_execute", before)
                return counter

            def __exit__(self, *exc):
                event.remove(_db.engine, "before_cursor_execute", before)

        return Context()

    return counting


def today() -> date:
    from lean.shared.web import today as app_today

    return app_today()


def pytest_sessionfinish(session, exitstatus):
    """In CI a skipped test is a failure: a browser or PostgreSQL test must really run."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if IN_CI and skipped and exitstatus == 0:
        reporter.write_line(
            f"CI: {len(skipped)} test(s) skipped; in CI every test must run.", red=True
        )
        session.exitstatus = 1
