"""Who may read or change what. Views ask here; nothing else decides.

Objects are loaded through the *_for_read / *_for_write helpers: another organization's
object answers 404 (its existence is not revealed), a reader who may not write gets 403.
"""

from __future__ import annotations

from typing import Protocol, cast

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, SQLColumnExpression, select, true
from sqlalchemy.orm import joinedload

from lean.core.extensions import db
from lean.models import (
    A3Sheet,
    ApiToken,
    Attachment,
    CardComment,
    CardTemplate,
    Event,
    Improvement,
    KaizenEntry,
    LinkPurpose,
    Membership,
    Notification,
    OneTimeLink,
    Organization,
    Practice,
    SignOnProvider,
    Team,
    TeamRole,
    User,
)
from lean.models.connect import WebhookDelivery, WebhookEndpoint

# ---- questions -------------------------------------------------------------------------


def can_read_team(user: User, team: Team) -> bool:
    """Every member of an organization reads all its boards; an admin reads any."""
    return can_read_teams_of(user, team.organization_id)


class Reader(Protocol):
    """What the reading rule asks of a person: a User, or the columns of their row that a
    quick check read (lean/shared/freshness.py)."""

    organization_id: int
    is_admin: bool


def reader_columns() -> tuple:
    """The columns of a person's row that the reading rule asks (a Reader), for a statement
    that reads them beside other things (lean/shared/freshness.py)."""
    return (User.organization_id, User.is_admin)


def can_read_teams_of(user: Reader, organization_id: int) -> bool:
    """can_read_team for every team of that organization: its own people, and admins. Where
    another organization's work shows (an adopting team), its team and card are named to
    those only."""
    return bool(_team_rule(user, organization_id))


def can_read_every_organization(user: Reader) -> bool:
    """Admins read every organization's teams and dashboards: the team picker names each
    team's organization for them, and the dashboard lets them choose whose it shows."""
    return bool(user.is_admin)


def _team_rule(user: Reader, organization_id):
    """Who reads a team's things, written once over a value or a column (see readable_teams):
    `|` is a boolean or on values and SQL's OR on columns."""
    return (organization_id == user.organization_id) | can_read_every_organization(user)


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


def role_in_team(user: User, team: Team) -> TeamRole | None:
    """The person's own role in the team, to show it (None: not a member of it)."""
    return user.role_in(team.id)


def team_for_read(user: User, team_id: int) -> Team:
    team = db.session.get(Team, team_id)
    if team is None or not can_read_team(user, team):
        abort(404)
    return team


def organization_for_read(user: User, organization_id: int) -> Organization:
    """An organization whose teams the user reads: their own; an admin's any."""
    organization = db.session.get(Organization, organization_id)
    if organization is None or not can_read_teams_of(user, organization.id):
        abort(404)
    return organization


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


# ---- copies and card templates ---------------------------------------------------------


def can_copy_improvement(user: User, improvement: Improvement) -> bool:
    """Whoever may add cards to the card's team may copy it there."""
    return can_write_team(user, improvement.team)


def improvement_for_copy(user: User, improvement_id: int) -> Improvement:
    improvement = improvement_for_read(user, improvement_id)
    if not can_copy_improvement(user, improvement):
        abort(403)
    return improvement


def can_manage_card_templates(user: User, team: Team) -> bool:
    """A team's card templates are kept by those who keep its stand-ups: its supervisors and
    the organization's coordinators. Members make cards from them."""
    return can_supervise_team(user, team)


def team_for_card_templates(user: User, team_id: int) -> Team:
    team = team_for_read(user, team_id)
    if not can_manage_card_templates(user, team):
        abort(403)
    return team


def _readable_card_template(user: User, template_id: int) -> CardTemplate:
    """A template in use, of a team the user reads; else 404."""
    template = db.session.scalar(
        select(CardTemplate)
        .where(CardTemplate.id == template_id)
        .options(joinedload(CardTemplate.team))
    )
    if template is None or template.archived or not can_read_team(user, template.team):
        abort(404)
    return template


def card_template_for_management(user: User, template_id: int) -> CardTemplate:
    template = _readable_card_template(user, template_id)
    if not can_manage_card_templates(user, template.team):
        abort(403)
    return template


