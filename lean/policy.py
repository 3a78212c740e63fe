"""Who may read or change what. Views ask here; nothing else decides.

Objects are loaded through the *_for_read / *_for_write helpers: another organization's
object answers 404 (its existence is not revealed), a reader who may not write gets 403.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lean.extensions import db
from lean.models import (
    Attachment,
    Improvement,
    KaizenEntry,
    Membership,
    Organization,
    Practice,
    Team,
    TeamRole,
    User,
)

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


# ---- kaizens ---------------------------------------------------------------------------


def can_edit_kaizen(user: User, entry: KaizenEntry) -> bool:
    """Authors edit their own entries; the team's supervisors edit any of the team's."""
    if not can_write_team(user, entry.team):
        return False
    return entry.author_id == user.id or user.role_in(entry.team_id) == TeamRole.SUPERVISOR


def can_export_organization(user: User) -> bool:
    """Coordinators export every team of their organization at once."""
    return user.is_coordinator


def _readable_kaizen(user: User, kaizen_id: int) -> KaizenEntry:
    """The entry, deleted or not, when the user may read its team; else 404."""
    entry = db.session.scalar(
        select(KaizenEntry).where(KaizenEntry.id == kaizen_id).options(joinedload(KaizenEntry.team))
    )
    if entry is None or not can_read_team(user, entry.team):
        abort(404)
    return entry


def kaizen_for_read(user: User, kaizen_id: int) -> KaizenEntry:
    entry = _readable_kaizen(user, kaizen_id)
    if entry.deleted_at is not None:
        abort(404)
    return entry


def kaizen_for_edit(user: User, kaizen_id: int) -> KaizenEntry:
    entry = kaizen_for_read(user, kaizen_id)
    if not can_edit_kaizen(user, entry):
        abort(403)
    return entry


def kaizen_for_promotion(user: User, kaizen_id: int) -> KaizenEntry:
    entry = kaizen_for_read(user, kaizen_id)
    if not can_write_team(user, entry.team):
        abort(403)
    return entry


def deleted_kaizen_for_restore(user: User, kaizen_id: int, since) -> KaizenEntry:
    """A deleted entry still within its recovery period, for the team's supervisors."""
    entry = _readable_kaizen(user, kaizen_id)
    if not can_supervise_team(user, entry.team):
        abort(403)
    if entry.deleted_at is None or entry.deleted_at <= since:
        abort(404)
    return entry


def attachment_for_read(user: User, attachment_id: int) -> Attachment:
    """Files are served only to those who may read the entry they belong to."""
    attachment = db.session.scalar(
        select(Attachment)
        .where(Attachment.id == attachment_id)
        .options(joinedload(Attachment.kaizen).joinedload(KaizenEntry.team))
    )
    if (
        attachment is None
        or attachment.kaizen.deleted_at is not None
        or not can_read_team(user, attachment.kaizen.team)
    ):
        abort(404)
    return attachment


# ---- administration ----------------------------------------------------------------------


def can_manage_installation(user: User) -> bool:
    """Organizations and themes are the installation's admins' to manage."""
    return user.is_admin


def can_manage_organization(user: User, organization: Organization) -> bool:
    """Teams, users and invitations of an organization: its coordinators, and admins."""
    return _manages(user, organization.id)


def _manages(user: User, organization_id: int) -> bool:
    return user.is_admin or (user.is_coordinator and organization_id == user.organization_id)


def can_manage_members(user: User, team: Team) -> bool:
    """A team's members and roles: the organization's managers and the team's supervisors."""
    if _manages(user, team.organization_id):
        return True
    return (
        team.organization_id == user.organization_id
        and not team.archived
        and user.role_in(team.id) == TeamRole.SUPERVISOR
    )


def can_manage_user(actor: User, target: User) -> bool:
    """Coordinators manage their organization's people, except admins; admins manage anyone."""
    if actor.is_admin:
        return True
    return (
        actor.is_coordinator
        and target.organization_id == actor.organization_id
        and not target.is_admin
    )


def organization_for_management(user: User, organization_id: int) -> Organization:
    organization = db.session.get(Organization, organization_id)
    if organization is None or not (user.is_admin or organization.id == user.organization_id):
        abort(404)
    if not can_manage_organization(user, organization):
        abort(403)
    return organization


def team_for_member_management(user: User, team_id: int) -> Team:
    team = team_for_read(user, team_id)
    if not can_manage_members(user, team):
        abort(403)
    return team


def team_for_management(user: User, team_id: int) -> Team:
    """Renaming and archiving a team: the organization's managers only."""
    team = team_for_read(user, team_id)
    if not can_manage_organization(user, team.organization):
        abort(403)
    return team


def user_for_management(actor: User, user_id: int) -> User:
    target = db.session.get(User, user_id)
    if target is None or not (actor.is_admin or target.organization_id == actor.organization_id):
        abort(404)
    if not can_manage_user(actor, target):
        abort(403)
    return target


