"""What a feed shows, each feed in one statement whatever the number of cards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from sqlalchemy import Date, Integer, String, Time, cast, literal_column, null, select, union_all

from lean.core.extensions import db
from lean.models import A3Action, A3Sheet, Improvement, Membership, Stage, Team, User
from lean.shared import policy


@dataclass(frozen=True)
class Entry:
    """One event of a feed: a card's due date, an A3 action's, or a team's stand-up rhythm."""

    kind: str  # "card", "action" or "standup"
    id: int
    title: str
    day: date | None
    stage: str | None
    team_id: int
    team_name: str
    weekdays: str | None
    at: time | None
    minutes: int | None
    card_id: int | None


def _kind(name: str):
    return cast(literal_column(f"'{name}'"), String(10)).label("kind")


def _open_cards():
    """Cards with a due date still to be met: not done, not archived."""
    return (
        Improvement.due_date.is_not(None),
        Improvement.stage != Stage.DONE.value,
        Improvement.archived.is_(False),
        Team.archived.is_(False),
    )


def _cards(*conditions):
    return (
        select(
            _kind("card"),
            Improvement.id.label("id"),
            Improvement.title.label("title"),
            Improvement.due_date.label("day"),
            Improvement.stage.label("stage"),
            Team.id.label("team_id"),
            Team.name.label("team_name"),
            cast(null(), String(20)).label("weekdays"),
            cast(null(), Time).label("at"),
            cast(null(), Integer).label("minutes"),
            Improvement.id.label("card_id"),
        )
        .join(Team, Team.id == Improvement.team_id)
        .where(*_open_cards(), *conditions)
    )


def person_entries(person: User) -> list[Entry]:
    """The person's own due cards, their open A3 actions and their teams' stand-ups."""
    actions = (
        select(
            _kind("action"),
            A3Action.id,
            A3Action.what,
            A3Action.due_on,
            Improvement.stage,
            Team.id,
            Team.name,
            cast(null(), String(20)),
            cast(null(), Time),
            cast(null(), Integer),
            Improvement.id,
        )
        .join(A3Sheet, A3Sheet.id == A3Action.sheet_id)
        .join(Improvement, Improvement.id == A3Sheet.improvement_id)
        .join(Team, Team.id == Improvement.team_id)
        .where(
            A3Action.who_id == person.id,
            A3Action.due_on.is_not(None),
            A3Action.done.is_(False),
            Improvement.archived.is_(False),
            Team.archived.is_(False),
            policy.readable_a3_sheets(person),
        )
    )
    standups = (
        select(
            _kind("standup"),
            Team.id,
            Team.name,
            cast(null(), Date),
            cast(null(), String(10)),
            Team.id,
            Team.name,
            Team.standup_weekdays,
            Team.standup_time,
            Team.standup_minutes,
            cast(null(), Integer),
        )
        .join(Membership, Membership.team_id == Team.id)
        .where(
            Membership.user_id == person.id,
            Team.archived.is_(False),
            Team.standup_time.is_not(None),
            Team.standup_weekdays != "",
        )
    )
    cards = _cards(
        Improvement.owner_id == person.id, policy.readable_teams(person, Improvement.team_id)
    )
    feed = union_all(cards, actions, standups).subquery()
    rows = db.session.execute(select(feed).order_by(feed.c.kind, feed.c.day, feed.c.id))
    return [Entry(**row._mapping) for row in rows]


def team_entries(team: Team) -> list[Entry]:
    """The team's cards with a due date to meet."""
    query = _cards(Improvement.team_id == team.id).order_by(Improvement.due_date, Improvement.id)
    return [Entry(**row._mapping) for row in db.session.execute(query)]
