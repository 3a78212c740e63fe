"""Reads behind the board and the card page, each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from lean.extensions import db
from lean.models import STAGES, Event, Improvement, Stage, Team, User


@dataclass
class BoardFilters:
    theme_id: int | None = None
    owner_id: int | None = None
    blocked_only: bool = False
    all_done: bool = False

    @property
    def active(self) -> bool:
        return bool(self.theme_id or self.owner_id or self.blocked_only)


@dataclass
class Card:
    improvement: Improvement
    entered_stage_at: datetime


@dataclass
class Column:
    stage: Stage
    count: int = 0
    cards: list[Card] = field(default_factory=list)

    @property
    def hidden(self) -> int:
        """Cards of this column not shown (only Done is cut)."""
        return self.count - len(self.cards)


def _board_conditions(team: Team, filters: BoardFilters) -> list:
    """The team's cards on the board, under its filters."""
    conditions = [Improvement.team_id == team.id, Improvement.archived.is_(False)]
    if filters.theme_id:
        conditions.append(Improvement.theme_id == filters.theme_id)
    if filters.owner_id:
        conditions.append(Improvement.owner_id == filters.owner_id)
    if filters.blocked_only:
        conditions.append(Improvement.blocked.is_(True))
    return conditions


def board_columns(team: Team, filters: BoardFilters, done_limit: int) -> list[Column]:
    """The six columns of a board in one query: cards and column counts.

    Window functions count each column and rank Done by completion, so that only the
    latest Done cards are loaded, however many the team has finished over the years.
    """
    entered = Improvement.stage_entered_at
    conditions = _board_conditions(team, filters)
    ranked = (
        select(
            Improvement.id,
            Improvement.stage,
            func.row_number()
            .over(partition_by=Improvement.stage, order_by=(entered.desc(), Improvement.id.desc()))
            .label("recency"),
            func.count().over(partition_by=Improvement.stage).label("column_count"),
        )
        .where(*conditions)
        .subquery()
    )
    shown = select(Improvement, ranked.c.column_count).join(ranked, ranked.c.id == Improvement.id)
    if not filters.all_done:
        shown = shown.where(or_(ranked.c.stage != Stage.DONE.value, ranked.c.recency <= done_limit))
    shown = shown.options(joinedload(Improvement.owner), joinedload(Improvement.theme)).order_by(
        Improvement.position, Improvement.id
    )

    columns = {stage: Column(stage) for stage in STAGES}
    for improvement, column_count in db.session.execute(shown):
        column = columns[Stage(improvement.stage)]
        column.count = column_count
        column.cards.append(Card(improvement, improvement.stage_entered_at))
    done = columns[Stage.DONE]
    done.cards.sort(key=lambda card: card.entered_stage_at, reverse=True)
    return list(columns.values())


def improvement_history(improvement: Improvement) -> list[Event]:
    """Every event of a card, newest first, with who did it."""
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.subject_type == "improvement", Event.subject_id == improvement.id)
            .options(joinedload(Event.actor))
            .order_by(Event.at.desc(), Event.id.desc())
        )
    )


def organization_teams(user: User) -> list[Team]:
    """Teams a user may open from the team picker: their organization's, or all for an admin."""
    query = select(Team).options(joinedload(Team.organization)).order_by(Team.name)
    if not user.is_admin:
        query = query.where(Team.organization_id == user.organization_id)
    return list(db.session.scalars(query))


def board_card(improvement: Improvement) -> Card:
    """One card as the board shows it, for the answer to a move."""
    return Card(improvement, improvement.stage_entered_at or improvement.created_at)


def column_counts(team: Team, filters: BoardFilters) -> list[Column]:
    """The six columns with their card counts only (no cards), under the board's filters."""
    conditions = _board_conditions(team, filters)
    counts = dict(
        db.session.execute(
            select(Improvement.stage, func.count()).where(*conditions).group_by(Improvement.stage)
        ).all()
    )
    return [Column(stage, counts.get(stage.value, 0)) for stage in STAGES]
