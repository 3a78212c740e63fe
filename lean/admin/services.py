"""Changes to organizations, teams, people, roles and themes; each one is in the audit log."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import exists, select
from werkzeug.security import generate_password_hash

from lean.auth.services import email_taken, end_all_sessions, normalize_email
from lean.core.extensions import db
from lean.models import (
    A3Comment,
    Escalation,
    FocusArea,
    Improvement,
    KaizenEntry,
    Membership,
    Organization,
    PracticeComment,
    Standup,
    StandupAttendee,
    Team,
    TeamRole,
    Theme,
    User,
)
from lean.shared.events import EventKind, jsonable, record_admin_event


class AdminError(ValueError):
    """A change that cannot be made, with the reason to show."""


def _apply(subject, changes: dict[str, Any]) -> dict[str, list]:
    changed = {}
    for name, value in changes.items():
        if getattr(subject, name) != value:
            changed[name] = [jsonable(getattr(subject, name)), jsonable(value)]
            setattr(subject, name, value)
    return changed


# ---- organizations -------------------------------------------------------------------------


def create_organization(actor: User, name: str) -> Organization:
    organization = Organization(name=name.strip())
    db.session.add(organization)
    db.session.flush()
    record_admin_event(
        actor, EventKind.CREATED, "organization", organization.id, organization.id, name=name
    )
    return organization


def update_organization(actor: User, organization: Organization, **changes) -> None:
    changed = _apply(organization, changes)
    if changed:
        record_admin_event(
            actor,
            EventKind.EDITED,
            "organization",
            organization.id,
            organization.id,
            fields=changed,
        )


# ---- teams ---------------------------------------------------------------------------------


def create_team(actor: User, organization: Organization, name: str) -> Team:
    team = Team(organization=organization, name=name.strip())
    db.session.add(team)
    db.session.flush()
    record_admin_event(
        actor, EventKind.CREATED, "team", team.id, organization.id, team.id, name=team.name
    )
    return team


def update_team(actor: User, team: Team, **changes) -> None:
    changed = _apply(team, changes)
    if changed:
        record_admin_event(
            actor, EventKind.EDITED, "team", team.id, team.organization_id, team.id, fields=changed
        )


def set_membership(actor: User, team: Team, user: User, role: TeamRole) -> None:
    """Add the user to the team with the role, or change their role there."""
    if user.organization_id != team.organization_id:
        raise AdminError("another organization")
    membership = db.session.scalar(
        select(Membership).where(Membership.team_id == team.id, Membership.user_id == user.id)
    )
    if membership is None:
        db.session.add(Membership(team=team, user=user, role=role))
        kind = EventKind.MEMBER_ADDED
    elif membership.role != role:
        membership.role = role
        kind = EventKind.ROLE_CHANGED
    else:
        return
    record_admin_event(
        actor,
        kind,
        "team",
        team.id,
        team.organization_id,
        team.id,
        user_id=user.id,
        role=role.value,
    )


def remove_membership(actor: User, team: Team, user: User) -> None:
    membership = db.session.scalar(
        select(Membership).where(Membership.team_id == team.id, Membership.user_id == user.id)
    )
    if membership is None:
        return
    db.session.delete(membership)
    record_admin_event(
        actor,
        EventKind.MEMBER_REMOVED,
        "team",
        team.id,
        team.organization_id,
        team.id,
        user_id=user.id,
    )


# ---- people --------------------------------------------------------------------------------


def create_user(
    actor: User,
    organization: Organization,
    *,
    name: str,
    email: str,
    language: str | None,
    is_coordinator: bool = False,
) -> User:
    """A user who logs in once they have set a password through an invitation or reset link."""
    if email_taken(email):
        raise AdminError("email taken")
    user = User(
        organization=organization,
        name=name.strip(),
        email=normalize_email(email),
        language=language or None,
        is_coordinator=is_coordinator,
        # No one knows this password: the person sets their own through a one-time link.
        password_hash=generate_password_hash(secrets.token_urlsafe(32)),
    )
    db.session.add(user)
    db.session.flush()
    record_admin_event(actor, EventKind.CREATED, "user", user.id, organization.id, email=user.email)
    return user


def update_user(actor: User, user: User, **changes) -> None:
    if "email" in changes:
        changes["email"] = normalize_email(changes["email"])
        if email_taken(changes["email"], except_user=user):
            raise AdminError("email taken")
    changed = _apply(user, changes)
    if not changed:
        return
    record_admin_event(
        actor, EventKind.EDITED, "user", user.id, user.organization_id, fields=changed
    )
    if "active" in changed and not user.active:
        end_all_sessions(user)  # a deactivated user is logged out everywhere at once


def anonymise_user(actor: User, user: User) -> None:
    """A departed user's name and email go; their cards and kaizens stay, under the new name."""
    # A language-neutral marker; User.name shows "Former user N" in the reader's language.
    user.stored_name = f"#{user.id}"
    user.anonymised = True
    user.show_name_to_network = False
    user.email = f"anonymised-{user.id}@invalid"
    user.active = False
    user.language = None
    user.password_hash = generate_password_hash(secrets.token_urlsafe(32))
    record_admin_event(actor, EventKind.ANONYMISED, "user", user.id, user.organization_id)
    end_all_sessions(user)  # logged out everywhere, in the same transaction


