"""Concurrent writers on the same database lose nothing."""

import multiprocessing
import os

import pytest
from sqlalchemy import func, select

from lean.models import Event, Improvement

PROCESSES = 4
CARDS_EACH = 100


def add_cards(database: str, team_id: int, user_id: int, theme_id: int, start, worker: int):
    """One app process adding cards as fast as it can, all into the same column."""
    from lean.boards import services
    from lean.core import unit_of_work
    from lean.core.extensions import db
    from lean.models import Team, Theme, User
    from tests.conftest import make_app

    app = make_app(database)
    with app.app_context():
        team, user = db.session.get(Team, team_id), db.session.get(User, user_id)
        assert team is not None, f"team {team_id} not in {database}"
        theme = db.session.get(Theme, theme_id)
        db.session.commit()
        start.wait()
        for number in range(CARDS_EACH):
            with unit_of_work.transaction():  # each card as a request of its own
                services.create_improvement(user, team, title=f"P{worker}-{number}", theme=theme)
        db.engine.dispose()


@pytest.mark.slow
def test_four_processes_adding_cards_lose_no_update(world, db, database):
    """Each add reads the column's last position and writes the next one: a read-modify-write.

    Without BEGIN IMMEDIATE on SQLite (or the team row lock on PostgreSQL) two processes
    read the same last position and cards end up sharing one.
    """
    ids = (world.team.id, world.users["member"].id, world.improvement.theme_id)
    db.session.commit()  # end the read transaction: it would hold SQLite's write lock
    context = multiprocessing.get_context("spawn")
    start = context.Event()
    workers = [
        context.Process(
            target=add_cards,
            args=(database, *ids, start, worker),
        )
        for worker in range(PROCESSES)
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    db.session.rollback()
    positions = db.session.scalars(
        select(Improvement.position).where(
            Improvement.team_id == ids[0], Improvement.stage == "idea"
        )
    ).all()
    assert len(positions) == 1 + PROCESSES * CARDS_EACH
    assert sorted(positions) == list(range(1, 2 + PROCESSES * CARDS_EACH))
    created = db.session.scalar(
        select(func.count(Event.id)).where(Event.team_id == ids[0], Event.kind == "created")
    )
    assert created == 1 + PROCESSES * CARDS_EACH
    assert os.getpid()  # the test process itself stayed alive and in control
