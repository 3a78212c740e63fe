"""`flask backup` copies a live SQLite database consistently; `flask restore` checks a copy and
puts it back; on PostgreSQL both point to pg_dump and pg_restore."""

import multiprocessing
import sqlite3

import pytest
from sqlalchemy import func, select

from lean.core.extensions import db as _db
from lean.models import Event, Improvement
from tests.conftest import PASSWORD, World, make_app
from tests.functional.test_concurrency import CARDS_EACH, add_cards


@pytest.fixture
def live_database(sqlite_database, tmp_path):
    """A database of its own for the test, since restoring replaces all of it."""
    path = tmp_path / "live.sqlite"
    source = sqlite3.connect(sqlite_database.removeprefix("sqlite:///"))
    target = sqlite3.connect(path)
    source.backup(target)
    source.close()
    target.close()
    return path


def cli(app, *args):
    return app.test_cli_runner().invoke(args=[str(arg) for arg in args])


def card_facts(app, team_id: int) -> tuple[int, list[int], int]:
    """A team's cards, their positions in the Idea column and their creation events."""
    with app.app_context():
        cards = _db.session.scalars(
            select(Improvement.position)
            .where(Improvement.team_id == team_id)
            .order_by(Improvement.position)
        )
        positions = list(cards)
        created = _db.session.scalar(
            select(func.count(Event.id)).where(Event.kind == "created", Event.team_id == team_id)
        )
        _db.session.rollback()
    return len(positions), positions, created


@pytest.mark.slow
def test_backup_during_writes_restores_to_a_working_database(live_database, tmp_path):
    url = f"sqlite:///{live_database}"
    app = make_app(url)
    with app.app_context():
        world = World()
        ids = (world.team.id, world.users["member"].id, world.improvement.theme_id)
        member_email = world.users["member"].email
        _db.session.commit()
        _db.engine.dispose()

    # Another process keeps adding cards while the backup runs.
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    writer = context.Process(target=add_cards, args=(url, *ids, start, 0))
    writer.start()
    start.set()
    copy = tmp_path / "backup.sqlite"
    while True:  # back up once the writer is well under way
        count, _, _ = card_facts(app, ids[0])
        if count > 2 + CARDS_EACH // 10 or not writer.is_alive():
            break
    result = cli(app, "backup", copy)
    writer.join(timeout=120)
    assert writer.exitcode == 0
    assert result.exit_code == 0, result.output
    assert "integrity checked" in result.output

    # The copy is one consistent moment: every card has its event, positions have no gaps.
    copy_app = make_app(f"sqlite:///{copy}")
    count, positions, created = card_facts(copy_app, ids[0])
    assert count > 1
    assert positions == list(range(1, count + 1))
    assert created == count
    final_count, _, _ = card_facts(app, ids[0])
    assert final_count == 1 + CARDS_EACH  # the world's card, then the writer's

    result = cli(app, "restore", copy, "--yes")
    assert result.exit_code == 0, result.output
    assert card_facts(make_app(url), ids[0])[0] == count

    # A smoke test on the restored database: log in, see the board, add a card.
    server = make_app(url)
    client = server.test_client()
    assert (
        client.post("/login", data={"email": member_email, "password": PASSWORD}).status_code == 303
    )
    board = client.get(f"/teams/{ids[0]}/board")
    assert board.status_code == 200
    assert "Oma kortti" in board.get_data(as_text=True)
    added = client.post(
        f"/teams/{ids[0]}/improvements", data={"title": "Palautuksen jälkeen", "theme_id": ids[2]}
    )
    assert added.status_code in (200, 303)
    assert "Palautuksen jälkeen" in client.get(f"/teams/{ids[0]}/board").get_data(as_text=True)


def test_backup_refuses_to_overwrite_a_file(live_database, tmp_path):
    app = make_app(f"sqlite:///{live_database}")
    existing = tmp_path / "existing.sqlite"
    existing.write_text("keep me")
    result = cli(app, "backup", existing)
    assert result.exit_code != 0
    assert "exists" in result.output
    assert existing.read_text() == "keep me"


def _older_migration(path):
    database = sqlite3.connect(path)
    database.execute("UPDATE alembic_version SET version_num = '0001_foundation'")
    database.commit()
    database.close()


def _corrupt(path):
    """Scribble over the b-tree headers of the pages after the first (the file header)."""
    database = sqlite3.connect(path)
    page_size = database.execute("PRAGMA page_size").fetchone()[0]
    database.close()
    pages = path.stat().st_size // page_size
    with open(path, "r+b") as file:
        for page in range(1, pages):
            file.seek(page * page_size)
            file.write(b"\xff" * 12)


def _foreign(path):
    path.unlink()
    database = sqlite3.connect(path)
    database.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    database.commit()
    database.close()


@pytest.mark.parametrize(
    ("spoil", "reason"),
    [
        (_older_migration, "at migration 0001_foundation"),
        (_corrupt, "not"),
        (_foreign, "not a Vertaa database"),
    ],
)
def test_restore_refuses_an_unsound_copy_and_keeps_the_database(
    live_database, tmp_path, spoil, reason
):
    app = make_app(f"sqlite:///{live_database}")
    with app.app_context():
        team_id = World().team.id
        _db.session.commit()
        _db.engine.dispose()
    before = card_facts(app, team_id)
    copy = tmp_path / "copy.sqlite"
    assert cli(app, "backup", copy).exit_code == 0
    spoil(copy)
    result = cli(app, "restore", copy, "--yes")
    assert result.exit_code != 0
    assert "cannot be restored" in result.output and reason in result.output
    assert card_facts(app, team_id) == before


def test_on_postgresql_backup_and_restore_point_to_pg_dump(tmp_path):
    app = make_app("postgresql+psycopg://vertaa:vertaa@127.0.0.1:9/vertaa")
    copy = tmp_path / "copy.sqlite"
    for args in (("backup", copy), ("restore", __file__, "--yes")):
        result = cli(app, *args)
        assert result.exit_code != 0
        assert "pg_dump" in result.output and "pg_restore" in result.output
    assert not copy.exists()