def card_template_for_use(user: User, template_id: int) -> CardTemplate:
    """A card is made from a template by whoever may add cards to its team."""
    template = _readable_card_template(user, template_id)
    if not can_write_team(user, template.team):
        abort(403)
    return template


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
    """Files are served only to those who may read the kaizen or the card they belong to: a
    deleted kaizen's to no one, an archived card's to its readers, as its page is."""
    attachment = db.session.scalar(
        select(Attachment)
        .where(Attachment.id == attachment_id)
        .options(
            joinedload(Attachment.kaizen).joinedload(KaizenEntry.team),
            joinedload(Attachment.improvement).joinedload(Improvement.team),
        )
    )
    if attachment is None:
        abort(404)
    if attachment.kaizen is not None:
        readable = attachment.kaizen.deleted_at is None and can_read_team(
            user, attachment.kaizen.team
        )
    else:
        card = attachment.improvement
        readable = card is not None and can_read_team(user, card.team)
    if not readable:
        abort(404)
    return attachment


def can_change_card_files(user: User, improvement: Improvement) -> bool:
    """A card's files and its cover: whoever writes on its board (the team's members and
    supervisors), as for the card's other fields."""
    return can_write_team(user, improvement.team)


def card_attachment_for_write(user: User, attachment_id: int) -> Attachment:
    """One file of a card, to remove it or make it the cover: 404 for a file of another
    organization's card or of a kaizen, 403 for a reader who may not change the card."""
    attachment = db.session.scalar(
        select(Attachment)
        .where(Attachment.id == attachment_id, Attachment.improvement_id.is_not(None))
        .options(joinedload(Attachment.improvement).joinedload(Improvement.team))
    )
    if attachment is None or attachment.improvement is None:
        abort(404)
    if not can_read_team(user, attachment.improvement.team):
        abort(404)
    if not can_change_card_files(user, attachment.improvement):
        abort(403)
    return attachment


def improvement_for_files(user: User, improvement_id: int) -> Improvement:
    """A card to add a file to: 404 for another organization's, 403 for a reader."""
    improvement = improvement_for_read(user, improvement_id)
    if not can_change_card_files(user, improvement):
        abort(403)
    return improvement


# ---- administration ----------------------------------------------------------------------


def can_manage_installation(user: User) -> bool:
    """Organizations and themes are the installation's admins' to manage."""
    return user.is_admin


def can_manage_organization(user: User, organization: Organization) -> bool:
    """Teams, users and invitations of an organization: its coordinators, and admins."""
    return _manages(user, organization.id)


def can_open_administration(user: User) -> bool:
    """Administration is for who manages something there: the installation's admins and the
    coordinators of their own organization."""
    return can_manage_installation(user) or _manages(user, user.organization_id)


def coordinates_organization(user: User) -> bool:
    """Whether the user coordinates their organization's work: its escalations and A3 sheets
    are among their main links, their organization among administration's, and the dashboard
    is where they start. An admin may open some of those pages too (the can_ questions say
    which), but an admin's work is the installation's, so their links and start lead there."""
    return bool(user.is_coordinator)


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


def can_anonymise_user(actor: User, target: User) -> bool:
    """Admins remove a departed person's name and email for good, but never their own."""
    return can_manage_installation(actor) and target.id != actor.id


def organization_for_management(user: User, organization_id: int) -> Organization:
    organization = db.session.get(Organization, organization_id)
    if organization is None or not (user.is_admin or organization.id == user.organization_id):
        abort(404)
    if not can_manage_organization(user, organization):
        abort(403)
    return organization


def may_log_in_with_password(user: User) -> bool:
    """A sign-on-only organization's people sign in with its provider; the installation's
    admins may always use their password."""
    return user.organization.passwords_allowed or can_manage_installation(user)


def sign_on_provider_for_management(user: User, provider_id: int) -> SignOnProvider:
    """An organization's sign-on providers: whoever manages the organization."""
    provider = db.session.get(SignOnProvider, provider_id)
    if provider is None:
        abort(404)
    organization_for_management(user, provider.organization_id)
    return provider


# ---- webhooks --------------------------------------------------------------------------


def can_manage_webhooks(user: User, organization: Organization) -> bool:
    """An organization's webhook endpoints: whoever manages the organization."""
    return can_manage_organization(user, organization)


def organization_for_webhooks(user: User, organization_id: int) -> Organization:
    """Another organization answers 404, a member of this one 403."""
    organization = organization_for_management(user, organization_id)
    if not can_manage_webhooks(user, organization):
        abort(403)
    return organization


