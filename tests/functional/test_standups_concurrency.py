"""Supervisors pressing "Start stand-up" at the same moment get one stand-up, not several."""

import multiprocessing
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from lean.models import Standup, StandupItem
from tests.conftest import make_user

PROCESSES = 4


def start_standup(database: str, team_id: int, user_id: int, now: datetime, start, results) -> None:
    """One app process pressing "start" as soon as the signal comes, on the test's clock: a new
    process has the real time, and the agenda takes the cards made lately."""
    time_machine.travel(now, tick=True).start()
    from lean.core import unit_of_work
    from lean.core.extensions import db
    from lean.models import Team, User
    from lean.standups import services
    from tests.conftest import make_app

    app = make_app(database)
    with app.app_context():
        team, user = db.session.get(Team, team_id), db.session.get(User, user_id)
        db.session.commit()  # hold no transaction (nor SQLite's write lock) while waiting
        start.wait()
        with unit_of_work.transaction():  # as the request does
            standup, created = services.start_standup(user, team)
        results.put((standup.id, created))
        db.engine.dispose()


@pytest.mark.slow
def test_supervisors_starting_at_once_share_one_standup(world, db, database):
    supervisors = [world.users["supervisor"]] + [
        make_user(world.organization, {world.team: "supervisor"}) for _ in range(PROCESSES - 1)
    ]
    team_id = world.team.id
    user_ids = [user.id for user in supervisors]
    db.session.commit()
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    workers = [
        context.Process(
            target=start_standup,
            args=(database, team_id, user_id, datetime.now(UTC), start, results),
        )
        for user_id in user_ids
    ]
    for worker in workers:
        worker.start()
    start.set()
    answers = [results.get(timeout=120) for _ in workers]
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    db.session.rollback()
    standups = db.session.scalars(select(Standup).where(Standup.team_id == team_id)).all()
    assert len(standups) == 1
    assert {standup_id for standup_id, _ in answers} == {standups[0].id}
    assert sorted(created for _, created in answers) == [False] * (PROCESSES - 1) + [True]
    # The agenda was built once: the world's new card is on it a single time.
    items = db.session.scalar(
        select(func.count(StandupItem.id)).where(StandupItem.standup_id == standups[0].id)
    )
    assert items == 1
