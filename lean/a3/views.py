"""A3 pages: parse the request, ask the policy, call one service, render.

With htmx a change answers with the section it changed; without JavaScript every control is
a plain form or link whose answer is a page (a redirect back to the sheet, or a page holding
just the section with its form and errors).
"""

from __future__ import annotations

from functools import partial
from typing import cast

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import to_user_timezone
from flask_login import current_user, login_required
from markupsafe import Markup

from lean.a3 import queries, services
from lean.a3.forms import (
    SECTION_FORMS,
    A3FilterForm,
    ActionForm,
    AnswerForm,
    CauseForm,
    CommentForm,
    CountermeasureForm,
    HeaderForm,
    PeerCoachForm,
    WhyForm,
)
from lean.a3.sections import (
    BY_KEY,
    FORM_SECTIONS,
    SECTIONS,
    cause_category_label,
    section_for_stage,
    section_prompt,
    section_title,
)
from lean.core.extensions import db
from lean.core.htmx import is_htmx
from lean.core.input_checks import id_from
from lean.models import A3Comment, Event, Improvement, User
from lean.shared import pieces, policy
from lean.shared.downloads import download_name
from lean.shared.labels import stage_label
from lean.shared.lookups import active_themes
from lean.shared.pdf import html_to_pdf, pdf_download
from lean.shared.web import announce

a3_blueprint = Blueprint("a3", __name__)


@a3_blueprint.before_request
@login_required
def require_login():
    """Every A3 page is for logged-in users only."""


# ---- the A3's pieces of the card page (lean/shared/pieces.py) ----------------------------


@pieces.provides(a3_blueprint, "a3.card_summary")
def card_summary_piece(improvement: Improvement, can_write: bool) -> Markup:
    """The card page's line about its A3: progress and a link, or how to start one (one query)."""
    return pieces.partial(
        "a3/_card_summary.html",
        improvement=improvement,
        a3=queries.card_summary(improvement.id),
        can_write=can_write,
    )


@pieces.provides(a3_blueprint, "a3.history_event")
def history_event_piece(event: Event) -> Markup:
    """An A3 change in words, in the card's history."""
    return pieces.partial("a3/_history_event.html", event=event, a3_section_title=section_title)


# ---- rendering ---------------------------------------------------------------------------


class SheetState:
    """What a sheet shows besides its content: which parts are open as forms, with errors."""

    def __init__(self):
        self.section_forms: dict = {}
        self.add_forms: dict = {}
        self.comment_forms: dict = {}
        self.editing_item: tuple | None = None  # (kind, id, form)
        self.conflict: str | None = None  # the section key whose save met another one
        self.peer_coach_form: PeerCoachForm | None = None


def _item_form(kind: str, people, **kwargs):
    if kind == "whys":
        return WhyForm(**kwargs)
    if kind == "causes":
        return CauseForm(**kwargs)
    if kind == "countermeasures":
        return CountermeasureForm(**kwargs)
    return ActionForm(people, **kwargs)


def person_name(sheet, user: User | None) -> str | None:
    """A person as the viewer may see them: a peer coach from another organization sees a
    name only when its owner shows it to the network, else "A member of <organization>".
    The sheet's coach is named in its header for all to see."""
    if user is None:
        return None
    known = policy.sees_names_of(current_user, user.organization_id) or user.id == sheet.coach_id
    return policy.display_name(
        user.name, user.show_name_to_network, user.organization.name, same_organization=known
    )


def _action_people(sheet, keep_id: int | None = None) -> list[tuple[int, str]]:
    """Who an action can be given to, as the viewer may see them: the team's members, but
    for a peer coach only those who show their name (and the action's own, kept unnamed)."""
    people = queries.team_people(sheet.improvement.team_id)
    if not policy.sees_names_of(current_user, sheet.improvement.team.organization_id):
        people = [u for u in people if u.show_name_to_network or u.id == keep_id]
    return [(user.id, cast(str, person_name(sheet, user))) for user in people]  # a user is named


def _context(sheet, state: SheetState | None = None) -> dict:
    content = queries.sheet_content(sheet.id)
    can_write = policy.can_write_a3(current_user, sheet)
    people = _action_people(sheet) if can_write else []
    state = state or SheetState()
    for kind in services.ITEM_KINDS:
        state.add_forms.setdefault(kind, _item_form(kind, people, formdata=None))
    return {
        "sheet": sheet,
        "improvement": sheet.improvement,
        "content": content,
        "state": state,
        "can_write": can_write,
        "can_read_card": policy.can_read_team(current_user, sheet.improvement.team),
        "can_name_peer_coach": policy.can_name_peer_coach(current_user, sheet),
        "peer_coach_form": state.peer_coach_form or PeerCoachForm(formdata=None),
        "comment_form": CommentForm(formdata=None),
        "answer_form": AnswerForm(formdata=None),
        "current_sections": section_for_stage(sheet.improvement.stage),
        "filled": content.filled(sheet),
        "sections": SECTIONS,
        "section_title": section_title,
        "section_prompt": section_prompt,
        "stage_label": stage_label,
        "cause_category_label": cause_category_label,
        "max_whys": services.MAX_WHYS,
        "person_name": partial(person_name, sheet),
    }