def update_profile(user: User, *, name: str, language: str) -> None:
    changed = _apply(user, {"name": name.strip(), "language": language})
    if changed:
        record_admin_event(
            user, EventKind.EDITED, "user", user.id, user.organization_id, fields=changed
        )


def personal_data(user: User) -> dict:
    """Everything Vertaa holds about a user, for their own download."""
    cards = db.session.scalars(
        select(Improvement).where(
            (Improvement.owner_id == user.id) | (Improvement.created_by_id == user.id)
        )
    ).all()
    kaizens = db.session.scalars(select(KaizenEntry).where(KaizenEntry.author_id == user.id)).all()
    a3_comments = db.session.scalars(select(A3Comment).where(A3Comment.author_id == user.id)).all()
    network_comments = db.session.scalars(
        select(PracticeComment).where(PracticeComment.author_id == user.id)
    ).all()
    standups = db.session.execute(
        select(Standup.id, Standup.started_at)
        .join(StandupAttendee, StandupAttendee.standup_id == Standup.id)
        .where(StandupAttendee.user_id == user.id)
    ).all()
    escalations = db.session.scalars(
        select(Escalation).where(
            (Escalation.asked_by_id == user.id) | (Escalation.answered_by_id == user.id)
        )
    ).all()
    return {
        "user": {
            "name": user.name,
            "email": user.email,
            "language": user.language,
            "organization": user.organization.name,
            "coordinator": user.is_coordinator,
            "show_name_to_network": user.show_name_to_network,
            "created_at": user.created_at.isoformat(),
        },
        "teams": [{"team": m.team.name, "role": m.role.value} for m in user.memberships],
        "improvements": [
            {"id": c.id, "title": c.title, "stage": c.stage, "created_at": c.created_at.isoformat()}
            for c in cards
        ],
        "kaizens": [
            {
                "id": k.id,
                "title": k.title,
                "before": k.before,
                "after": k.after,
                "done_on": k.done_on.isoformat(),
            }
            for k in kaizens
        ],
        "a3_comments": [
            {
                "sheet_id": c.sheet_id,
                "section": c.section,
                "body": c.body,
                "at": c.created_at.isoformat(),
            }
            for c in a3_comments
        ],
        "network_comments": [
            {"practice_id": c.practice_id, "body": c.body, "at": c.created_at.isoformat()}
            for c in network_comments
        ],
        "standups_attended": [
            {"standup_id": standup_id, "at": started_at.isoformat()}
            for standup_id, started_at in standups
        ],
        "escalations": [
            {
                "improvement_id": e.improvement_id,
                "question": e.question if e.asked_by_id == user.id else None,
                "answer": e.answer if e.answered_by_id == user.id else None,
                "asked_at": e.asked_at.isoformat(),
            }
            for e in escalations
        ],
    }


# ---- themes --------------------------------------------------------------------------------


def save_theme(actor: User, theme: Theme | None, **values) -> Theme:
    if theme is None:
        theme = Theme(**values)
        db.session.add(theme)
        db.session.flush()
        record_admin_event(actor, EventKind.CREATED, "theme", theme.id, None, key=theme.key)
    else:
        changed = _apply(theme, values)
        if not changed:
            return theme
        record_admin_event(actor, EventKind.EDITED, "theme", theme.id, None, fields=changed)
    return theme


def theme_in_use(theme: Theme) -> bool:
    return bool(
        db.session.scalar(select(exists().where(Improvement.theme_id == theme.id)))
        or db.session.scalar(select(exists().where(KaizenEntry.theme_id == theme.id)))
    )


def delete_theme(actor: User, theme: Theme) -> None:
    """Only a theme no card or kaizen uses can go; one in use is retired instead."""
    if theme_in_use(theme):
        raise AdminError("in use")
    for area in list(theme.focus_areas):
        db.session.delete(area)
    db.session.delete(theme)
    record_admin_event(actor, EventKind.DELETED, "theme", theme.id, None, key=theme.key)


def add_focus_area(actor: User, theme: Theme, **names) -> FocusArea:
    area = FocusArea(
        theme=theme, key=secrets.token_hex(6), position=len(theme.focus_areas) + 1, **names
    )
    db.session.add(area)
    db.session.flush()
    record_admin_event(
        actor, EventKind.FOCUS_AREA_ADDED, "theme", theme.id, None, name=area.name_en
    )
    return area
