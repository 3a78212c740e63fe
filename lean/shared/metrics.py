"""Read-only SQL aggregates behind the dashboards, a fixed number of queries whatever the data.

Rules for the figures (the README repeats them):

- A card is *in progress* while it stands in Plan, Do, Check or Act and is not archived.
- A card is *completed* when it stands in Done now (archived or not) and its last arrival in
  Done falls in the period. A card moved back out of Done is not completed; when it reaches
  Done again, that last arrival is its completion.
- *Cycle time* runs from the card's first entry into Plan (or into any later stage, for a card
  that skipped Plan; a card created directly in Plan, as an adopted practice is, starts at its
  creation) to its completion; *lead time* from its creation to its completion. Both come
  from the stage times the moves keep on the card (lean/models/improvement.py), which
  agree with its events.
- Kaizens count by the day they were done; deleted kaizens do not count.
- Open escalations and work in progress are as they stand now; completions, kaizens and hours
  saved follow the period.

Medians: SQLite has no median or percentile function, so the durations of the cards completed
in the period are fetched in one query (two numbers per card, computed by the database) and the
median is taken in Python; the same code then runs on both databases.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Float,
    Row,
    Select,
    and_,
    bindparam,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from lean.core.extensions import db
from lean.models import (
    Escalation,
    Improvement,
    KaizenEntry,
    OverLimitDay,
    Stage,
    Standup,
    Team,
    Theme,
)
from lean.models.base import UTCDateTime
from lean.shared.rhythm import rhythm_kept

IN_PROGRESS = (Stage.PLAN.value, Stage.DO.value, Stage.CHECK.value, Stage.ACT.value)
STARTED = (*IN_PROGRESS, Stage.DONE.value)
NOT_DONE = (Stage.IDEA.value, *IN_PROGRESS)
# Upper bounds (days) of the cycle-time distribution's bins; the last bin is open.
CYCLE_BINS = (7, 14, 30, 60, 90)
AGEING_ROWS = 10


# ---- SQL helpers that differ between the databases ----------------------------------------


class days_between(FunctionElement):
    """Days (fractional) from the first timestamp to the second, in the database."""

    type = Float()
    inherit_cache = True


@compiles(days_between, "sqlite")
def _days_between_sqlite(element, compiler, **kw):
    start, end = list(element.clauses)
    return (
        f"(julianday({compiler.process(end, **kw)}) - julianday({compiler.process(start, **kw)}))"
    )


@compiles(days_between, "postgresql")
def _days_between_postgresql(element, compiler, **kw):
    start, end = list(element.clauses)
    return (
        f"(EXTRACT(EPOCH FROM ({compiler.process(end, **kw)} - "
        f"{compiler.process(start, **kw)})) / 86400.0)"
    )


# ---- what the figures are about ------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """The teams, theme and period the figures cover, and the moment they are computed at."""

    team_ids: tuple[int, ...]
    start: date
    end: date  # inclusive
    zone: ZoneInfo
    now: datetime
    theme_id: int | None = None

    @property
    def start_at(self) -> datetime:
        return _local_midnight(self.start, self.zone)

    @property
    def end_at(self) -> datetime:
        """The first moment after the period."""
        return _local_midnight(self.end + timedelta(days=1), self.zone)

    @property
    def today(self) -> date:
        return self.now.astimezone(self.zone).date()

    def months(self) -> list[date]:
        """The first day of each calendar month the period touches."""
        months = []
        month = self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = (month + timedelta(days=32)).replace(day=1)
        return months


def _local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _card_conditions(scope: Scope) -> list:
    conditions: list[ColumnElement[bool]] = [Improvement.team_id.in_(scope.team_ids)]
    if scope.theme_id:
        conditions.append(Improvement.theme_id == scope.theme_id)
    return conditions


def _completed_in_period(scope: Scope) -> list:
    """Cards whose last arrival in Done falls in the period and that stand in Done now (a card
    moved out of Done has no completed_at)."""
    return [
        *_card_conditions(scope),
        Improvement.completed_at >= scope.start_at,
        Improvement.completed_at < scope.end_at,
    ]


# ---- the queries ----------------------------------------------------------------------------


@dataclass
class TeamFacts:
    """A team with its stand-up facts: the one query that also lists the filter's teams."""

    team: Team
    last_standup_at: datetime | None
    open_escalations: int