def _sheet_url(sheet, section_key: str | None = None) -> str:
    url = url_for("a3.sheet", improvement_id=sheet.improvement_id)
    return f"{url}#a3-section-{section_key}" if section_key else url


def _render_section(sheet, key: str, state: SheetState | None = None, status: int = 200):
    """htmx gets the section alone; a plain request gets a page holding just that section."""
    context = _context(sheet, state)
    template = "a3/_header.html" if key == "header" else "a3/_section.html"
    context["section"] = BY_KEY[key]
    if is_htmx():
        return render_template(template, **context), status
    return render_template("a3/section_page.html", template=template, **context), status


def _after_change(sheet, key: str, message: str):
    """A change went through: the fresh section for htmx, back to the sheet for a plain form;
    `message` says so in the page's live region."""
    if is_htmx():
        response = make_response(_render_section(db.session.get(type(sheet), sheet.id), key))
        return announce(response, message)
    flash(message, "success")
    return redirect(_sheet_url(sheet, key), 303)


def _refreshed(sheet):
    """The sheet as saved now (a refused save rolled the session back)."""
    return policy.a3_for_read(current_user, sheet.id)


# ---- the sheet ---------------------------------------------------------------------------


@a3_blueprint.get("/improvements/<int:improvement_id>/a3")
def sheet(improvement_id: int):
    """A card's A3 sheet, or the button that starts it."""
    improvement, sheet = policy.a3_of_improvement_for_read(current_user, improvement_id)
    if sheet is None:
        return render_template(
            "a3/not_started.html",
            improvement=improvement,
            can_start=policy.can_start_a3(current_user, improvement),
        )
    return render_template("a3/sheet.html", **_context(sheet))


@a3_blueprint.post("/improvements/<int:improvement_id>/a3")
def start(improvement_id: int):
    """Start the card's A3 (or open it, when someone already did)."""
    improvement = policy.improvement_for_a3_start(current_user, improvement_id)
    services.start_a3(current_user, improvement)
    return redirect(url_for("a3.sheet", improvement_id=improvement.id), 303)


@a3_blueprint.get("/a3/<int:sheet_id>/sections/<section>")
def section(sheet_id: int, section: str):
    """One section as it reads (what Cancel brings back)."""
    sheet = policy.a3_for_read(current_user, sheet_id)
    if section not in BY_KEY:
        abort(404)
    if not is_htmx():
        return redirect(_sheet_url(sheet, section), 303)
    return _render_section(sheet, section)


def _section_form(sheet, key: str, **kwargs):
    if key == "header":
        team = sheet.improvement.team
        if policy.can_write_team(current_user, team):
            coaches = queries.coach_candidates(team.organization_id, sheet.coach_id)
        else:
            # A peer coach from elsewhere is not shown the organization's people.
            coaches = [sheet.coach] if sheet.coach else []
        return HeaderForm(coaches, **kwargs)
    return SECTION_FORMS[key](**kwargs)


@a3_blueprint.route("/a3/<int:sheet_id>/sections/<section>/edit", methods=["GET", "POST"])
def edit_section(sheet_id: int, section: str):
    """Edit one section in place; a save over someone else's newer save is refused and shown."""
    sheet = policy.a3_for_write(current_user, sheet_id)
    if section not in FORM_SECTIONS:
        abort(404)
    state = SheetState()
    if request.method == "GET":
        form = _section_form(sheet, section, obj=sheet, formdata=None)
        form.version.data = getattr(sheet, BY_KEY[section].version_column)
        state.section_forms[section] = form
        return _render_section(sheet, section, state)

    form = _section_form(sheet, section)
    state.section_forms[section] = form
    if not form.validate():
        return _render_section(sheet, section, state, 422)
    try:
        services.update_section(
            current_user, sheet, section, form.expected_version(), form.changes()
        )
    except services.SectionConflict:
        sheet = _refreshed(sheet)
        # Saving again now replaces the saved text knowingly; the editor's text stays.
        form.version.data = getattr(sheet, BY_KEY[section].version_column)
        state.conflict = section
        return _render_section(sheet, section, state, 409)
    return _after_change(sheet, section, _("Section saved."))


