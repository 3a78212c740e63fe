"""Production proof: gunicorn app servers on real databases, under load and under faults.

Two gunicorn instances share one PostgreSQL (a throwaway server of the test's own, in every CI
step, so that the test can restart it). While simulated users work on both for a minute, a
worker is killed with SIGKILL and PostgreSQL is restarted. Nothing the servers acknowledged may
be missing from the database or from its card's history, no request may fail other than with the
friendly 503 while the database is down, and everything works again afterwards.
"""

from __future__ import annotations

import sqlite3
import stat
import threading
import time
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select

from lean.core.extensions import db as _db
from lean.models import Attachment, Event, Improvement, KaizenEntry
from tests.conftest import TINY_PNG, World, make_app, make_improvement, make_user
from tests.system.load import FRIENDLY_503, Ledger, SimulatedUser, run_load
from tests.system.servers import AS_ROOT, Gunicorn, PostgresServer

pytestmark = pytest.mark.slow

LOAD_SECONDS = 60
MAX_REQUESTS = 20_000
USERS = 6
SECRET = "system-test-secret-" + "x" * 32


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer()
    server.create()
    yield server
    server.destroy()


def prepare(url: str, users: int = USERS) -> dict:
    """The schema from the migrations, a team with its users, and cards everyone edits."""
    app = make_app(url)
    with app.app_context():
        upgrade()
        world = World()
        people = [make_user(world.organization, {world.team: "member"}) for _ in range(users)]
        contested = [make_improvement(world.team, people[0]).id for _ in range(4)]
        facts = {
            "team": world.team.id,
            "theme": world.improvement.theme_id,
            "emails": [person.email for person in people],
            "contested": contested,
        }
        _db.session.commit()
        _db.engine.dispose()
    return facts


def environment(url: str, uploads: Path, **extra) -> dict[str, str]:
    return {
        "LEAN_DATABASE_URL": url,
        "LEAN_SECRET_KEY": SECRET,
        "LEAN_UPLOAD_FOLDER": str(uploads),
        "LEAN_BASE_URL": "http://127.0.0.1",
        **extra,
    }


def faults(postgres: PostgresServer, server: Gunicorn, ledger: Ledger, log: list[str]):
    """A worker killed a quarter of the way in, PostgreSQL restarted halfway."""
    time.sleep(LOAD_SECONDS / 4)
    log.append(f"killed worker {server.kill_a_worker()}")
    time.sleep(LOAD_SECONDS / 4)
    ledger.outage.set()
    postgres.stop("fast")
    time.sleep(3)
    postgres.start()
    log.append("PostgreSQL restarted after 3 s")
    time.sleep(4)  # answers to requests made during the outage are still on their way
    ledger.outage.clear()


def test_two_servers_on_postgresql_under_load_and_faults_lose_nothing(postgres, tmp_path):
    facts = prepare(postgres.url)
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    servers = [
        Gunicorn(environment(postgres.url, uploads), log=tmp_path / f"gunicorn-{n}.log")
        for n in range(2)
    ]
    engine = create_engine(postgres.url, pool_pre_ping=True)

    def card_id(title: str) -> int | None:
        try:
            with engine.connect() as connection:
                return connection.scalar(select(Improvement.id).where(Improvement.title == title))
        except Exception:  # the database is restarting; the user just moves another card
            return None

    ledger = Ledger()
    users = [
        SimulatedUser(
            servers[number % 2].url,
            email,
            facts["team"],
            facts["theme"],
            facts["contested"],
            ledger,
            card_id,
        )
        for number, email in enumerate(facts["emails"])
    ]
    fault_log: list[str] = []
    fault_thread = threading.Thread(target=faults, args=(postgres, servers[0], ledger, fault_log))
    try:
        fault_thread.start()
        run_load(users, LOAD_SECONDS, MAX_REQUESTS)
        fault_thread.join()
        print("\nload:", ledger.summary(), "| faults:", "; ".join(fault_log))
        print("dropped:", {k: v for k, v in ledger.counts.items() if k.startswith("dropped")})

        # Everything works again after the restart, on both servers; and after a restart while
        # nobody was asking, the pooled connections are dead: pool_pre_ping must notice that
        # before a user does.
        after = [
            SimulatedUser(
                server.url, facts["emails"][0], facts["team"], facts["theme"], [], ledger, card_id
            )
            for server in servers
        ]
        for user in after:
            assert user.log_in()
        postgres.stop("fast")
        postgres.start()
        for user in after:
            for _ in range(6):  # enough to reach every worker
                board = user.http.get(f"{user.base}/teams/{facts['team']}/board", timeout=30)
                assert board.status_code == 200, board.text[:300]
    finally:
        for server in servers:
            server.stop()
        logs = "".join(server.log_text() for server in servers)

    if ledger.failures:
        engine.dispose()
    assert not ledger.failures, "\n".join(ledger.failures[:20])
    assert ledger.counts["5xx"] == ledger.counts["503 during outage"] > 0
    assert ledger.added_cards and ledger.moves and ledger.edits and ledger.kaizens
    assert "unhandled error" not in logs, logs[-3000:]

    try:
        with engine.connect() as connection:
            lost = lost_writes(connection, ledger, facts, uploads)
    finally:
        engine.dispose()
    print("lost writes:", len(lost))
    assert not lost, "\n".join(lost[:20])


