"""The stage times kept on each card agree with its history of events, however it moved.

The columns are written by the moves; here they are recomputed from the events alone, in
Python, after random walks of many cards, and again by the migration that first filled them.
"""

from __future__ import annotations

import random

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import select

from lean.boards import services
from lean.core.extensions import db as _db
from lean.kaizen.services import promote_kaizen
from lean.models import STAGES, Event, Improvement, Stage
from tests.conftest import make_kaizen, make_team, make_user, theme

StageTimes = tuple  # (stage, stage_entered_at, first_started_at, completed_at)


def times_from_events() -> dict[int, StageTimes]:
    """Every card's stage times as its created/moved events tell them."""
    events = db_events()
    times: dict[int, StageTimes] = {}
    for card_id, stage, moment in events:
        _, _, started, _ = times.get(card_id, (None, None, None, None))
        if started is None and stage != Stage.IDEA:
            started = moment
        times[card_id] = (stage, moment, started, moment if stage == Stage.DONE else None)
    return times


def db_events() -> list[tuple[int, str, object]]:
    rows = _db.session.execute(
        select(Event.subject_id, Event.kind, Event.data, Event.at)
        .where(Event.subject_type == "improvement", Event.kind.in_(("created", "moved")))
        .order_by(Event.at, Event.id)
    )
    return [
        (card_id, data["to"] if kind == "moved" else data["stage"], moment)
        for card_id, kind, data, moment in rows
    ]


def stored_times() -> dict[int, StageTimes]:
    _db.session.expire_all()
    return {
        card.id: (card.stage, card.stage_entered_at, card.first_started_at, card.completed_at)
        for card in _db.session.scalars(select(Improvement))
    }


def random_history(seed: int) -> None:
    """Cards created in any stage, by hand or promoted from a kaizen, then moved at random:
    by the move control and by drag and drop (to another column or within one)."""
    rng = random.Random(seed)
    team = make_team()
    member = make_user(team.organization, {team: "member"})
    cards = [
        services.create_improvement(
            member, team, title=f"Kortti {number}", theme=theme(), stage=rng.choice(STAGES)
        )
        for number in range(6)
    ]
    cards.append(promote_kaizen(member, make_kaizen(team, member)))
    for _ in range(90):
        card = rng.choice(cards)
        if rng.random() < 0.3:
            services.place_improvement(member, card, rng.choice(STAGES), after_id=None)
        else:
            services.move_improvement(
                member, card, rng.choice([stage for stage in STAGES if stage != card.stage])
            )
    _db.session.commit()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_stage_times_after_random_moves_agree_with_the_events(app, db, seed):
    random_history(seed)
    stored = stored_times()
    assert stored == times_from_events()
    # The walk reached every kind of card: never started, in progress, done, and moved out
    # of Done again.
    stages = {stage for stage, *_ in stored.values()}
    assert Stage.DONE in stages
    assert any(
        started is not None and completed is None for _, _, started, completed in stored.values()
    )


def test_the_migration_fills_the_stage_times_from_the_events(app, db):
    random_history(4)
    kept_by_the_moves = stored_times()
    db.session.remove()
    db.engine.dispose()

    downgrade(revision="0007_network")
    upgrade()

    assert stored_times() == kept_by_the_moves


def test_refresh_recomputes_back_dated_histories(app, db):
    random_history(5)
    for event in db.session.scalars(select(Event).where(Event.subject_type == "improvement")):
        event.at = event.at.replace(year=2025)
    services.refresh_stage_times()
    db.session.commit()
    stored = stored_times()
    assert stored == times_from_events()
    assert all(entered.year == 2025 for _, entered, _, _ in stored.values())
