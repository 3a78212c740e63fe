"""Reads behind the API's lists of organizations, teams, kaizens, A3 sheets, stand-ups and
practices: each list is one statement ordered by id (the cursor), filtered in SQL by the
very rules lean/shared/policy.py answers for one object; what a page's rows hold besides is
read for the whole page at once, so a page runs a fixed number of statements.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import joinedload

from lean.a3.queries import SECTIONS, SheetContent, progress_columns, sheet_content
from lean.core.extensions import db
from lean.models import (
    A3Sheet,
    Adoption,
    Escalation,
    Improvement,
    KaizenEntry,
    Membership,
    Organization,
    Practice,
    PracticeComment,
    Standup,
    StandupAttendee,
    StandupItem,
    Team,
    User,
)
from lean.shared import policy

# ---- organizations and teams ---------------------------------------------------------------


def organizations(user: User) -> Select:
    """The organizations the person reads: their own; an installation's admin every one.
    Each row: the organization and its number of teams not archived."""
    teams = (
        select(func.count(Team.id))
        .where(Team.organization_id == Organization.id, Team.archived.is_(False))
        .correlate(Organization)
        .scalar_subquery()
    )
    return (
        select(Organization, teams.label("team_count"))
        .where(policy.readable_organizations(user))
        .order_by(Organization.id)
    )


@dataclass
class TeamFilters:
    organization_id: int | None = None
    archived: bool | None = None


def teams(user: User, filters: TeamFilters) -> Select:
    """The teams the person reads, each with the person's own role in it (None: not theirs)."""
    query = (
        select(Team, Membership.role.label("role"))
        .outerjoin(Membership, and_(Membership.team_id == Team.id, Membership.user_id == user.id))
        .where(policy.readable_teams(user, Team.id))
        .options(joinedload(Team.organization))
        .order_by(Team.id)
    )
    if filters.organization_id is not None:
        query = query.where(Team.organization_id == filters.organization_id)
    if filters.archived is not None:
        query = query.where(Team.archived.is_(filters.archived))
    return query


# ---- kaizens -------------------------------------------------------------------------------


@dataclass
class KaizenFilters:
    team_id: int | None = None
    theme_id: int | None = None
    updated_since: datetime | None = None
    logged_since: datetime | None = None
    done_from: date | None = None
    done_to: date | None = None


def kaizens(user: User, filters: KaizenFilters) -> Select:
    """The kaizens of the teams the person reads, deleted ones left out, oldest first."""
    query = (
        select(KaizenEntry)
        .where(policy.readable_teams(user, KaizenEntry.team_id), KaizenEntry.deleted_at.is_(None))
        .options(
            joinedload(KaizenEntry.team),
            joinedload(KaizenEntry.author),
            joinedload(KaizenEntry.theme),
        )
        .order_by(KaizenEntry.id)
    )
    if filters.team_id is not None:
        query = query.where(KaizenEntry.team_id == filters.team_id)
    if filters.theme_id is not None:
        query = query.where(KaizenEntry.theme_id == filters.theme_id)
    if filters.updated_since is not None:
        query = query.where(KaizenEntry.updated_at >= filters.updated_since)
    if filters.logged_since is not None:
        query = query.where(KaizenEntry.created_at >= filters.logged_since)
    if filters.done_from is not None:
        query = query.where(KaizenEntry.done_on >= filters.done_from)
    if filters.done_to is not None:
        query = query.where(KaizenEntry.done_on <= filters.done_to)
    return query


# ---- A3 sheets -----------------------------------------------------------------------------


@dataclass
class A3Filters:
    team_id: int | None = None
    stage: str | None = None
    revised_since: datetime | None = None


def a3_sheets(user: User, filters: A3Filters) -> Select:
    """The sheets the person reads (their organization's; a peer coach's own), each with its
    progress, counted by the database."""
    query = (
        select(A3Sheet, *progress_columns())
        .join(Improvement, Improvement.id == A3Sheet.improvement_id)
        .where(policy.readable_a3_sheets(user))
        .options(
            joinedload(A3Sheet.improvement)
            .joinedload(Improvement.team)
            .joinedload(Team.organization),
            joinedload(A3Sheet.coach),
        )
        .order_by(A3Sheet.id)
    )
    if filters.team_id is not None:
        query = query.where(Improvement.team_id == filters.team_id)
    if filters.stage:
        query = query.where(Improvement.stage == filters.stage)
    if filters.revised_since is not None:
        query = query.where(A3Sheet.revised_at >= filters.revised_since)
    return query


SECTION_COUNT = len(SECTIONS)