def webhook_endpoint_for_management(user: User, endpoint_id: int) -> WebhookEndpoint:
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        abort(404)
    organization_for_webhooks(user, endpoint.organization_id)
    return endpoint


def told_of_webhooks(organization_id: int) -> ColumnElement[bool]:
    """Who is told when an organization's webhook is taken out of use, as a condition on
    User: its coordinators (the installation's admins manage them too, but are not told of
    every organization's)."""
    return (User.organization_id == organization_id) & User.is_coordinator.is_(True)


def webhook_delivery_for_management(user: User, delivery_id: int) -> WebhookDelivery:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        abort(404)
    webhook_endpoint_for_management(user, delivery.endpoint_id)
    return delivery


def can_join_team(user: User, team: Team) -> bool:
    """A person of no team yet (new through sign-on) joins one of their organization's."""
    return (
        team.organization_id == user.organization_id and not team.archived and not user.memberships
    )


def team_to_join(user: User, team_id: int) -> Team:
    team = db.session.get(Team, team_id)
    if team is None or team.organization_id != user.organization_id:
        abort(404)
    if not can_join_team(user, team) or user.role_in(team.id) is not None:
        abort(403)
    return team


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


def invitation_for_management(actor: User, link_id: int) -> OneTimeLink:
    """An invitation to resend or take back: its organization's managers; another
    organization's invitation answers 404."""
    link = db.session.get(OneTimeLink, link_id)
    if (
        link is None
        or link.purpose != LinkPurpose.INVITATION
        or not (actor.is_admin or link.organization_id == actor.organization_id)
    ):
        abort(404)
    if not can_manage_organization(actor, link.organization):
        abort(403)
    return link


# ---- personal access tokens for the API --------------------------------------------------


def can_revoke_token(user: User, token: ApiToken) -> bool:
    """A token is revoked by its owner and by the managers of its owner's organization (its
    coordinators, the installation's admins)."""
    return token.user_id == user.id or _manages(user, token.user.organization_id)


def token_for_revoke(user: User, token_id: int) -> ApiToken:
    """A token to revoke; another organization's token answers 404, a colleague's 403."""
    token = db.session.get(ApiToken, token_id)
    if token is None or not (user.is_admin or token.user.organization_id == user.organization_id):
        abort(404)
    if not can_revoke_token(user, token):
        abort(403)
    return token


def can_list_organization_tokens(user: User, organization: Organization) -> bool:
    """The tokens of an organization's people are listed for its managers."""
    return can_manage_organization(user, organization)


def organization_for_token_list(user: User, organization_id: int) -> Organization:
    organization = organization_for_management(user, organization_id)
    if not can_list_organization_tokens(user, organization):
        abort(403)
    return organization


def can_read_audit_log(user: User) -> bool:
    """Admins read the whole installation's audit log, coordinators their organization's."""
    return user.is_admin or user.is_coordinator


def audit_scope(user: User) -> int | None:
    """The organization whose changes the user may read in the audit log; None for all."""
    if not can_read_audit_log(user):
        abort(403)
    return None if user.is_admin else user.organization_id


def can_read_failed_mails(user: User) -> bool:
    """E-mails that could not be sent: the installation's admins see all, coordinators their
    organization's (invitations and resets they may send again or hand over by link)."""
    return can_open_administration(user)


def failed_mails_scope(user: User) -> int | None:
    """The organization whose failed e-mails the user may read; None for all."""
    if not can_read_failed_mails(user):
        abort(403)
    return None if can_manage_installation(user) else user.organization_id


def require_installation_admin(user: User) -> None:
    if not can_manage_installation(user):
        abort(403)


# ---- stand-ups ---------------------------------------------------------------------------


def can_run_standup(user: User, team: Team) -> bool:
    """Start, run and finish a stand-up, change its settings: the team's supervisors and the
    organization's coordinators (the same people who supervise the team's cards)."""
    return can_supervise_team(user, team)


def can_note_standup(user: User, team: Team) -> bool:
    """Members follow a stand-up read-only but may add notes to its cards."""
    return can_write_team(user, team) or can_run_standup(user, team)


def can_answer_escalations(user: User) -> bool:
    """Questions escalated by teams go to their organization's coordinators."""
    return user.is_coordinator


def can_set_wip_limits(user: User, team: Team) -> bool:
    """A team's work-in-progress limits, as its other settings: its supervisors and the
    organization's managers (coordinators, admins); never on an archived team."""
    if team.archived:
        return False
    return can_supervise_team(user, team) or _manages(user, team.organization_id)