def lost_writes(connection, ledger: Ledger, facts: dict, uploads: Path) -> list[str]:
    """Acknowledged writes missing from the database or their card's history, and rows that a
    killed worker or a failed transaction left half-made."""
    problems = []
    cards = dict(connection.execute(select(Improvement.title, Improvement.id)).all())
    created = {
        subject_id
        for (subject_id,) in connection.execute(
            select(Event.subject_id).where(
                Event.subject_type == "improvement", Event.kind == "created"
            )
        )
    }
    for title in ledger.added_cards:
        if title not in cards:
            problems.append(f"card {title!r} was acknowledged but is not in the database")
    for title, card in cards.items():
        if card not in created:
            problems.append(f"card {title!r} has no 'created' event")

    history = connection.execute(
        select(Event.subject_id, Event.kind, Event.data, Event.id)
        .where(Event.subject_type == "improvement", Event.kind.in_(["moved", "edited"]))
        .order_by(Event.id)
    ).all()
    moved = {(subject, data["to"]) for subject, kind, data, _ in history if kind == "moved"}
    edited = {
        (subject, data["fields"]["problem"][1])
        for subject, kind, data, _ in history
        if kind == "edited" and "problem" in data.get("fields", {})
    }
    problems += [
        f"move of card {c} to {s} is not in its history"
        for c, s in ledger.moves
        if (c, s) not in moved
    ]
    problems += [
        f"edit of card {c} ({p!r}) is not in its history"
        for c, p in ledger.edits
        if (c, p) not in edited
    ]

    # A card's column is where its history last moved it; no two cards share a position.
    stages = dict(connection.execute(select(Improvement.id, Improvement.stage)).all())
    last_move = {subject: data["to"] for subject, kind, data, _ in history if kind == "moved"}
    for card, stage in last_move.items():
        if stages.get(card) != stage:
            problems.append(f"card {card} stands in {stages.get(card)}, its history says {stage}")
    shared = connection.execute(
        select(Improvement.team_id, Improvement.stage, Improvement.position)
        .group_by(Improvement.team_id, Improvement.stage, Improvement.position)
        .having(func.count() > 1)
    ).all()
    problems += [f"cards share a position: {row}" for row in shared]

    kaizens = dict(connection.execute(select(KaizenEntry.title, KaizenEntry.id)).all())
    files = connection.execute(
        select(Attachment.kaizen_id, Attachment.stored_name, Attachment.thumbnail_name)
    ).all()
    photos = {}
    for kaizen, name, _ in files:
        photos.setdefault(kaizen, []).append(name)
        if not (uploads / name).exists():
            problems.append(f"attachment {name} of kaizen {kaizen} has no file")
    for title in ledger.kaizens:
        if title not in kaizens:
            problems.append(f"kaizen {title!r} was acknowledged but is not in the database")
        elif len(photos.get(kaizens[title], [])) != 1:
            problems.append(f"kaizen {title!r} lost its photo")
    referenced = {name for _, stored, thumbnail in files for name in (stored, thumbnail) if name}
    orphans = [path.name for path in uploads.iterdir() if path.name not in referenced]
    problems += [f"file {name} belongs to no attachment" for name in orphans]
    return problems


