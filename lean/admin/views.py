"""Admin pages and the profile: parse the request, ask the policy, call one service, render."""

from typing import cast

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import to_user_timezone
from flask_login import current_user, login_required

from lean.admin import labels, queries, services
from lean.admin.blueprint import admin_blueprint
from lean.admin.forms import (
    AuditFilterForm,
    FocusAreaForm,
    MembershipForm,
    OrganizationForm,
    ProfileForm,
    RoleForm,
    TeamForm,
    ThemeForm,
    UserForm,
)
from lean.auth import queries as auth_queries
from lean.core.extensions import db
from lean.models import TeamRole, Theme, User
from lean.models.base import utcnow
from lean.shared import policy
from lean.shared.downloads import content_disposition, download_name

profile_blueprint = Blueprint("profile", __name__)


@admin_blueprint.get("/")
def index():
    """Where an admin or a coordinator starts managing."""
    if policy.can_manage_installation(current_user):
        return redirect(url_for("admin.organizations"))
    organization = policy.organization_for_management(current_user, current_user.organization_id)
    return redirect(url_for("admin.organization", organization_id=organization.id))


# ---- organizations -------------------------------------------------------------------------


@admin_blueprint.route("/organizations", methods=["GET", "POST"])
def organizations():
    """Every organization of the network; an admin adds a new one."""
    policy.require_installation_admin(current_user)
    form = OrganizationForm()
    if form.validate_on_submit():
        organization = services.create_organization(current_user, cast(str, form.name.data))
        flash(_("Organization “%(name)s” created.", name=organization.name), "success")
        return redirect(url_for("admin.organization", organization_id=organization.id), 303)
    status = 422 if form.errors else 200
    return render_template(
        "admin/organizations.html", form=form, organizations=queries.organizations()
    ), status


def _render_organization(organization, status=200, **forms):
    forms.setdefault("organization_form", OrganizationForm(obj=organization))
    forms.setdefault("team_form", TeamForm(organization, formdata=None))
    forms.setdefault("user_form", UserForm(formdata=None))
    return render_template(
        "admin/organization.html",
        organization=organization,
        teams=queries.teams_of(organization),
        people=queries.people_of(organization),
        **forms,
    ), status


@admin_blueprint.get("/organizations/<int:organization_id>")
def organization(organization_id: int):
    """An organization's teams and people."""
    return _render_organization(policy.organization_for_management(current_user, organization_id))


@admin_blueprint.post("/organizations/<int:organization_id>/edit")
def edit_organization(organization_id: int):
    """Rename or (de)activate an organization."""
    policy.require_installation_admin(current_user)
    organization = policy.organization_for_management(current_user, organization_id)
    form = OrganizationForm(organization=organization)
    if not form.validate():
        return _render_organization(organization, 422, organization_form=form)
    services.update_organization(
        current_user,
        organization,
        name=cast(str, form.name.data).strip(),
        active=form.active.data,
    )
    flash(_("Organization saved."), "success")
    return redirect(url_for("admin.organization", organization_id=organization.id), 303)


@admin_blueprint.post("/organizations/<int:organization_id>/teams")
def create_team(organization_id: int):
    """Add a team to the organization."""
    organization = policy.organization_for_management(current_user, organization_id)
    form = TeamForm(organization)
    if not form.validate():
        return _render_organization(organization, 422, team_form=form)
    team = services.create_team(current_user, organization, cast(str, form.name.data))
    flash(_("Team “%(name)s” created.", name=team.name), "success")
    return redirect(url_for("admin.team", team_id=team.id), 303)


@admin_blueprint.post("/organizations/<int:organization_id>/users")
def create_user(organization_id: int):
    """Add a person; they set their password through an invitation or a reset link."""
    organization = policy.organization_for_management(current_user, organization_id)
    form = UserForm()
    if not form.validate():
        return _render_organization(organization, 422, user_form=form)
    user = services.create_user(
        current_user,
        organization,
        name=cast(str, form.name.data),
        email=cast(str, form.email.data),
        language=form.language.data,
        is_coordinator=form.is_coordinator.data,
    )
    flash(
        _("%(name)s added. Create a password link for them on their page.", name=user.name),
        "success",
    )
    return redirect(url_for("admin.user", user_id=user.id), 303)


# ---- teams ---------------------------------------------------------------------------------


def _render_team(team, status=200, **forms):
    people = queries.active_people_of(team.organization)
    forms.setdefault("team_form", TeamForm(team.organization, obj=team, team=team))
    forms.setdefault("membership_form", MembershipForm(people, formdata=None))
    return render_template(
        "admin/team.html",
        team=team,
        members=queries.members_of(team),
        role_form=RoleForm(formdata=None),
        can_manage_team=policy.can_manage_organization(current_user, team.organization),
        **forms,
    ), status


