"""Who may read or change what. Views ask here; nothing else decides.

Objects are loaded through the *_for_read / *_for_write helpers: another organization's
object answers 404 (its existence is not revealed), a reader who may not write gets 403.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lean.extensions import db
from lean.models import Improvement, Team, TeamRole, User

# ---- questions -------------------------------------------------------------------------


def can_read_team(user: User, team: Team) -> bool:
    """Every member of an organization reads all its boards; an admin reads any."""
    return user.is_admin or team.organization_id == user.organization_id


def can_write_team(user: User, team: Team) -> bool:
    """Cards are created and edited by the team's own members and supervisors."""
    return (
        team.organization_id == user.organization_id
        and not team.archived
        and user.role_in(team.id) is not None
    )


def can_supervise_team(user: User, team: Team) -> bool:
    """Archive and restore cards: the team's supervisors and their coordinators."""
    if team.organization_id != user.organization_id or team.archived:
        return False
    return user.is_coordinator or user.role_in(team.id) == TeamRole.SUPERVISOR


# ---- loaders for views -------------------------------------------------------------------


def team_for_read(user: User, team_id: int) -> Team:
    team = db.session.get(Team, team_id)
    if team is None or not can_read_team(user, team):
        abort(404)
    return team


def team_for_write(user: User, team_id: int) -> Team:
    team = team_for_read(user, team_id)
    if not can_write_team(user, team):
        abort(403)
    return team


def improvement_for_read(user: User, improvement_id: int) -> Improvement:
    improvement = db.session.scalar(
        select(Improvement)
        .where(Improvement.id == improvement_id)
        .options(
            joinedload(Improvement.team),
            joinedload(Improvement.theme),
            joinedload(Improvement.focus_area),
            joinedload(Improvement.owner),
        )
    )
    if improvement is None or not can_read_team(user, improvement.team):
        abort(404)
    return improvement


def improvement_for_write(user: User, improvement_id: int) -> Improvement:
    improvement = improvement_for_read(user, improvement_id)
    if not can_write_team(user, improvement.team):
        abort(403)
    return improvement


def improvement_for_supervision(user: User, improvement_id: int) -> Improvement:
    improvement = improvement_for_read(user, improvement_id)
    if not can_supervise_team(user, improvement.team):
        abort(403)
    return improvement