@a3_blueprint.post("/a3/<int:sheet_id>/coach")
def name_peer_coach(sheet_id: int):
    """A coordinator names a coach by email, who may come from another organization."""
    sheet = policy.a3_for_peer_coach(current_user, sheet_id)
    form = PeerCoachForm()
    coach = queries.user_by_email(form.email.data or "") if form.validate() else None
    if coach is None:
        if form.email.data and not form.email.errors:
            cast(list, form.email.errors).append(_("Nobody with this email uses Vertaa."))
        state = SheetState()
        state.peer_coach_form = form
        return _render_section(sheet, "header", state, 422)
    services.name_peer_coach(current_user, sheet, coach)
    return _after_change(sheet, "header", _("%(name)s now coaches this A3.", name=coach.name))


# ---- list items: whys, causes, countermeasures, actions ----------------------------------


def _kind(kind: str) -> services.ItemKind:
    if kind not in services.ITEM_KINDS:
        abort(404)
    return services.ITEM_KINDS[kind]


def _item(sheet, kind: services.ItemKind, item_id: int):
    item = db.session.get(kind.model, item_id)
    if item is None or item.sheet_id != sheet.id:
        abort(404)
    return item


@a3_blueprint.post("/a3/<int:sheet_id>/items/<kind>")
def add_item(sheet_id: int, kind: str):
    """Add a why, a cause, a countermeasure or an action."""
    sheet = policy.a3_for_write(current_user, sheet_id)
    item_kind = _kind(kind)
    form = _item_form(kind, _action_people(sheet))
    state = SheetState()
    state.add_forms[kind] = form
    if not form.validate():
        return _render_section(sheet, item_kind.section, state, 422)
    try:
        services.add_item(current_user, sheet, item_kind, form.changes())
    except services.A3Refused:
        form.form_errors.append(_("The chain has five whys already."))
        return _render_section(_refreshed(sheet), item_kind.section, state, 422)
    return _after_change(sheet, item_kind.section, _("Section saved."))


@a3_blueprint.route("/a3/<int:sheet_id>/items/<kind>/<int:item_id>/edit", methods=["GET", "POST"])
def edit_item(sheet_id: int, kind: str, item_id: int):
    """Edit one item in place, refused like a section's save when the section moved on."""
    sheet = policy.a3_for_write(current_user, sheet_id)
    item_kind = _kind(kind)
    item = _item(sheet, item_kind, item_id)
    people = _action_people(sheet, keep_id=getattr(item, "who_id", None))
    version_column = BY_KEY[item_kind.section].version_column
    state = SheetState()
    if request.method == "GET":
        form = _item_form(kind, people, obj=item, formdata=None)
        form.version.data = getattr(sheet, version_column)
        state.editing_item = (kind, item.id, form)
        return _render_section(sheet, item_kind.section, state)
    form = _item_form(kind, people)
    state.editing_item = (kind, item.id, form)
    if not form.validate():
        return _render_section(sheet, item_kind.section, state, 422)
    try:
        services.update_item(
            current_user, sheet, item_kind, item, form.expected_version(), form.changes()
        )
    except services.SectionConflict:
        sheet = _refreshed(sheet)
        form.version.data = getattr(sheet, version_column)
        state.conflict = item_kind.section
        if db.session.get(item_kind.model, item_id) is None:
            abort(404)
        return _render_section(sheet, item_kind.section, state, 409)
    return _after_change(sheet, item_kind.section, _("Section saved."))


@a3_blueprint.post("/a3/<int:sheet_id>/items/<kind>/<int:item_id>/toggle")
def toggle_item(sheet_id: int, kind: str, item_id: int):
    """Mark an action done or open again; choose a countermeasure or drop it."""
    sheet = policy.a3_for_write(current_user, sheet_id)
    item_kind = _kind(kind)
    if kind not in ("actions", "countermeasures"):
        abort(404)
    services.toggle_item(current_user, sheet, item_kind, _item(sheet, item_kind, item_id))
    return _after_change(sheet, item_kind.section, _("Section saved."))


@a3_blueprint.post("/a3/<int:sheet_id>/items/<kind>/<int:item_id>/move")
def move_item(sheet_id: int, kind: str, item_id: int):
    """Move a why one step up or down the chain."""
    sheet = policy.a3_for_write(current_user, sheet_id)
    item_kind = _kind(kind)
    if kind != "whys":
        abort(404)
    step = -1 if request.form.get("direction") == "up" else 1
    services.move_why(current_user, sheet, _item(sheet, item_kind, item_id), step)
    return _after_change(sheet, item_kind.section, _("Section saved."))


