"""Copying a card, a team's card templates and cards made from them. The routes join the
boards blueprint; each parses, asks the policy, calls one service and renders."""

from datetime import date
from typing import cast

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from lean.boards import card_templates, recurrence
from lean.boards.template_forms import CardTemplateForm, FromTemplateForm
from lean.boards.views import _filter_args, _render_board, boards_blueprint
from lean.core.extensions import db
from lean.core.htmx import is_htmx
from lean.core.input_checks import id_from, version_from
from lean.models import CardTemplate, Event, FocusArea, Recurrence, Theme
from lean.shared import pieces, policy
from lean.shared.conflicts import EditConflict
from lean.shared.lookups import active_themes
from lean.shared.web import announce, render_page_or_partial

# ---- copy a card -------------------------------------------------------------------------


@boards_blueprint.post("/improvements/<int:improvement_id>/copy")
def copy(improvement_id: int):
    """Copy a card into Idea of its team and open the copy."""
    original = policy.improvement_for_copy(current_user, improvement_id)
    copied = card_templates.copy_improvement(current_user, original)
    flash(
        _("Card copied into Idea. This is the copy: change its title and owner as you need."),
        "success",
    )
    return redirect(url_for("boards.detail", improvement_id=copied.id), 303)


# ---- a team's templates ------------------------------------------------------------------


@boards_blueprint.get("/teams/<int:team_id>/templates")
def card_template_list(team_id: int):
    """The team's card templates, their schedules in words and their next dates."""
    team = policy.team_for_read(current_user, team_id)
    templates = card_templates.team_templates(team)
    today = card_templates.local_today()
    return render_template(
        "boards/templates.html",
        team=team,
        templates=templates,
        schedule=_schedule_of,
        next_dates=lambda t: recurrence.next_dates(t, today),
        checklist_lines=card_templates.checklist_lines,
        can_manage=policy.can_manage_card_templates(current_user, team),
        can_write=policy.can_write_team(current_user, team),
    )


def _values(form: CardTemplateForm) -> card_templates.TemplateValues:
    theme = cast(Theme, db.session.get(Theme, form.theme_id.data))  # one of the choices
    focus = db.session.get(FocusArea, form.focus_area_id.data) if form.focus_area_id.data else None
    return card_templates.TemplateValues(
        title=cast(str, form.title.data),
        problem=form.problem.data or "",
        theme=theme,
        focus_area=focus,
        checklist=form.checklist.data or "",
        recurrence=form.recurrence.data or Recurrence.NONE,
        every_weeks=form.every_weeks.data,
        weekday=form.weekday.data,
        week_of_month=form.week_of_month.data,
        starts_on=form.starts_on.data,
    )


def _render_form(team, form, template=None, status=200, conflict=None):
    return render_page_or_partial(
        "boards/template_form.html",
        "boards/_template_form.html",
        status=status,
        team=team,
        form=form,
        template=template,
        conflict=conflict,
        schedule_of=_schedule_of,
    )


def _schedule_of(template: CardTemplate) -> str:
    return recurrence.describe(
        template.recurrence, template.every_weeks, template.weekday, template.week_of_month
    )


@boards_blueprint.route("/teams/<int:team_id>/templates/new", methods=["GET", "POST"])
def new_card_template(team_id: int):
    """Add a card template to the team."""
    team = policy.team_for_card_templates(current_user, team_id)
    themes = active_themes()
    if request.method == "GET":
        form = CardTemplateForm(themes, formdata=None)
        form.starts_on.data = card_templates.local_today()
        return _render_form(team, form)
    form = CardTemplateForm(themes)
    if not form.validate():
        return _render_form(team, form, status=422)
    template = card_templates.create_template(current_user, team, _values(form))
    flash(_("Template “%(title)s” saved.", title=template.title), "success")
    return _to_list(team.id, template.id)