# ---- SQLite: the write lock held past the busy timeout -------------------------------------


def test_sqlite_locked_past_the_busy_timeout_gives_the_friendly_503_and_reads_go_on(tmp_path):
    path = tmp_path / "vertaa.sqlite"
    url = f"sqlite:///{path}"
    facts = prepare(url, users=1)
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    server = Gunicorn(environment(url, uploads, LEAN_SQLITE_BUSY_TIMEOUT="0.5"))
    ledger = Ledger()
    user = SimulatedUser(
        server.url, facts["emails"][0], facts["team"], facts["theme"], [], ledger, lambda _: None
    )
    try:
        assert user.log_in()
        writer = sqlite3.connect(path, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        try:
            board = user.http.get(f"{server.url}/teams/{facts['team']}/board", timeout=30)
            add = user.http.post(
                f"{server.url}/teams/{facts['team']}/improvements",
                data={"title": "Lukon takana", "theme_id": facts["theme"]},
                headers={"X-CSRFToken": user.csrf},
                timeout=30,
            )
        finally:
            writer.rollback()
            writer.close()
        again = user.http.post(
            f"{server.url}/teams/{facts['team']}/improvements",
            data={"title": "Lukon jälkeen", "theme_id": facts["theme"]},
            headers={"X-CSRFToken": user.csrf},
            timeout=30,
        )
    finally:
        server.stop()
    assert board.status_code == 200  # readers do not queue for the writer's lock
    assert add.status_code == 503
    assert FRIENDLY_503 in add.text and "Traceback" not in add.text
    assert again.status_code == 200
    titles = set(sqlite3.connect(path).execute("SELECT title FROM improvement").fetchall())
    assert ("Lukon jälkeen",) in titles and ("Lukon takana",) not in titles


# ---- a read-only upload folder -------------------------------------------------------------


def test_a_read_only_upload_folder_gives_a_clear_error_and_saves_no_entry(tmp_path):
    path = tmp_path / "vertaa.sqlite"
    url = f"sqlite:///{path}"
    facts = prepare(url, users=1)
    uploads = tmp_path / "uploads"
    uploads.mkdir()
    uploads.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    # Root writes anywhere; without these capabilities it meets the folder's mode like anyone.
    wrapper = ["setpriv", "--bounding-set=-dac_override,-fowner", "--"] if AS_ROOT else []
    server = Gunicorn(environment(url, uploads), wrap=wrapper)
    ledger = Ledger()
    user = SimulatedUser(
        server.url, facts["emails"][0], facts["team"], facts["theme"], [], ledger, lambda _: None
    )
    try:
        assert user.log_in()
        with_photo = user.http.post(
            f"{server.url}/teams/{facts['team']}/kaizen",
            data={"title": "Kuvan kanssa", "before": "a", "after": "b", "theme_id": facts["theme"]},
            files={"files-0-file": ("kuva.png", TINY_PNG, "image/png")},
            headers={"X-CSRFToken": user.csrf},
            timeout=30,
        )
        without_photo = user.http.post(
            f"{server.url}/teams/{facts['team']}/kaizen",
            data={"title": "Ilman kuvaa", "before": "a", "after": "b", "theme_id": facts["theme"]},
            headers={"X-CSRFToken": user.csrf},
            timeout=30,
        )
    finally:
        server.stop()
        uploads.chmod(0o755)
    assert with_photo.status_code == 503
    assert "could not be stored, so nothing was saved" in with_photo.text
    assert "Traceback" not in with_photo.text
    assert without_photo.status_code == 200  # entries without files still work
    titles = {row[0] for row in sqlite3.connect(path).execute("SELECT title FROM kaizen_entry")}
    assert titles == {"Ilman kuvaa"}
    assert list(uploads.iterdir()) == []