def organization_teams(organization_id: int, theme_id: int | None = None) -> list[TeamFacts]:
    """Every team of the organization, archived ones too, with its last stand-up and open
    escalations (about cards of the theme, when one is chosen)."""
    last_standup = (
        select(func.max(Standup.started_at))
        .where(Standup.team_id == Team.id)
        .correlate(Team)
        .scalar_subquery()
    )
    open_escalations = (
        select(func.count(Escalation.id))
        .where(Escalation.team_id == Team.id, Escalation.answered_at.is_(None))
        .correlate(Team)
    )
    if theme_id:
        open_escalations = open_escalations.join(
            Improvement, Improvement.id == Escalation.improvement_id
        ).where(Improvement.theme_id == theme_id)
    rows = db.session.execute(
        select(Team, last_standup.label("last"), open_escalations.scalar_subquery().label("open"))
        .where(Team.organization_id == organization_id)
        .order_by(Team.archived, Team.name)
    )
    return [TeamFacts(team, last, open_count or 0) for team, last, open_count in rows]


def stage_counts(scope: Scope) -> Sequence[Row[Any]]:
    """(team_id, theme_id, stage, cards, blocked, overdue) of the cards on the boards now."""
    not_done = Improvement.stage.in_(NOT_DONE)
    return db.session.execute(
        select(
            Improvement.team_id,
            Improvement.theme_id,
            Improvement.stage,
            func.count(Improvement.id),
            func.count(case((and_(not_done, Improvement.blocked.is_(True)), 1))),
            func.count(case((and_(not_done, Improvement.due_date < scope.today), 1))),
        )
        .where(*_card_conditions(scope), Improvement.archived.is_(False))
        .group_by(Improvement.team_id, Improvement.theme_id, Improvement.stage)
    ).all()


def _month_bucket(column, scope: Scope):
    """The index of the period's month a timestamp falls in (months in the local time zone)."""
    months = scope.months()
    if len(months) == 1:
        return literal_column("0")
    return case(
        *(
            (column < _local_midnight(month, scope.zone), literal_column(str(index - 1)))
            for index, month in enumerate(months[1:], start=1)
        ),
        else_=literal_column(str(len(months) - 1)),
    )


def completions(scope: Scope) -> Sequence[Row[Any]]:
    """(team_id, theme_id, month index, cards completed, hours saved per month) in the period."""
    completed = (
        select(
            Improvement.team_id.label("team_id"),
            Improvement.theme_id.label("theme_id"),
            _month_bucket(Improvement.completed_at, scope).label("month"),
            Improvement.hours_saved_per_month.label("hours"),
        )
        .where(*_completed_in_period(scope))
        .subquery()
    )
    # Grouped outside: PostgreSQL would not match a CASE of bound parameters in GROUP BY.
    return db.session.execute(
        select(
            completed.c.team_id,
            completed.c.theme_id,
            completed.c.month,
            func.count(),
            func.sum(completed.c.hours),
        ).group_by(completed.c.team_id, completed.c.theme_id, completed.c.month)
    ).all()


def _cycle_start():
    """Where cycle time starts: the first start, or creation for a card that never started."""
    return func.coalesce(Improvement.first_started_at, Improvement.created_at)


def completed_durations(scope: Scope) -> Sequence[Row[Any]]:
    """(cycle days, lead days) of each card completed in the period, computed by the database."""
    return db.session.execute(
        select(
            days_between(_cycle_start(), Improvement.completed_at),
            days_between(Improvement.created_at, Improvement.completed_at),
        ).where(*_completed_in_period(scope))
    ).all()


