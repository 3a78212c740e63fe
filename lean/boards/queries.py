"""Reads behind the board and the card page, each a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from functools import cache

from sqlalchemy import BindParameter, Select, bindparam, func, or_, select
from sqlalchemy.orm import joinedload

from lean.boards import limits
from lean.boards.limits import wip_limits as wip_limits  # for the stand-up's agenda
from lean.core.extensions import db
from lean.models import (
    STAGES,
    Attachment,
    ChecklistItem,
    Event,
    Improvement,
    Stage,
    Team,
    Theme,
    User,
)
from lean.models.user import shown_name
from lean.shared import policy


@dataclass
class BoardFilters:
    theme_id: int | None = None
    owner_id: int | None = None
    blocked_only: bool = False
    all_done: bool = False

    @property
    def active(self) -> bool:
        return bool(self.theme_id or self.owner_id or self.blocked_only)


@dataclass(slots=True)
class Card:
    """What a board card shows, read as a row rather than as an Improvement with its owner and
    theme: building ~200 ORM objects cost more than rendering them."""

    id: int
    title: str
    stage: str
    theme_id: int
    theme_name: str
    owner_name: str | None
    blocked: bool
    blocked_reason: str
    due_date: date | None
    entered_stage_at: datetime
    days: int  # in its stage
    overdue: bool
    # Its checklist: items done, of how many (0 of 0: no checklist).
    checklist_done: int = 0
    checklist_total: int = 0
    # Its cover photo's attachment id (lean/boards/files.py), and the photo's description.
    cover_id: int | None = None
    cover_description: str = ""


@dataclass
class Column:
    stage: Stage
    count: int = 0
    cards: list[Card] = field(default_factory=list)
    # The team's work-in-progress limit of the column (limits.py); None without one, and on a
    # filtered board, whose counts are not the column's.
    limit: int | None = None

    @property
    def over_limit(self) -> bool:
        return self.limit is not None and self.count > self.limit

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


@cache
def _board_statement(theme: bool, owner: bool, blocked: bool, all_done: bool) -> Select:
    """The board's query for one combination of filters, built once per worker: building it
    (a ranked subquery, three joins) cost more than running it. The team, the filters' values
    and the Done limit are bound at each run."""
    conditions = [Improvement.team_id == bindparam("team_id"), Improvement.archived.is_(False)]
    if theme:
        conditions.append(Improvement.theme_id == bindparam("theme_id"))
    if owner:
        conditions.append(Improvement.owner_id == bindparam("owner_id"))
    if blocked:
        conditions.append(Improvement.blocked.is_(True))
    entered = Improvement.stage_entered_at
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
    shown = (
        select(
            Improvement.id,
            Improvement.title,
            Improvement.stage,
            Improvement.theme_id,
            Theme.name_fi,
            Theme.name_sv,
            Theme.name_en,
            User.id,
            User.stored_name,
            User.anonymised,
            Improvement.blocked,
            Improvement.blocked_reason,
            Improvement.due_date,
            entered,
            ranked.c.column_count,
            *_checklist_counts(),
            *_COVER_COLUMNS,
        )
        .join(ranked, ranked.c.id == Improvement.id)
        .join(Theme, Theme.id == Improvement.theme_id)
        .outerjoin(Attachment, _IS_COVER)
        .outerjoin(User, User.id == Improvement.owner_id)
        .order_by(Improvement.position, Improvement.id)
    )
    if not all_done:
        limit: BindParameter[int] = bindparam("done_limit")
        shown = shown.where(or_(ranked.c.stage != Stage.DONE.value, ranked.c.recency <= limit))
    return shown


# A card's cover, joined in the board's one statement: at most one file of a card is its
# cover (lean/boards/files.py sets it under the card's lock), so the join adds no rows.
_IS_COVER = (Attachment.improvement_id == Improvement.id) & Attachment.is_cover.is_(True)
_COVER_COLUMNS = (
    Attachment.id.label("cover_id"),
    Attachment.description.label("cover_description"),
)


def _checklist_counts() -> tuple:
    """A card's done and total checklist items, as columns of a statement about cards: two
    correlated counts on the items' index, so the board stays one statement."""

    def count(*conditions):
        return (
            select(func.count(ChecklistItem.id))
            .where(ChecklistItem.improvement_id == Improvement.id, *conditions)
            .correlate(Improvement)
            .scalar_subquery()
        )

    return (
        count(ChecklistItem.done.is_(True)).label("checklist_done"),
        count().label("checklist_total"),
    )