def a3_sheet(user: User, sheet_id: int) -> tuple[A3Sheet, SheetContent, tuple[int, ...]]:
    """One sheet the person reads (else 404), what its sections list, and its progress as the
    list counts it: six statements."""
    sheet = policy.a3_for_read(user, sheet_id)
    progress = db.session.execute(select(*progress_columns()).where(A3Sheet.id == sheet.id)).one()
    return sheet, sheet_content(sheet.id, with_comments=False), tuple(progress)


# ---- stand-ups -----------------------------------------------------------------------------


@dataclass
class StandupFilters:
    team_id: int | None = None
    start_at: datetime | None = None  # the first moment of the period
    end_at: datetime | None = None  # the first moment after it


def standups(user: User, filters: StandupFilters) -> Select:
    """The stand-ups of the teams the person reads, oldest first."""
    query = (
        select(Standup)
        .where(policy.readable_teams(user, Standup.team_id))
        .options(joinedload(Standup.team), joinedload(Standup.led_by))
        .order_by(Standup.id)
    )
    if filters.team_id is not None:
        query = query.where(Standup.team_id == filters.team_id)
    if filters.start_at is not None:
        query = query.where(Standup.started_at >= filters.start_at)
    if filters.end_at is not None:
        query = query.where(Standup.started_at < filters.end_at)
    return query


@dataclass
class StandupRecord:
    """What a stand-up left behind besides its own row."""

    attendees: list[User] = field(default_factory=list)
    decisions: list[StandupItem] = field(default_factory=list)
    escalations: list[Escalation] = field(default_factory=list)


def standup_records(standup_ids: Sequence[int]) -> dict[int, StandupRecord]:
    """The attendees, decisions and escalations of a page of stand-ups: three statements."""
    records: dict[int, StandupRecord] = defaultdict(StandupRecord)
    if not standup_ids:
        return records
    ids = list(standup_ids)
    for standup_id, person in db.session.execute(
        select(StandupAttendee.standup_id, User)
        .join(User, User.id == StandupAttendee.user_id)
        .where(StandupAttendee.standup_id.in_(ids))
        .order_by(StandupAttendee.standup_id, User.stored_name, User.id)
    ):
        records[standup_id].attendees.append(person)
    for item in db.session.scalars(
        select(StandupItem)
        .where(StandupItem.standup_id.in_(ids), StandupItem.decision != "")
        .options(joinedload(StandupItem.improvement))
        .order_by(StandupItem.standup_id, StandupItem.position, StandupItem.id)
    ):
        records[item.standup_id].decisions.append(item)
    for escalation in db.session.scalars(
        select(Escalation)
        .where(Escalation.standup_id.in_(ids))
        .options(joinedload(Escalation.improvement))
        .order_by(Escalation.asked_at, Escalation.id)
    ):
        records[escalation.standup_id or 0].escalations.append(escalation)
    return records


# ---- practices -----------------------------------------------------------------------------


@dataclass
class PracticeFilters:
    organization_id: int | None = None
    theme_id: int | None = None
    kind: str | None = None
    updated_since: datetime | None = None
    withdrawn: bool = False


def practices(user: User, filters: PracticeFilters) -> Select:
    """The network's practices the person reads, as the network's library lists them (the
    published ones) or, asked for, the withdrawn ones they may still read (their own
    organization's); with their adoptions and comments counted by the database."""
    adoptions = (
        select(func.count(Adoption.id))
        .where(Adoption.practice_id == Practice.id)
        .correlate(Practice)
        .scalar_subquery()
    )
    comments = (
        select(func.count(PracticeComment.id))
        .where(PracticeComment.practice_id == Practice.id)
        .correlate(Practice)
        .scalar_subquery()
    )
    query = (
        select(Practice, adoptions.label("adoptions"), comments.label("comments"))
        .where(
            policy.readable_practices(user),
            Practice.withdrawn_at.is_not(None)
            if filters.withdrawn
            else Practice.withdrawn_at.is_(None),
        )
        .options(
            joinedload(Practice.organization),
            joinedload(Practice.theme),
            joinedload(Practice.focus_area),
            joinedload(Practice.published_by),
        )
        .order_by(Practice.id)
    )
    if filters.organization_id is not None:
        query = query.where(Practice.organization_id == filters.organization_id)
    if filters.theme_id is not None:
        query = query.where(Practice.theme_id == filters.theme_id)
    if filters.kind:
        query = query.where(Practice.kind == filters.kind)
    if filters.updated_since is not None:
        query = query.where(Practice.updated_at >= filters.updated_since)
    return query
