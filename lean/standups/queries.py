"""Reads behind the stand-up pages, each a fixed number of queries whatever the board's size."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import Select, and_, bindparam, case, exists, func, literal, or_, select
from sqlalchemy.orm import joinedload

from lean.boards.queries import wip_limits
from lean.core.extensions import db, read_columns
from lean.models import (
    Escalation,
    Event,
    Improvement,
    Stage,
    Standup,
    StandupAttendee,
    StandupItem,
    Team,
)
from lean.models.base import UTCDateTime
from lean.shared.rhythm import rhythm_kept

# The order of the agenda. An answered escalation comes first: it is usually what a blocked
# card was waiting for, and the team must hear the answer whatever else is true of the card.
# The cards of a column over its work-in-progress limit come before all others, each for its
# own reason or, without one, for the column's ("over_limit").
REASONS = ("answered", "blocked", "overdue", "aged", "over_limit", "changed", "new")
# Without an earlier stand-up, "changed" means changed within this window.
FIRST_STANDUP_WINDOW = timedelta(days=7)
# The "since the last stand-up" list and the history stop here; older entries are on cards.
LIST_LIMIT = 300


def stage_limits(team: Team) -> dict[str, int]:
    """Days a card may stay in each working stage before the agenda calls it aged."""
    return {
        Stage.PLAN.value: team.plan_limit_days,
        Stage.DO.value: team.do_limit_days,
        Stage.CHECK.value: team.check_limit_days,
        Stage.ACT.value: team.act_limit_days,
    }


def _utc(moment: datetime):
    """A datetime as a bound parameter of our UTC column type, so SQLite compares like for like."""
    return literal(moment, UTCDateTime())


def last_finished_standup(team_id: int) -> Standup | None:
    return db.session.scalar(
        select(Standup)
        .where(Standup.team_id == team_id, Standup.finished_at.is_not(None))
        .order_by(Standup.started_at.desc(), Standup.id.desc())
        .limit(1)
    )


def open_standup(team_id: int) -> Standup | None:
    return db.session.scalar(
        select(Standup).where(Standup.team_id == team_id, Standup.finished_at.is_(None))
    )


@dataclass
class Since:
    """Where a new agenda starts looking: changes after the last stand-up ended, answers after
    it began (an answer given while it ran was not on its agenda yet)."""

    changes: datetime
    answers: datetime


def agenda_since(team_id: int, now: datetime) -> Since:
    """From the team's earlier stand-ups, in one query; a first stand-up looks back a week."""
    last_finished, last_started = db.session.execute(
        select(func.max(Standup.finished_at), func.max(Standup.started_at)).where(
            Standup.team_id == team_id
        )
    ).one()
    window_start = now - FIRST_STANDUP_WINDOW
    return Since(changes=last_finished or window_start, answers=last_started or window_start)


def agenda(team: Team, since: Since, now: datetime, today: date) -> list[tuple[int, str]]:
    """(improvement id, reason) of every card the stand-up should look at, in agenda order.

    One query: each card's reason is decided by a CASE in the database, so a board of
    thousands of cards costs the same single round trip as a board of five.
    """
    entered = Improvement.stage_entered_at
    last_event = (
        select(func.max(Event.at))
        .where(Event.subject_type == "improvement", Event.subject_id == Improvement.id)
        .correlate(Improvement)
        .scalar_subquery()
    )
    answered = exists().where(
        Escalation.improvement_id == Improvement.id, Escalation.answered_at > _utc(since.answers)
    )
    working = Improvement.stage != Stage.DONE.value
    aged = or_(
        *(
            and_(Improvement.stage == stage, entered < _utc(now - timedelta(days=days)))
            for stage, days in stage_limits(team).items()
        )
    )
    # A column over its work-in-progress limit (the team's, read from its row): its cards
    # come first, each for its own reason or for the column's.
    column_count = func.count().over(partition_by=Improvement.stage)
    limits = wip_limits(team)
    over_limit = (
        and_(
            Improvement.stage.in_(list(limits)),
            column_count > case(limits, value=Improvement.stage),
        )
        if limits
        else literal(False)
    )
    reason = case(
        (answered, "answered"),
        (and_(working, Improvement.blocked.is_(True)), "blocked"),
        (and_(working, Improvement.due_date < today), "overdue"),
        (aged, "aged"),
        (over_limit, "over_limit"),
        (
            and_(
                Improvement.stage == Stage.IDEA.value, Improvement.created_at > _utc(since.changes)
            ),
            "new",
        ),
        (last_event > _utc(since.changes), "changed"),
        else_=None,
    ).label("reason")
    candidates = (
        select(
            Improvement.id,
            reason,
            Improvement.stage,
            Improvement.position,
            case((over_limit, 0), else_=1).label("column_first"),
        )
        .where(Improvement.team_id == team.id, Improvement.archived.is_(False))
        .subquery()
    )
    rank = case({name: number for number, name in enumerate(REASONS)}, value=candidates.c.reason)
    stage_rank = case({stage.value: stage.index for stage in Stage}, value=candidates.c.stage)
    rows = db.session.execute(
        select(candidates.c.id, candidates.c.reason)
        .where(candidates.c.reason.is_not(None))
        .order_by(
            candidates.c.column_first, rank, stage_rank, candidates.c.position, candidates.c.id
        )
    )
    return [(row.id, row.reason) for row in rows]