def team_for_wip_limits(user: User, team_id: int) -> Team:
    team = team_for_read(user, team_id)
    if not can_set_wip_limits(user, team):
        abort(403)
    return team


def can_import_to_board(user: User, team: Team) -> bool:
    """Cards brought over from Planner or Trello onto a team's board: who sets its other
    settings, its supervisors and the organization's managers; never on an archived team."""
    return can_set_wip_limits(user, team)


def team_for_board_import(user: User, team_id: int) -> Team:
    team = team_for_read(user, team_id)
    if not can_import_to_board(user, team):
        abort(403)
    return team


def team_for_standup_run(user: User, team_id: int) -> Team:
    team = team_for_read(user, team_id)
    if not can_run_standup(user, team):
        abort(403)
    return team


def standup_for_read(user: User, standup_id: int):
    from lean.models import Standup

    standup = db.session.scalar(
        select(Standup).where(Standup.id == standup_id).options(joinedload(Standup.team))
    )
    if standup is None or not can_read_team(user, standup.team):
        abort(404)
    return standup


def standup_for_run(user: User, standup_id: int):
    standup = standup_for_read(user, standup_id)
    if not can_run_standup(user, standup.team):
        abort(403)
    return standup


def standup_for_note(user: User, standup_id: int):
    standup = standup_for_read(user, standup_id)
    if not can_note_standup(user, standup.team):
        abort(403)
    return standup


def require_escalation_answerer(user: User) -> None:
    if not can_answer_escalations(user):
        abort(403)


def escalation_for_answer(user: User, escalation_id: int):
    from lean.models import Escalation

    escalation = db.session.scalar(
        select(Escalation)
        .where(Escalation.id == escalation_id)
        .options(joinedload(Escalation.team), joinedload(Escalation.improvement))
    )
    if escalation is None or escalation.team.organization_id != user.organization_id:
        abort(404)
    require_escalation_answerer(user)
    return escalation


# ---- A3 sheets ---------------------------------------------------------------------------
# Writers are the team's members and the sheet's named coach, who may belong to another
# organization: the coach then sees the sheet, its card's title and the comments, nothing
# else of that organization. Other members of the organization read; others get 404.


def can_read_a3(user: User, sheet: A3Sheet) -> bool:
    return bool(_a3_rule(user, can_read_team(user, sheet.improvement.team), sheet.coach_id))


def _a3_rule(user: User, reads_the_team, coach_id):
    """The card's team's readers and the sheet's coach (see readable_a3_sheets)."""
    return reads_the_team | (coach_id == user.id)


def can_write_a3(user: User, sheet: A3Sheet) -> bool:
    team = sheet.improvement.team
    if team.archived:
        return False
    return can_write_team(user, team) or _is_coach(user, sheet)


def can_start_a3(user: User, improvement: Improvement) -> bool:
    """A card's A3 is started by the team's own members."""
    return can_write_team(user, improvement.team)


def can_name_peer_coach(user: User, sheet: A3Sheet) -> bool:
    """A coach from another organization is invited by a coordinator of the sheet's own."""
    team = sheet.improvement.team
    return user.is_coordinator and team.organization_id == user.organization_id


def sees_names_of(viewer: User, organization_id: int) -> bool:
    """Whether the viewer sees the names of that organization's people: its own people and
    admins do; anyone else (a peer coach) only the names their owners show to the network."""
    return viewer.is_admin or viewer.organization_id == organization_id


def display_name(name: str, shows_name: bool, organization_name: str, same_organization: bool):
    """A person as another organization may see them: their name only if they agreed."""
    if same_organization:
        return name
    if shows_name:
        return f"{name} · {organization_name}"
    return _("A member of %(organization)s", organization=organization_name)


def name_shown_to(viewer: User, person: User) -> str:
    """A person's name as the viewer may see it: in full within their organization (and to
    admins); elsewhere with their organization if they show it to the network, else only
    "A member of <organization>". For every place that names someone to another organization
    without a context of its own (the inbox, "My work", the digest)."""
    return display_name(
        person.name,
        person.show_name_to_network,
        person.organization.name,
        same_organization=sees_names_of(viewer, person.organization_id),
    )


def can_list_organization_a3s(user: User) -> bool:
    return user.is_coordinator or user.is_admin


def _is_coach(user: User, sheet: A3Sheet) -> bool:
    return sheet.coach_id is not None and sheet.coach_id == user.id