@a3_blueprint.post("/a3/<int:sheet_id>/items/<kind>/<int:item_id>/delete")
def remove_item(sheet_id: int, kind: str, item_id: int):
    """Remove an item from its list."""
    sheet = policy.a3_for_write(current_user, sheet_id)
    item_kind = _kind(kind)
    services.remove_item(current_user, sheet, item_kind, _item(sheet, item_kind, item_id))
    return _after_change(sheet, item_kind.section, _("Section saved."))


# ---- coaching comments -------------------------------------------------------------------


@a3_blueprint.post("/a3/<int:sheet_id>/sections/<section>/comments")
def add_comment(sheet_id: int, section: str):
    """Comment on a section, or answer a comment."""
    sheet = policy.a3_for_write(current_user, sheet_id)
    if section not in BY_KEY or section == "header":
        abort(404)
    answering = request.form.get("parent_id", "")
    form = AnswerForm() if answering else CommentForm()
    parent = None
    if answering:
        parent = db.session.get(A3Comment, id_from(answering) or 0)
        if parent is None or parent.sheet_id != sheet.id:
            abort(404)
    if not form.validate():
        state = SheetState()
        state.comment_forms[(section, parent.id if parent else None)] = form
        return _render_section(sheet, section, state, 422)
    try:
        services.add_comment(current_user, sheet, section, cast(str, form.body.data), parent)
    except services.A3Refused:
        abort(400)
    return _after_change(sheet, section, _("Comment added."))


@a3_blueprint.post("/a3/<int:sheet_id>/comments/<int:comment_id>/resolve")
def resolve_comment(sheet_id: int, comment_id: int):
    """Mark a comment resolved; it stays readable."""
    sheet = policy.a3_for_write(current_user, sheet_id)
    comment = db.session.get(A3Comment, comment_id)
    if comment is None or comment.sheet_id != sheet.id or comment.parent_id is not None:
        abort(404)
    services.resolve_comment(current_user, sheet, comment)
    return _after_change(sheet, comment.section, _("Comment resolved."))


# ---- print -------------------------------------------------------------------------------


def _print_html(sheet, for_pdf: bool = False) -> str:
    return render_template("a3/print.html", for_pdf=for_pdf, **_context(sheet))


@a3_blueprint.get("/a3/<int:sheet_id>/print")
def print_view(sheet_id: int):
    """The whole sheet on one A3 landscape page, as printed on paper."""
    sheet = policy.a3_for_read(current_user, sheet_id)
    return _print_html(sheet)


@a3_blueprint.get("/a3/<int:sheet_id>/print.pdf")
def print_pdf(sheet_id: int):
    """The print view as a PDF, drawn on the server by WeasyPrint, named after the sheet and its
    team and last revision:
    vertaa-a3-lomake-opintotoimisto-hakemusten-käsittelyaika-2026-11-16.pdf."""
    sheet = policy.a3_for_read(current_user, sheet_id)
    pdf = html_to_pdf(_print_html(sheet, for_pdf=True))
    revised_on = to_user_timezone(sheet.revised_at).date()
    # The file's name is the text of the link that downloads it, the team and the sheet's title.
    team = sheet.improvement.team.name
    return pdf_download(pdf, download_name(_("A3 sheet (PDF)"), team, sheet.title, day=revised_on))


# ---- lists -------------------------------------------------------------------------------


def _filters(organization_id: int):
    themes = active_themes()
    coaches = queries.coaches_in_lists(organization_id)
    form = A3FilterForm(themes, coaches, formdata=request.args)
    form.validate()
    valid = lambda field: field.data if not field.errors and field.data else None  # noqa: E731
    return form, queries.A3Filters(
        theme_id=valid(form.theme),
        stage=valid(form.stage),
        coach_id=valid(form.coach),
        progress=valid(form.progress),
    )


@a3_blueprint.get("/teams/<int:team_id>/a3")
def team_list(team_id: int):
    """A team's A3s with their progress."""
    team = policy.team_for_read(current_user, team_id)
    form, filters = _filters(team.organization_id)
    return render_template(
        "a3/list.html",
        team=team,
        filter_form=form,
        rows=queries.list_sheets(team.organization_id, filters, team_id=team.id),
        stage_label=stage_label,
        list_url=url_for("a3.team_list", team_id=team.id),
    )


@a3_blueprint.get("/a3")
def organization_list():
    """Every A3 of the coordinator's organization, across its teams."""
    policy.require_organization_a3_list(current_user)
    organization_id = current_user.organization_id
    form, filters = _filters(organization_id)
    return render_template(
        "a3/list.html",
        team=None,
        filter_form=form,
        rows=queries.list_sheets(organization_id, filters),
        stage_label=stage_label,
        list_url=url_for("a3.organization_list"),
    )