def checklist_counts() -> tuple:
    """The checklist's done and total counts as columns, for another area's statement about
    cards (the API's list of improvements)."""
    return _checklist_counts()


def board_columns(
    team: Team, filters: BoardFilters, done_limit: int, language: str
) -> list[Column]:
    """The six columns of a board in one query: cards and column counts.

    Window functions count each column and rank Done by completion, so that only the
    latest Done cards are loaded, however many the team has finished over the years. The
    cards are rows of the columns they show; theme names come in the page's `language`.
    """
    statement = _board_statement(
        bool(filters.theme_id), bool(filters.owner_id), filters.blocked_only, filters.all_done
    )
    values = {"team_id": team.id, "done_limit": done_limit}
    if filters.theme_id:
        values["theme_id"] = filters.theme_id
    if filters.owner_id:
        values["owner_id"] = filters.owner_id
    now = datetime.now(UTC)
    today = now.date()
    columns = {stage.value: Column(stage, limit=_limit(team, stage, filters)) for stage in STAGES}
    for row in db.session.execute(statement, values):
        id_, title, stage, theme_id, name_fi, name_sv, name_en = row[:7]
        owner_id, owner_stored, owner_anonymised, blocked, reason, due, since, count = row[7:15]
        names = {"fi": name_fi, "sv": name_sv, "en": name_en}
        column = columns[stage]
        column.count = count
        column.cards.append(
            Card(
                id=id_,
                title=title,
                stage=stage,
                theme_id=theme_id,
                theme_name=names.get(language) or name_en,
                owner_name=None
                if owner_id is None
                else shown_name(owner_id, owner_stored, owner_anonymised),
                blocked=blocked,
                blocked_reason=reason,
                due_date=due,
                entered_stage_at=since,
                days=max(0, (now - since).days) if since else 0,
                overdue=due is not None and due < today and stage != Stage.DONE.value,
                checklist_done=row.checklist_done,
                checklist_total=row.checklist_total,
                cover_id=row.cover_id,
                cover_description=row.cover_description or "",
            )
        )
    done = columns[Stage.DONE.value]
    done.cards.sort(key=lambda card: card.entered_stage_at, reverse=True)
    return list(columns.values())


def board_themes() -> list[Theme]:
    """The active themes for the board's filter and quick add: names only, no focus areas."""
    return list(
        db.session.scalars(
            select(Theme).where(Theme.retired.is_(False)).order_by(Theme.position, Theme.id)
        )
    )


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
    return list(
        db.session.scalars(
            select(Team)
            .where(policy.readable_teams(user, Team.id))
            .options(joinedload(Team.organization))
            .order_by(Team.name)
        )
    )


def board_card(improvement: Improvement, language: str) -> Card:
    """One card as the board shows it, for the answer to a move."""
    entered = improvement.stage_entered_at or improvement.created_at
    now = datetime.now(UTC)
    checklist_done, checklist_total, cover_id, cover_description = db.session.execute(
        select(*_checklist_counts(), *_COVER_COLUMNS)
        .select_from(Improvement)
        .outerjoin(Attachment, _IS_COVER)
        .where(Improvement.id == improvement.id)
    ).one()
    return Card(
        id=improvement.id,
        title=improvement.title,
        stage=improvement.stage,
        theme_id=improvement.theme_id,
        theme_name=improvement.theme.name_in(language),
        owner_name=improvement.owner.name if improvement.owner else None,
        blocked=improvement.blocked,
        blocked_reason=improvement.blocked_reason,
        due_date=improvement.due_date,
        entered_stage_at=entered,
        days=max(0, (now - entered).days),
        overdue=improvement.is_overdue(now.date()),
        checklist_done=checklist_done,
        checklist_total=checklist_total,
        cover_id=cover_id,
        cover_description=cover_description or "",
    )


def column_counts(team: Team, filters: BoardFilters) -> list[Column]:
    """The six columns with their card counts only (no cards), under the board's filters."""
    conditions = _board_conditions(team, filters)
    counts = dict(
        db.session.execute(
            select(Improvement.stage, func.count()).where(*conditions).group_by(Improvement.stage)
        )
        .tuples()
        .all()
    )
    return [
        Column(stage, counts.get(stage.value, 0), limit=_limit(team, stage, filters))
        for stage in STAGES
    ]


def _limit(team: Team, stage: Stage, filters: BoardFilters) -> int | None:
    """The column's limit as the board shows it: read from the team row, no statement."""
    return None if filters.active else limits.wip_limit(team, stage)