def kaizen_counts(scope: Scope) -> Sequence[Row[Any]]:
    """(team_id, theme_id, kaizens, hours saved per month) of the kaizens done in the period."""
    conditions = [
        KaizenEntry.team_id.in_(scope.team_ids),
        KaizenEntry.deleted_at.is_(None),
        KaizenEntry.done_on >= scope.start,
        KaizenEntry.done_on <= scope.end,
    ]
    if scope.theme_id:
        conditions.append(KaizenEntry.theme_id == scope.theme_id)
    return db.session.execute(
        select(
            KaizenEntry.team_id,
            KaizenEntry.theme_id,
            func.count(KaizenEntry.id),
            func.sum(KaizenEntry.hours_saved_per_month),
        )
        .where(*conditions)
        .group_by(KaizenEntry.team_id, KaizenEntry.theme_id)
    ).all()


def over_limit_days(scope: Scope) -> Sequence[Row[Any]]:
    """(team, stage, days) on which each column stood over its work-in-progress limit in the
    period: one statement for every team."""
    return db.session.execute(
        select(OverLimitDay.team_id, OverLimitDay.stage, func.count())
        .where(
            OverLimitDay.team_id.in_(scope.team_ids),
            OverLimitDay.day >= scope.start,
            OverLimitDay.day <= scope.end,
        )
        .group_by(OverLimitDay.team_id, OverLimitDay.stage)
    ).all()


def _stage_limit():
    return case(
        (Improvement.stage == Stage.PLAN.value, Team.plan_limit_days),
        (Improvement.stage == Stage.DO.value, Team.do_limit_days),
        (Improvement.stage == Stage.CHECK.value, Team.check_limit_days),
        else_=Team.act_limit_days,
    )


@dataclass
class AgeingCard:
    improvement_id: int
    title: str
    team_id: int
    team_name: str
    stage: Stage
    entered_at: datetime
    days_in_stage: int
    limit_days: int

    @property
    def ratio(self) -> float:
        return self.days_in_stage / self.limit_days if self.limit_days else 0.0

    @property
    def over_limit(self) -> bool:
        return self.days_in_stage > self.limit_days


def ageing(scope: Scope, rows: int = AGEING_ROWS) -> list[AgeingCard]:
    """The cards in progress longest in their stage relative to their team's limit for it."""
    entered = Improvement.stage_entered_at
    now = literal(scope.now, UTCDateTime)
    cards = (
        select(
            Improvement.id.label("id"),
            Improvement.title.label("title"),
            Improvement.team_id.label("team_id"),
            Team.name.label("team_name"),
            Improvement.stage.label("stage"),
            entered.label("entered_at"),
            days_between(entered, now).label("age"),
            _stage_limit().label("limit_days"),
        )
        .join(Team, Team.id == Improvement.team_id)
        .where(
            *_card_conditions(scope),
            Improvement.archived.is_(False),
            Improvement.stage.in_(IN_PROGRESS),
        )
        .subquery()
    )
    ratio = cards.c.age / func.nullif(cards.c.limit_days, 0)
    result = db.session.execute(
        select(cards)
        .order_by(func.coalesce(ratio, 0).desc(), cards.c.age.desc(), cards.c.id)
        .limit(rows)
    )
    return [
        AgeingCard(
            row.id,
            row.title,
            row.team_id,
            row.team_name,
            Stage(row.stage),
            _aware(row.entered_at),
            int(row.age),
            row.limit_days,
        )
        for row in result
    ]


