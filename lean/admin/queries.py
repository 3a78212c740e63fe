"""Reads behind the admin pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from lean.core.extensions import db
from lean.models import Event, Membership, Organization, Team, Theme, User
from lean.models.user import shown_name

AUDITED = ("organization", "team", "user", "theme", "sign_on_provider", "webhook_endpoint")
AUDIT_PAGE = 200


def organizations() -> list[Organization]:
    return list(db.session.scalars(select(Organization).order_by(Organization.name)))


def teams_of(organization: Organization) -> list[Team]:
    return list(
        db.session.scalars(
            select(Team)
            .where(Team.organization_id == organization.id)
            .options(selectinload(Team.memberships))
            .order_by(Team.archived, Team.name)
        )
    )


def people_of(organization: Organization) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.organization_id == organization.id)
            .options(selectinload(User.memberships).joinedload(Membership.team))
            .order_by(User.active.desc(), User.name)
        )
    )


def members_of(team: Team) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .where(Membership.team_id == team.id)
            .options(joinedload(Membership.user))
            .join(User)
            .order_by(User.name)
        )
    )


def themes() -> list[Theme]:
    return list(
        db.session.scalars(
            select(Theme)
            .options(selectinload(Theme.focus_areas))
            .order_by(Theme.position, Theme.id)
        )
    )


def audit_log(
    organization_id: int | None,
    subject: str | None,
    actor_id: int | None,
    date_from: date | None,
    date_to: date | None,
) -> list[Event]:
    """Changes to organizations, teams, roles, people, themes, sign-on providers and webhooks,
    newest first.

    organization_id None means the whole installation (admins).
    """
    query = (
        select(Event)
        .where(Event.subject_type.in_([subject] if subject else AUDITED))
        .options(joinedload(Event.actor))
        .order_by(Event.at.desc(), Event.id.desc())
        .limit(AUDIT_PAGE)
    )
    if organization_id is not None:
        query = query.where(Event.organization_id == organization_id)
    if actor_id:
        query = query.where(Event.actor_id == actor_id)
    if date_from:
        query = query.where(Event.at >= _start_of(date_from))
    if date_to:
        query = query.where(Event.at < _start_of(date_to + timedelta(days=1)))
    return list(db.session.scalars(query))


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def audit_actors(organization_id: int | None) -> list[User]:
    query = select(User).order_by(User.name)
    if organization_id is not None:
        query = query.where(User.organization_id == organization_id)
    return list(db.session.scalars(query))


def names_of_users(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = db.session.execute(
        select(User.id, User.stored_name, User.anonymised).where(User.id.in_(ids))
    )
    return {
        user_id: shown_name(user_id, stored, anonymised) for user_id, stored, anonymised in rows
    }


def organization_named(name: str) -> Organization | None:
    return db.session.scalar(select(Organization).where(Organization.name == name.strip()))


def team_named(organization: Organization, name: str, except_team: Team | None = None) -> bool:
    query = select(Team.id).where(
        Team.organization_id == organization.id, Team.name == name.strip()
    )
    if except_team is not None:
        query = query.where(Team.id != except_team.id)
    return db.session.scalar(query) is not None


def theme_keyed(key: str, except_theme: Theme | None = None) -> bool:
    query = select(Theme.id).where(Theme.key == key)
    if except_theme is not None:
        query = query.where(Theme.id != except_theme.id)
    return db.session.scalar(query) is not None


def active_people_of(organization: Organization) -> list[User]:
    """Those who can be added to a team."""
    return [person for person in people_of(organization) if person.active]