@boards_blueprint.route("/templates/<int:template_id>/edit", methods=["GET", "POST"])
def edit_card_template(template_id: int):
    """Edit a card template; a save over someone else's newer save is refused and shown."""
    template = policy.card_template_for_management(current_user, template_id)
    themes = active_themes()
    if request.method == "GET":
        form = CardTemplateForm(themes, obj=template)
        form.version.data = str(template.version)
        form.recurrence.data = template.recurrence
        return _render_form(template.team, form, template)
    form = CardTemplateForm(themes)
    if not form.validate():
        return _render_form(template.team, form, template, status=422)
    try:
        card_templates.update_template(
            current_user, template, version_from(form.version.data), _values(form)
        )
    except EditConflict as conflict:
        current = conflict.current
        if current is None or current.archived:
            flash(_("Someone else removed this template meanwhile."), "error")
            return _to_list(template.team_id)
        form.version.data = str(current.version)
        return _render_form(current.team, form, current, status=409, conflict=current)
    flash(_("Template “%(title)s” saved.", title=template.title), "success")
    return _to_list(template.team_id, template.id)


@boards_blueprint.post("/templates/<int:template_id>/remove")
def remove_card_template(template_id: int):
    """Remove a template: it is offered no more and makes no more cards."""
    template = policy.card_template_for_management(current_user, template_id)
    card_templates.remove_template(current_user, template)
    flash(_("Template “%(title)s” removed.", title=template.title), "success")
    return _to_list(template.team_id)


@boards_blueprint.get("/teams/<int:team_id>/templates/schedule")
def describe_schedule(team_id: int):
    """The template form's schedule in words, redrawn as its fields change."""
    policy.team_for_card_templates(current_user, team_id)
    form = CardTemplateForm(active_themes(), formdata=request.args, meta={"csrf": False})
    form.validate()
    return render_template("boards/_template_schedule.html", form=form)


def _to_list(team_id: int, template_id: int | None = None):
    target = url_for("boards.card_template_list", team_id=team_id)
    if template_id is not None:
        target += f"#template-{template_id}"
    if is_htmx():
        return "", 204, {"HX-Redirect": target}
    return redirect(target, 303)


# ---- cards from templates ----------------------------------------------------------------


@boards_blueprint.post("/teams/<int:team_id>/improvements/from-template")
def add_from_template(team_id: int):
    """Add a card to Idea from one of the team's templates (the board's "From template")."""
    team = policy.team_for_write(current_user, team_id)
    form = FromTemplateForm(card_templates.offered_templates(team.id))
    template_id = id_from(request.form.get("template_id"))
    if not form.validate() or template_id is None:
        if is_htmx():
            response = make_response(_render_board(team, status=422))
            return announce(response, _("Choose a template to add a card from."))
        flash(_("Choose a template to add a card from."), "error")
        return redirect(url_for("boards.show", team_id=team.id, **_filter_args(request.args)), 303)
    template = policy.card_template_for_use(current_user, template_id)
    if template.team_id != team.id:
        abort(404)
    card = card_templates.card_from_template(current_user, template)
    if is_htmx():
        response = make_response(_render_board(team))
        return announce(
            response, _("Card “%(title)s” added to Idea", title=card.title), f"card-{card.id}"
        )
    flash(_("Card “%(title)s” added to Idea.", title=card.title), "success")
    target = url_for("boards.show", team_id=team.id, **_filter_args(request.args))
    return redirect(f"{target}#card-{card.id}", 303)


@boards_blueprint.post("/templates/<int:template_id>/use")
def use_card_template(template_id: int):
    """Make a card from a template on the templates page, and open it."""
    template: CardTemplate = policy.card_template_for_use(current_user, template_id)
    card = card_templates.card_from_template(current_user, template)
    flash(_("Card “%(title)s” added to Idea.", title=card.title), "success")
    return redirect(url_for("boards.detail", improvement_id=card.id), 303)


@pieces.provides(boards_blueprint, "boards.history_origin")
def history_origin_piece(event: Event) -> Markup:
    """A copied card's or a template's card's line in its history: where it came from."""
    day = event.data.get("date") if event.data else None
    try:
        when = date.fromisoformat(day) if isinstance(day, str) else None
    except ValueError:
        when = None
    return pieces.partial("boards/_history_origin.html", event=event, day=when)