@dataclass
class AgendaCard:
    item: StandupItem
    entered_stage_at: datetime

    @property
    def improvement(self) -> Improvement:
        return self.item.improvement


def agenda_cards(standup: Standup) -> list[AgendaCard]:
    """The stand-up's items with their cards, owners, themes and stage age, in one query."""
    rows = db.session.execute(
        select(StandupItem)
        .join(Improvement, Improvement.id == StandupItem.improvement_id)
        .where(StandupItem.standup_id == standup.id)
        .options(
            joinedload(StandupItem.improvement).joinedload(Improvement.owner),
            joinedload(StandupItem.improvement).joinedload(Improvement.theme),
        )
        .order_by(StandupItem.position, StandupItem.id)
    )
    return [AgendaCard(item, item.improvement.stage_entered_at) for item in rows.scalars()]


def agenda_size(standup_id: int) -> int:
    """How many cards the stand-up's agenda has (one query)."""
    return (
        db.session.scalar(
            select(func.count())
            .select_from(StandupItem)
            .where(StandupItem.standup_id == standup_id)
        )
        or 0
    )


def agenda_item(standup_id: int, improvement_id: int) -> StandupItem | None:
    """One card of a stand-up's agenda with its card and team: one query."""
    return db.session.scalar(
        select(StandupItem)
        .where(StandupItem.standup_id == standup_id, StandupItem.improvement_id == improvement_id)
        .options(joinedload(StandupItem.improvement).joinedload(Improvement.team))
    )


def standup_escalations(standup_id: int) -> list[Escalation]:
    return list(
        db.session.scalars(
            select(Escalation)
            .where(Escalation.standup_id == standup_id)
            .options(joinedload(Escalation.asked_by), joinedload(Escalation.answered_by))
            .order_by(Escalation.asked_at, Escalation.id)
        )
    )


def standup_events(standup: Standup) -> list[Event]:
    """What was done to the team's cards while the stand-up ran: moves, blocks, notes, …"""
    until = standup.finished_at or datetime.now(UTC)
    return list(
        db.session.scalars(
            select(Event)
            .where(
                Event.team_id == standup.team_id,
                Event.subject_type == "improvement",
                Event.at >= _utc(standup.started_at),
                Event.at <= _utc(until),
            )
            .options(joinedload(Event.actor))
            .order_by(Event.at, Event.id)
            .limit(LIST_LIMIT)
        )
    )


def attendee_ids(standup_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(StandupAttendee.user_id).where(StandupAttendee.standup_id == standup_id)
        )
    )


def attendees(standup_id: int):
    from lean.models import User

    return list(
        db.session.scalars(
            select(User)
            .join(StandupAttendee, StandupAttendee.user_id == User.id)
            .where(StandupAttendee.standup_id == standup_id)
            .order_by(User.name)
        )
    )


@dataclass
class HistoryRow:
    standup: Standup
    attendee_count: int
    item_count: int
    decision_count: int

    @property
    def minutes(self) -> int | None:
        if self.standup.finished_at is None:
            return None
        return max(1, round((self.standup.finished_at - self.standup.started_at).seconds / 60))