@admin_blueprint.get("/teams/<int:team_id>")
def team(team_id: int):
    """A team's name, state and members."""
    return _render_team(policy.team_for_member_management(current_user, team_id))


@admin_blueprint.post("/teams/<int:team_id>/edit")
def edit_team(team_id: int):
    """Rename or archive a team; an archived team's board is read-only."""
    team = policy.team_for_management(current_user, team_id)
    form = TeamForm(team.organization, team=team)
    if not form.validate():
        return _render_team(team, 422, team_form=form)
    services.update_team(
        current_user,
        team,
        name=cast(str, form.name.data).strip(),
        archived=form.archived.data,
    )
    flash(_("Team saved."), "success")
    return redirect(url_for("admin.team", team_id=team.id), 303)


@admin_blueprint.post("/teams/<int:team_id>/members")
def set_member(team_id: int):
    """Add a person of the organization to the team, or change their role."""
    team = policy.team_for_member_management(current_user, team_id)
    form = MembershipForm(queries.active_people_of(team.organization))
    if not form.validate():
        return _render_team(team, 422, membership_form=form)
    person = cast(User, db.session.get(User, form.user_id.data))  # one of the choices
    services.set_membership(current_user, team, person, TeamRole(form.role.data))
    flash(_("%(name)s is now in the team.", name=person.name), "success")
    return redirect(url_for("admin.team", team_id=team.id), 303)


@admin_blueprint.post("/teams/<int:team_id>/members/<int:user_id>/role")
def change_role(team_id: int, user_id: int):
    """Make a member a supervisor, or the other way round."""
    team = policy.team_for_member_management(current_user, team_id)
    person = _member_of(team, user_id)
    form = RoleForm()
    if form.validate():
        services.set_membership(current_user, team, person, TeamRole(form.role.data))
        flash(_("Role of %(name)s changed.", name=person.name), "success")
    return redirect(url_for("admin.team", team_id=team.id), 303)


@admin_blueprint.post("/teams/<int:team_id>/members/<int:user_id>/remove")
def remove_member(team_id: int, user_id: int):
    """Take a person out of the team; what they made stays."""
    team = policy.team_for_member_management(current_user, team_id)
    person = _member_of(team, user_id)
    services.remove_membership(current_user, team, person)
    flash(_("%(name)s removed from the team.", name=person.name), "success")
    return redirect(url_for("admin.team", team_id=team.id), 303)


def _member_of(team, user_id: int) -> User:
    person = db.session.get(User, user_id)
    if person is None or person.role_in(team.id) is None:
        abort(404)
    return person


# ---- people --------------------------------------------------------------------------------


def _render_user(person, form, status=200):
    return render_template(
        "admin/user.html",
        person=person,
        form=form,
        sign_in_states=auth_queries.sign_in_states(person),
    ), status


@admin_blueprint.route("/users/<int:user_id>", methods=["GET", "POST"])
def user(user_id: int):
    """Edit a person: name, email, language, coordinator, active."""
    person = policy.user_for_management(current_user, user_id)
    if request.method == "GET":
        return _render_user(person, UserForm(obj=person, person=person))
    form = UserForm(person=person)
    if not form.validate():
        return _render_user(person, form, 422)
    if person.id == current_user.id and not form.active.data:
        cast(list, form.active.errors).append(_("You cannot deactivate yourself."))
        return _render_user(person, form, 422)
    services.update_user(
        current_user,
        person,
        name=cast(str, form.name.data).strip(),
        email=form.email.data,
        language=form.language.data or None,
        is_coordinator=form.is_coordinator.data,
        active=form.active.data,
    )
    flash(_("%(name)s saved.", name=person.name), "success")
    return redirect(url_for("admin.user", user_id=person.id), 303)


@admin_blueprint.post("/users/<int:user_id>/anonymise")
def anonymise_user(user_id: int):
    """Remove a departed user's name and email for good; their work stays."""
    policy.require_installation_admin(current_user)
    person = policy.user_for_management(current_user, user_id)
    if person.id == current_user.id:
        abort(400)
    services.anonymise_user(current_user, person)
    flash(_("The user was anonymised."), "success")
    return redirect(url_for("admin.organization", organization_id=person.organization_id), 303)


# ---- themes --------------------------------------------------------------------------------