def _aware(moment) -> datetime:
    """A timestamp read through an expression (SQLite gives it back as text, without a zone)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ---- the dashboard, assembled from the queries' grouped rows ------------------------------


@dataclass
class TeamRow:
    team: Team
    stages: dict[str, int] = field(default_factory=lambda: dict.fromkeys(NOT_DONE, 0))
    blocked: int = 0
    overdue: int = 0
    completed: int = 0
    kaizens: int = 0
    last_standup_at: datetime | None = None
    open_escalations: int = 0
    rhythm_kept: bool | None = None
    # {stage: days its column stood over its work-in-progress limit in the period}
    over_limit_days: dict[str, int] = field(default_factory=dict)

    @property
    def in_progress(self) -> int:
        return sum(self.stages[stage] for stage in IN_PROGRESS)

    @property
    def days_over_limit(self) -> int:
        """Column-days over a limit in the period, all stages together (for sorting)."""
        return sum(self.over_limit_days.values())


@dataclass
class KeyFigures:
    in_progress: int = 0
    completed: int = 0
    median_cycle_days: float | None = None
    median_lead_days: float | None = None
    kaizens: int = 0
    hours_saved: Decimal = Decimal(0)
    open_escalations: int = 0
    rhythm_broken: int = 0


@dataclass
class Dashboard:
    scope: Scope
    figures: KeyFigures
    teams: list[TeamRow]
    # {theme_id: [completed per month of the period]}
    throughput: dict[int, list[int]]
    months: list[date]
    # [(label upper bound or None for the open bin, cards)]
    cycle_distribution: list[tuple[int | None, int]]
    # {theme_id: (active, completed, kaizens)}
    themes: dict[int, tuple[int, int, int]]
    ageing: list[AgeingCard]


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def cycle_distribution(cycle_days: list[float]) -> list[tuple[int | None, int]]:
    """How many completed cards took up to 7, 14, 30, 60, 90 and more days."""
    counts = [0] * (len(CYCLE_BINS) + 1)
    for days in cycle_days:
        index = next((i for i, bound in enumerate(CYCLE_BINS) if days <= bound), len(CYCLE_BINS))
        counts[index] += 1
    return list(zip((*CYCLE_BINS, None), counts, strict=True))


def dashboard(scope: Scope, teams: list[TeamFacts]) -> Dashboard:
    """Every figure of the dashboard: six queries besides the teams', whatever the data size."""
    rows = {
        facts.team.id: TeamRow(
            facts.team,
            last_standup_at=facts.last_standup_at,
            open_escalations=facts.open_escalations,
            rhythm_kept=None
            if facts.team.archived
            else rhythm_kept(
                facts.team.standup_weekdays,
                facts.team.standup_time,
                facts.last_standup_at,
                scope.now,
                scope.zone,
            ),
        )
        for facts in teams
        if facts.team.id in scope.team_ids
    }
    figures = KeyFigures()
    theme_active: dict[int, int] = defaultdict(int)
    theme_completed: dict[int, int] = defaultdict(int)
    theme_kaizens: dict[int, int] = defaultdict(int)
    months = scope.months()
    throughput: dict[int, list[int]] = defaultdict(lambda: [0] * len(months))

    for team_id, theme_id, stage, cards, blocked, overdue in stage_counts(scope):
        row = rows[team_id]
        if stage in row.stages:
            row.stages[stage] += cards
        row.blocked += blocked
        row.overdue += overdue
        if stage in IN_PROGRESS:
            figures.in_progress += cards
            theme_active[theme_id] += cards

    for team_id, theme_id, month, cards, hours in completions(scope):
        rows[team_id].completed += cards
        figures.completed += cards
        figures.hours_saved += hours or 0
        theme_completed[theme_id] += cards
        throughput[theme_id][int(month)] += cards

    for team_id, theme_id, entries, hours in kaizen_counts(scope):
        rows[team_id].kaizens += entries
        figures.kaizens += entries
        figures.hours_saved += hours or 0
        theme_kaizens[theme_id] += entries

    for team_id, stage, days in over_limit_days(scope):
        if stage in IN_PROGRESS:
            rows[team_id].over_limit_days[stage] = days

    durations = completed_durations(scope)
    cycle_days = [float(cycle) for cycle, _lead in durations]
    figures.median_cycle_days = median(cycle_days)
    figures.median_lead_days = median([float(lead) for _cycle, lead in durations])
    figures.open_escalations = sum(row.open_escalations for row in rows.values())
    figures.rhythm_broken = sum(1 for row in rows.values() if row.rhythm_kept is False)

    theme_ids = set(theme_active) | set(theme_completed) | set(theme_kaizens)
    return Dashboard(
        scope=scope,
        figures=figures,
        teams=list(rows.values()),
        throughput=dict(throughput),
        months=months,
        cycle_distribution=cycle_distribution(cycle_days),
        themes={
            theme_id: (theme_active[theme_id], theme_completed[theme_id], theme_kaizens[theme_id])
            for theme_id in theme_ids
        },
        ageing=ageing(scope),
    )