def _load_sheet(condition) -> A3Sheet | None:
    return db.session.scalar(
        select(A3Sheet)
        .where(condition)
        .options(
            joinedload(A3Sheet.improvement)
            .joinedload(Improvement.team)
            .joinedload(Team.organization),
            joinedload(A3Sheet.improvement).joinedload(Improvement.theme),
            joinedload(A3Sheet.improvement).joinedload(Improvement.owner),
            joinedload(A3Sheet.coach).joinedload(User.organization),
        )
    )


def a3_for_read(user: User, sheet_id: int) -> A3Sheet:
    sheet = _load_sheet(A3Sheet.id == sheet_id)
    if sheet is None or not can_read_a3(user, sheet):
        abort(404)
    return sheet


def a3_for_write(user: User, sheet_id: int) -> A3Sheet:
    sheet = a3_for_read(user, sheet_id)
    if not can_write_a3(user, sheet):
        abort(403)
    return sheet


def a3_of_improvement_for_read(
    user: User, improvement_id: int
) -> tuple[Improvement, A3Sheet | None]:
    """The card and its sheet (None before it is started); a peer coach reaches only a sheet."""
    sheet = _load_sheet(A3Sheet.improvement_id == improvement_id)
    if sheet is not None and can_read_a3(user, sheet):
        return sheet.improvement, sheet
    return improvement_for_read(user, improvement_id), None


def improvement_for_a3_start(user: User, improvement_id: int) -> Improvement:
    improvement = improvement_for_read(user, improvement_id)
    if not can_start_a3(user, improvement):
        abort(403)
    return improvement


def a3_for_peer_coach(user: User, sheet_id: int) -> A3Sheet:
    sheet = a3_for_read(user, sheet_id)
    if not can_name_peer_coach(user, sheet):
        abort(403)
    return sheet


def require_organization_a3_list(user: User) -> None:
    if not can_list_organization_a3s(user):
        abort(403)


# ---- dashboard -------------------------------------------------------------------------


def can_read_dashboard(user: User) -> bool:
    """The organization dashboard and its reports: coordinators and admins."""
    return user.is_admin or user.is_coordinator


def dashboard_organization(user: User, organization_id: int | None) -> Organization:
    """The organization whose dashboard the user sees: a coordinator always their own (any
    other id asked for is ignored); an admin the one chosen, their own by default."""
    if not can_read_dashboard(user):
        abort(403)
    if not can_read_every_organization(user) or organization_id is None:
        return user.organization
    organization = db.session.get(Organization, organization_id)
    if organization is None:
        abort(404)
    return organization


def dashboard_team_ids(own_team_ids: list[int], requested: list[int]) -> tuple[int, ...]:
    """The teams a dashboard covers: those asked for, but only the organization's own (the
    caller lists them); all of them when none is asked for, or only another's teams were."""
    asked = set(requested)
    chosen = tuple(team_id for team_id in own_team_ids if team_id in asked)
    return chosen or tuple(own_team_ids)


def can_see_team_figures(user: User, team: Team) -> bool:
    """A team's key figures on its board: its own members and supervisors, and the
    organization's coordinators."""
    if team.organization_id != user.organization_id:
        return False
    return user.is_coordinator or user.role_in(team.id) is not None


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
    return bool(_practice_rule(user, practice.is_published, practice.organization_id))


def _practice_rule(user: User, published, organization_id):
    """Who reads a practice, written once over values or columns (see readable_practices)."""
    return published | (organization_id == user.organization_id) | bool(user.is_admin)


def practice_for_read(user: User, practice_id: int) -> Practice:
    practice = db.session.scalar(
        select(Practice)
        .where(Practice.id == practice_id, readable_practices(user))
        .options(
            joinedload(Practice.organization),
            joinedload(Practice.theme),
            joinedload(Practice.focus_area),
            joinedload(Practice.published_by),
        )
    )
    if practice is None:
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


# ---- card comments and the personal inbox ----------------------------------------------


def can_read_improvement(user: User, improvement: Improvement) -> bool:
    """Whether a person may read a card: who may be told about it or mentioned on it."""
    return user.active and can_read_team(user, improvement.team)


def may_be_mentioned_on(user: User, improvement: Improvement) -> bool:
    """Only people of the card's own organization are mentioned on it (the list offers no
    one else); anyone else picked is treated as no one, so that a forged pick names nobody."""
    return user.organization_id == improvement.team.organization_id