def history(team_id: int) -> list[HistoryRow]:
    """The team's stand-ups, newest first, with attendance and decisions counted in SQL."""
    attendee_count = (
        select(func.count(StandupAttendee.id))
        .where(StandupAttendee.standup_id == Standup.id)
        .correlate(Standup)
        .scalar_subquery()
    )
    item_count = (
        select(func.count(StandupItem.id))
        .where(StandupItem.standup_id == Standup.id)
        .correlate(Standup)
        .scalar_subquery()
    )
    decision_count = (
        select(func.count(StandupItem.id))
        .where(StandupItem.standup_id == Standup.id, StandupItem.decision != "")
        .correlate(Standup)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Standup, attendee_count, item_count, decision_count)
        .where(Standup.team_id == team_id)
        .options(joinedload(Standup.led_by))
        .order_by(Standup.started_at.desc(), Standup.id.desc())
        .limit(LIST_LIMIT)
    )
    return [HistoryRow(*row) for row in rows.all()]


def events_since(team_id: int, since: datetime) -> list[tuple[Event, str]]:
    """The board's events since a moment, newest first, each with its card's title."""
    rows = db.session.execute(
        select(Event, Improvement.title)
        .join(Improvement, Improvement.id == Event.subject_id)
        .where(
            Event.team_id == team_id,
            Event.subject_type == "improvement",
            Event.at > _utc(since),
        )
        .options(joinedload(Event.actor))
        .order_by(Event.at.desc(), Event.id.desc())
        .limit(LIST_LIMIT)
    )
    return [(event, title) for event, title in rows.all()]


@dataclass
class Rhythm:
    last_started_at: datetime | None
    open_standup_id: int | None
    kept: bool | None


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Helsinki"))


@dataclass
class TeamRhythm:
    team: Team
    last_started_at: datetime | None
    kept: bool | None


def organization_rhythms(organization_id: int) -> list[TeamRhythm]:
    """Every active team of the organization with its last stand-up and rhythm: one query."""
    last_started = (
        select(func.max(Standup.started_at))
        .where(Standup.team_id == Team.id)
        .correlate(Team)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Team, last_started)
        .where(Team.organization_id == organization_id, Team.archived.is_(False))
        .order_by(Team.name)
    ).all()
    now, zone = datetime.now(UTC), _zone()
    result = []
    for team, last in rows:
        if last is not None and not isinstance(last, datetime):
            last = datetime.fromisoformat(str(last))
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=UTC)  # a subquery's value carries no column type on SQLite
        kept = rhythm_kept(team.standup_weekdays, team.standup_time, last, now, zone)
        result.append(TeamRhythm(team, last, kept))
    return result


@cache
def _rhythm_statement() -> Select:
    """Built once per worker: the board asks for it on every request, and building it cost
    more than running it."""
    return select(
        func.max(Standup.started_at),
        func.max(case((Standup.finished_at.is_(None), Standup.id))),
    ).where(Standup.team_id == bindparam("team_id"))


def rhythm(team: Team) -> Rhythm:
    """When the team last met and whether it keeps its planned rhythm: one query."""
    last_started, open_id = read_columns(_rhythm_statement(), {"team_id": team.id}).one()
    if last_started is not None and last_started.tzinfo is None:
        last_started = last_started.replace(tzinfo=UTC)  # max() loses the column type on SQLite
    kept = rhythm_kept(
        team.standup_weekdays, team.standup_time, last_started, datetime.now(UTC), _zone()
    )
    return Rhythm(last_started, open_id, kept)


def card_escalations(improvement_id: int) -> list[Escalation]:
    """A card's escalations, newest first, for the card page: one query."""
    return list(
        db.session.scalars(
            select(Escalation)
            .where(Escalation.improvement_id == improvement_id)
            .options(joinedload(Escalation.asked_by), joinedload(Escalation.answered_by))
            .order_by(Escalation.asked_at.desc(), Escalation.id.desc())
        )
    )


def organization_escalations(organization_id: int) -> tuple[list[Escalation], list[Escalation]]:
    """Open escalations oldest first, then the latest answered ones: two queries."""
    base = (
        select(Escalation)
        .join(Team, Team.id == Escalation.team_id)
        .where(Team.organization_id == organization_id)
        .options(
            joinedload(Escalation.team),
            joinedload(Escalation.improvement),
            joinedload(Escalation.asked_by),
            joinedload(Escalation.answered_by),
        )
    )
    open_ones = db.session.scalars(
        base.where(Escalation.answered_at.is_(None)).order_by(Escalation.asked_at, Escalation.id)
    ).all()
    answered = db.session.scalars(
        base.where(Escalation.answered_at.is_not(None))
        .order_by(Escalation.answered_at.desc(), Escalation.id.desc())
        .limit(50)
    ).all()
    return list(open_ones), list(answered)