# ---- lists behind the figures ----------------------------------------------------------------


class ListedTeam(NamedTuple):
    id: int
    name: str


class ListedImprovement(NamedTuple):
    """The columns of a card the lists, exports and report show: read as rows, since building
    thousands of ORM objects cost more than the query itself."""

    id: int
    title: str
    problem: str
    stage: str
    archived: bool
    blocked: bool
    due_date: date | None
    created_at: datetime
    measured_result: str
    standard: str
    hours_saved_per_month: Decimal | None
    money_saved_per_year: Decimal | None
    quality_change: str
    theme_id: int
    owner_id: int | None
    blocked_reason: str
    team: ListedTeam
    theme: Theme


LISTED_COLUMNS = [
    Improvement.id,
    Improvement.title,
    Improvement.problem,
    Improvement.stage,
    Improvement.archived,
    Improvement.blocked,
    Improvement.due_date,
    Improvement.created_at,
    Improvement.measured_result,
    Improvement.standard,
    Improvement.hours_saved_per_month,
    Improvement.money_saved_per_year,
    Improvement.quality_change,
    Improvement.theme_id,
    Improvement.owner_id,
    Improvement.blocked_reason,
]


@dataclass
class ListedCard:
    improvement: ListedImprovement
    started_at: datetime | None
    completed_at: datetime | None
    cycle_days: float | None
    lead_days: float | None

    @property
    def completed(self) -> bool:
        return self.completed_at is not None


def improvement_list(scope: Scope, completed_only: bool = False) -> list[ListedCard]:
    """The cards behind the figures: those in progress now and those completed in the period."""
    in_progress = and_(Improvement.archived.is_(False), Improvement.stage.in_(IN_PROGRESS))
    completed = and_(*_completed_in_period(scope))
    query = (
        select(
            *LISTED_COLUMNS,
            Team.id,
            Team.name,
            Theme,
            Improvement.first_started_at,
            case((completed, Improvement.completed_at)),
            case((completed, days_between(_cycle_start(), Improvement.completed_at))),
            case((completed, days_between(Improvement.created_at, Improvement.completed_at))),
        )
        .join(Team, Team.id == Improvement.team_id)
        .join(Theme, Theme.id == Improvement.theme_id)
        .where(
            *_card_conditions(scope), completed if completed_only else or_(completed, in_progress)
        )
        .order_by(Improvement.theme_id, Improvement.team_id, Improvement.id)
    )
    width = len(LISTED_COLUMNS)
    return [
        ListedCard(
            # The row's first columns are LISTED_COLUMNS, which mypy cannot count.
            ListedImprovement(*row[:width], ListedTeam(row[width], row[width + 1]), row[width + 2]),  # type: ignore[call-arg]
            row[width + 3],
            _aware(completed_at) if completed_at is not None else None,
            round(cycle, 1) if cycle is not None else None,
            round(lead, 1) if lead is not None else None,
        )
        for row in db.session.execute(query)
        for completed_at, cycle, lead in (row[width + 4 :],)
    ]