def can_comment_on_improvement(user: User, improvement: Improvement) -> bool:
    """People of the card's organization talk on it, while its board is not archived."""
    team = improvement.team
    return team.organization_id == user.organization_id and not team.archived


def improvement_for_comment(user: User, improvement_id: int) -> Improvement:
    improvement = improvement_for_read(user, improvement_id)
    if not can_comment_on_improvement(user, improvement):
        abort(403)
    return improvement


def card_comment_for_author(user: User, comment_id: int) -> CardComment:
    """A comment its own author edits or deletes; others' comments are not theirs to change."""
    comment = db.session.get(CardComment, comment_id)
    if comment is None or not can_read_team(user, comment.improvement.team):
        abort(404)
    if comment.author_id != user.id or not can_comment_on_improvement(user, comment.improvement):
        abort(403)
    return comment


def notification_for_owner(user: User, notification_id: int) -> Notification:
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.user_id != user.id:
        abort(404)
    return notification


# ---- calendar feeds ------------------------------------------------------------------------
# A feed's address carries its secret: calendar apps cannot log in, so the secret is the key.
# A retired secret, or a person or team that is gone, answers 404 like any unknown address.


def can_see_team_calendar(user: User, team: Team) -> bool:
    """The address of a team's calendar feed is for the team's own members and supervisors."""
    return (
        team.organization_id == user.organization_id
        and not team.archived
        and user.role_in(team.id) is not None
    )


def can_renew_team_calendar(user: User, team: Team) -> bool:
    """A team's supervisors retire its feed's address (one who left kept it, say)."""
    return can_see_team_calendar(user, team) and user.role_in(team.id) == TeamRole.SUPERVISOR


def team_for_calendar(user: User, team_id: int) -> Team:
    team = team_for_read(user, team_id)
    if not can_see_team_calendar(user, team):
        abort(403)
    return team


def team_for_calendar_renewal(user: User, team_id: int) -> Team:
    team = team_for_calendar(user, team_id)
    if not can_renew_team_calendar(user, team):
        abort(403)
    return team


def person_of_calendar(token: str) -> User:
    """The active person whose feed the secret opens; else 404."""
    person = db.session.scalar(
        select(User).where(User.calendar_token == token).options(joinedload(User.organization))
    )
    if person is None or not person.is_active or person.anonymised:
        abort(404)
    return person


def team_of_calendar(token: str) -> Team:
    """The team whose feed the secret opens, while it and its organization are active; else 404."""
    team = db.session.scalar(
        select(Team).where(Team.calendar_token == token).options(joinedload(Team.organization))
    )
    if team is None or team.archived or not team.organization.active:
        abort(404)
    return team


# ---- the same questions of many rows at once: conditions for a query -------------------
# Lists and searches filter in SQL by the very rules the questions above answer for one
# object; each rule is written once and read both ways.


def readable_teams(user: User, team_id: SQLColumnExpression[int]) -> ColumnElement[bool]:
    """can_read_team as a condition on a row's team column (a card's, a kaizen's)."""
    return team_id.in_(select(Team.id).where(_team_rule(user, Team.organization_id)))


def readable_events(user: User) -> ColumnElement[bool]:
    """Events (the API's list of changes) the user may read: those of the teams they read,
    and for readers of the audit log the rest of its scope (their organization's changes
    outside any team; an admin's: every change)."""
    rule = readable_teams(user, cast(SQLColumnExpression[int], Event.team_id))
    if can_read_audit_log(user):
        organization_id = None if user.is_admin else user.organization_id
        rule = rule | (Event.organization_id == organization_id if organization_id else true())
    return rule


def readable_organizations(user: User) -> ColumnElement[bool]:
    """can_read_teams_of as a condition on Organization: the user's own, every one for admins."""
    return _team_rule(user, Organization.id)


def readable_a3_sheets(user: User) -> ColumnElement[bool]:
    """can_read_a3 as a condition on A3Sheet joined with its Improvement: the card's team's
    readers and the sheet's coach, who may come from another organization."""
    return _a3_rule(user, readable_teams(user, Improvement.team_id), A3Sheet.coach_id)


def readable_practices(user: User) -> ColumnElement[bool]:
    """can_read_practice as a condition on Practice: the practice page's and the search's."""
    return _practice_rule(user, Practice.withdrawn_at.is_(None), Practice.organization_id)