def can_read_audit_log(user: User) -> bool:
    """Admins read the whole installation's audit log, coordinators their organization's."""
    return user.is_admin or user.is_coordinator


def audit_scope(user: User) -> int | None:
    """The organization whose changes the user may read in the audit log; None for all."""
    if not can_read_audit_log(user):
        abort(403)
    return None if user.is_admin else user.organization_id


def require_installation_admin(user: User) -> None:
    if not can_manage_installation(user):
        abort(403)


# ---- network: practices shared across organizations --------------------------------------
# A practice is readable by every logged-in user of every organization while published; only
# what it published crosses. Its own organization (and admins) still see it once withdrawn.


def can_publish_from_team(user: User, team: Team) -> bool:
    """Coordinators publish their organization's work; supervisors too where it allows it."""
    if team.organization_id != user.organization_id:
        return False
    if user.is_coordinator:
        return True
    return (
        user.organization.supervisors_may_publish and user.role_in(team.id) == TeamRole.SUPERVISOR
    )


def can_publish_improvement(user: User, improvement: Improvement) -> bool:
    """Only finished work is offered to the network: a card in Done."""
    return improvement.stage == "done" and can_publish_from_team(user, improvement.team)


def improvement_for_publishing(user: User, improvement_id: int) -> Improvement:
    improvement = improvement_for_read(user, improvement_id)
    if not can_publish_improvement(user, improvement):
        abort(403)
    return improvement


def kaizen_for_publishing(user: User, kaizen_id: int) -> KaizenEntry:
    entry = kaizen_for_read(user, kaizen_id)
    if not can_publish_from_team(user, entry.team):
        abort(403)
    return entry


def can_read_practice(user: User, practice: Practice) -> bool:
    return (
        practice.is_published or user.is_admin or practice.organization_id == user.organization_id
    )


def practice_for_read(user: User, practice_id: int) -> Practice:
    practice = db.session.scalar(
        select(Practice)
        .where(Practice.id == practice_id)
        .options(
            joinedload(Practice.organization),
            joinedload(Practice.theme),
            joinedload(Practice.focus_area),
            joinedload(Practice.published_by),
        )
    )
    if practice is None or not can_read_practice(user, practice):
        abort(404)
    return practice


def can_manage_practice(user: User, practice: Practice) -> bool:
    """Update and withdraw: the organization's coordinators, or the supervisor who published it
    while their organization lets supervisors publish."""
    if practice.organization_id != user.organization_id:
        return False
    if user.is_coordinator:
        return True
    return user.organization.supervisors_may_publish and practice.published_by_id == user.id


def practice_for_management(user: User, practice_id: int) -> Practice:
    practice = practice_for_read(user, practice_id)
    if not can_manage_practice(user, practice):
        abort(403)
    return practice


def can_comment_on_practice(user: User, practice: Practice) -> bool:
    """Anyone of the network comments on a published practice; its own people answer."""
    return practice.is_published


def practice_for_comment(user: User, practice_id: int) -> Practice:
    practice = practice_for_read(user, practice_id)
    if not can_comment_on_practice(user, practice):
        abort(403)
    return practice


def can_adopt_practice(user: User, practice: Practice) -> bool:
    """Another organization's published practice, into a team the user writes on."""
    return practice.is_published and practice.organization_id != user.organization_id


def practice_for_adoption(user: User, practice_id: int) -> Practice:
    practice = practice_for_read(user, practice_id)
    if not can_adopt_practice(user, practice):
        abort(403)
    return practice


def adopting_teams(user: User) -> list[Team]:
    """The teams a user may adopt a practice into: those whose board they write on."""
    return list(
        db.session.scalars(
            select(Team)
            .join(Membership, Membership.team_id == Team.id)
            .where(
                Membership.user_id == user.id,
                Team.organization_id == user.organization_id,
                Team.archived.is_(False),
            )
            .order_by(Team.name)
        )
    )


def team_for_adoption(user: User, team_id: int | None) -> Team | None:
    """One of the user's writable teams, or None when the choice is not one of them."""
    return next((team for team in adopting_teams(user) if team.id == team_id), None)


def similar_practice_for_comment(
    user: User, practice: Practice, similar_id: int | None
) -> Practice | None:
    """'We tried something similar' links one of the commenter's own organization's practices."""
    if similar_id is None:
        return None
    similar = db.session.get(Practice, similar_id)
    if (
        similar is None
        or similar.id == practice.id
        or similar.organization_id != user.organization_id
        or not similar.is_published
    ):
        return None
    return similar


def can_manage_network_settings(user: User) -> bool:
    """Whether supervisors publish: the organization's coordinators and admins decide."""
    return user.is_coordinator or user.is_admin


def organization_for_network_settings(user: User, organization_id: int) -> Organization:
    """An organization's network settings: its coordinators, and admins (any organization)."""
    return organization_for_management(user, organization_id)


def notices_scope(user: User) -> int:
    """Notices are the organization's: any of its people read them and mark them read."""
    return user.organization_id