# ---- a team's key figures on its board --------------------------------------------------------


@dataclass
class TeamFigures:
    in_progress: int
    blocked: int
    overdue: int
    completed: int
    kaizens: int
    open_escalations: int
    last_standup_at: datetime | None
    rhythm_kept: bool | None


@cache
def _team_figures_statement() -> Select:
    """The key figures' query, built once per worker (building it cost more than running it);
    the team and the period are bound at each run."""
    team_id: BindParameter[int] = bindparam("team_id")
    on_board = and_(Improvement.team_id == team_id, Improvement.archived.is_(False))
    not_done = Improvement.stage.in_(NOT_DONE)

    def count_cards(*conditions):
        return select(func.count(Improvement.id)).where(on_board, *conditions).scalar_subquery()

    completed = (
        select(func.count(Improvement.id))
        .where(
            Improvement.team_id == team_id,
            Improvement.completed_at >= bindparam("start_at"),
            Improvement.completed_at < bindparam("end_at"),
        )
        .scalar_subquery()
    )
    kaizens = (
        select(func.count(KaizenEntry.id))
        .where(
            KaizenEntry.team_id == team_id,
            KaizenEntry.deleted_at.is_(None),
            KaizenEntry.done_on >= bindparam("start"),
            KaizenEntry.done_on <= bindparam("end"),
        )
        .scalar_subquery()
    )
    escalations = (
        select(func.count(Escalation.id))
        .where(Escalation.team_id == team_id, Escalation.answered_at.is_(None))
        .scalar_subquery()
    )
    last_standup = select(func.max(Standup.started_at)).where(Standup.team_id == team_id)
    return select(
        count_cards(Improvement.stage.in_(IN_PROGRESS)),
        count_cards(not_done, Improvement.blocked.is_(True)),
        count_cards(not_done, Improvement.due_date < bindparam("today")),
        completed,
        kaizens,
        escalations,
        last_standup.scalar_subquery(),
    )


def team_figures(team: Team, scope: Scope) -> TeamFigures:
    """A team's key figures in one query (the board page may add only one)."""
    row = db.session.execute(
        _team_figures_statement(),
        {
            "team_id": team.id,
            "start_at": scope.start_at,
            "end_at": scope.end_at,
            "start": scope.start,
            "end": scope.end,
            "today": scope.today,
        },
    ).one()
    last = _aware(row[6]) if row[6] else None
    return TeamFigures(  # type: ignore[misc]  # the row's first six columns, in the fields' order
        *row[:6],
        last_standup_at=last,
        rhythm_kept=rhythm_kept(
            team.standup_weekdays, team.standup_time, last, scope.now, scope.zone
        ),
    )


@dataclass(frozen=True)
class OpenEscalation:
    escalation_id: int
    team_name: str
    improvement_id: int
    improvement_title: str
    question: str
    asked_at: datetime
    age_days: int


def open_escalations(scope: Scope, limit: int = 10) -> list[OpenEscalation]:
    """The oldest unanswered questions of the scope's teams, with their age: one query."""
    query = (
        select(Escalation.id, Team.name, Improvement.id, Improvement.title)
        .add_columns(Escalation.question, Escalation.asked_at)
        .join(Team, Team.id == Escalation.team_id)
        .join(Improvement, Improvement.id == Escalation.improvement_id)
        .where(Escalation.team_id.in_(scope.team_ids), Escalation.answered_at.is_(None))
        .order_by(Escalation.asked_at, Escalation.id)
        .limit(limit)
    )
    if scope.theme_id:
        query = query.where(Improvement.theme_id == scope.theme_id)
    return [
        OpenEscalation(*row[:5], asked_at=row[5], age_days=(scope.now - row[5]).days)  # type: ignore[misc]  # five columns
        for row in db.session.execute(query)
    ]