@admin_blueprint.route("/themes", methods=["GET", "POST"])
def themes():
    """The network's themes; an admin adds a new one."""
    policy.require_installation_admin(current_user)
    form = ThemeForm()
    if form.validate_on_submit():
        theme = services.save_theme(current_user, None, **_theme_values(form))
        flash(_("Theme “%(name)s” created.", name=theme.name_en), "success")
        return redirect(url_for("admin.theme", theme_id=theme.id), 303)
    status = 422 if form.errors else 200
    return render_template("admin/themes.html", form=form, themes=queries.themes()), status


def _theme_values(form: ThemeForm) -> dict:
    return {
        "key": form.key.data,
        "name_fi": cast(str, form.name_fi.data).strip(),
        "name_sv": cast(str, form.name_sv.data).strip(),
        "name_en": cast(str, form.name_en.data).strip(),
        "colour": cast(str, form.colour.data).lower(),
        "retired": form.retired.data,
    }


def _theme_for_admin(theme_id: int) -> Theme:
    policy.require_installation_admin(current_user)
    theme = db.session.get(Theme, theme_id)
    if theme is None:
        abort(404)
    return theme


def _render_theme(theme, status=200, **forms):
    forms.setdefault("form", ThemeForm(obj=theme, theme=theme))
    forms.setdefault("area_form", FocusAreaForm(formdata=None))
    return render_template(
        "admin/theme.html", theme=theme, in_use=services.theme_in_use(theme), **forms
    ), status


@admin_blueprint.route("/themes/<int:theme_id>", methods=["GET", "POST"])
def theme(theme_id: int):
    """Edit a theme's names, colour and state."""
    theme = _theme_for_admin(theme_id)
    if request.method == "GET":
        return _render_theme(theme)
    form = ThemeForm(theme=theme)
    if not form.validate():
        return _render_theme(theme, 422, form=form)
    services.save_theme(current_user, theme, **_theme_values(form))
    flash(_("Theme saved."), "success")
    return redirect(url_for("admin.theme", theme_id=theme.id), 303)


@admin_blueprint.post("/themes/<int:theme_id>/focus-areas")
def add_focus_area(theme_id: int):
    """Add a focus area to a theme."""
    theme = _theme_for_admin(theme_id)
    form = FocusAreaForm()
    if not form.validate():
        return _render_theme(theme, 422, area_form=form)
    services.add_focus_area(
        current_user,
        theme,
        name_fi=form.name_fi.data,
        name_sv=form.name_sv.data,
        name_en=form.name_en.data,
    )
    flash(_("Focus area added."), "success")
    return redirect(url_for("admin.theme", theme_id=theme.id), 303)


@admin_blueprint.post("/themes/<int:theme_id>/delete")
def delete_theme(theme_id: int):
    """Delete a theme nothing uses; one in use can only be retired."""
    theme = _theme_for_admin(theme_id)
    try:
        services.delete_theme(current_user, theme)
    except services.AdminError:
        flash(_("The theme is in use, so it cannot be deleted. Retire it instead."), "error")
        return redirect(url_for("admin.theme", theme_id=theme.id), 303)
    flash(_("Theme deleted."), "success")
    return redirect(url_for("admin.themes"), 303)


# ---- audit log -----------------------------------------------------------------------------


@admin_blueprint.get("/audit")
def audit():
    """Who changed which organization, team, role, person or theme, and when."""
    scope = policy.audit_scope(current_user)
    form = AuditFilterForm(queries.audit_actors(scope), formdata=request.args)
    valid = form.validate()
    events = queries.audit_log(
        scope,
        form.subject.data or None,
        form.actor.data if not form.actor.errors else None,
        form.date_from.data if not form.date_from.errors else None,
        form.date_to.data if not form.date_to.errors else None,
    )
    return render_template(
        "admin/audit.html",
        form=form,
        events=events,
        change_label=labels.change_label,
        change_details=labels.change_details,
        subject_label=labels.subject_label,
    ), 200 if valid else 422


# ---- the profile ---------------------------------------------------------------------------


@profile_blueprint.route("/profile", methods=["GET", "POST"])
@login_required
def show():
    """One's own name, language and teams, with the password change and data download."""
    form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        services.update_profile(
            current_user, name=cast(str, form.name.data), language=form.language.data
        )
        flash(_("Profile saved."), "success")
        return redirect(url_for("profile.show"), 303)
    status = 422 if form.errors else 200
    return render_template("admin/profile.html", form=form), status


@profile_blueprint.get("/profile/data.json")
@login_required
def download_data():
    """Everything Vertaa holds about oneself, as JSON, named after its link, oneself and today."""
    today = to_user_timezone(utcnow()).date()
    filename = download_name(_("Your data (JSON)"), current_user.name, day=today)
    return (
        services.personal_data(current_user),
        200,
        {"Content-Disposition": content_disposition(f"{filename}.json")},
    )
