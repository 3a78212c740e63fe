"""Board pages: parse the request, ask the policy, call one service, render."""

import json
from typing import cast

from flask import (
    Blueprint,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from lean.boards import fragments, limits_page, queries, services, undo
from lean.boards.checklist_page import ChecklistState
from lean.boards.forms import ImprovementForm, MoveForm, QuickAddForm
from lean.core.conditional import answers_unchanged
from lean.core.extensions import db
from lean.core.htmx import is_htmx
from lean.core.i18n import current_language
from lean.core.input_checks import id_from, version_from
from lean.models import Improvement, Stage, Theme
from lean.shared import freshness, pieces, policy
from lean.shared.conflicts import EditConflict
from lean.shared.labels import display_value, field_label, stage_label
from lean.shared.lookups import active_themes, team_members
from lean.shared.web import announce, render_page_or_partial

boards_blueprint = Blueprint("boards", __name__)


@boards_blueprint.before_request
@login_required
def require_login():
    """Every board page is for logged-in users only."""


@boards_blueprint.get("/")
def index():
    """Where each role starts: members and supervisors on their board, coordinators on the
    dashboard, admins in administration; anyone else picks a team."""
    teams = sorted((m.team for m in current_user.memberships), key=lambda team: team.name)
    if teams:
        return redirect(url_for("boards.show", team_id=teams[0].id))
    pages = current_app.view_functions
    if policy.coordinates_organization(current_user) and "dashboard.index" in pages:
        return redirect(url_for("dashboard.index"))
    if policy.can_manage_installation(current_user) and "admin.index" in pages:
        return redirect(url_for("admin.index"))
    return redirect(url_for("boards.team_picker"))


@boards_blueprint.get("/teams")
def team_picker():
    """All teams the user may open."""
    return render_template("boards/teams.html", teams=queries.organization_teams(current_user))


def _render_board(
    team, quick_add=None, status=200, focus_quick_add=False, version=None, over_limit=None
):
    """The board page, or for htmx only the board itself (#board: quick add and columns).

    With the team's `version` (lean/shared/freshness.py), the plain board is rendered once per
    change and kept (lean/boards/fragments.py)."""
    can_write = policy.can_write_team(current_user, team)
    markup = fragments.board_markup(
        team,
        request.args,
        can_write=can_write,
        version=version,
        quick_add=quick_add,
        focus_quick_add=focus_quick_add,
        over_limit=over_limit,
    )
    if is_htmx():
        return markup.board, status
    page = render_template(
        "boards/board.html",
        team=team,
        kept=markup,
        can_write=can_write,
        can_manage_members=policy.can_manage_members(current_user, team),
        stage_label=stage_label,
    )
    return page, status


def _counted_filters(args: MultiDict) -> queries.BoardFilters:
    """The board's filters as the column counts need them, read without loading the choices."""

    def number(name: str) -> int | None:
        # As the filter form reads them: an id beyond our keys is no filter either.
        return id_from(args.get(name)) or None

    return queries.BoardFilters(
        theme_id=number("theme"), owner_id=number("owner"), blocked_only=bool(args.get("blocked"))
    )


def _render_moved_card(improvement, undo_notice: Markup | None = None):
    """The htmx answer to a move: the moved card, the column counts and its Undo out of band."""
    team = improvement.team
    filters = _counted_filters(request.args)
    return render_template(
        "boards/_moved.html",
        item=queries.board_card(improvement, current_language()),
        columns=queries.column_counts(team, filters),
        card_words=fragments.card_words(),
        urls=fragments.card_urls(request.args),
        can_write=True,
        in_stage=fragments.days_label,
        undo_notice=undo_notice,
    )


def _filter_args(args: MultiDict) -> dict:
    return fragments.filter_args(args)


@boards_blueprint.get("/teams/<int:team_id>/board")
@answers_unchanged(freshness.unchanged_team_page)
def show(team_id: int):
    """A team's PDCA board."""
    team = policy.team_for_read(current_user, team_id)
    version = freshness.team_version(team)
    # The open board asks again with htmx and its tag: unchanged costs a 304, no rendering.
    g.freshness_etag = etag = freshness.team_etag(team, version)
    if not is_htmx():
        return _render_board(team, version=version)
    return freshness.not_modified(etag) or freshness.tagged(
        _render_board(team, version=version), etag
    )


@boards_blueprint.post("/teams/<int:team_id>/improvements")
def quick_add(team_id: int):
    """Add a card to the Idea column from the board's quick add."""
    team = policy.team_for_write(current_user, team_id)
    themes = queries.board_themes()
    form = QuickAddForm(themes)
    if not form.validate():
        return _render_board(team, quick_add=form, status=422, focus_quick_add=True)
    theme = cast(Theme, db.session.get(Theme, form.theme_id.data))  # one of the choices
    improvement = services.create_improvement(
        current_user, team, title=cast(str, form.title.data), theme=theme
    )
    if is_htmx():
        response = make_response(_render_board(team, focus_quick_add=True))
        announce(response, _("Card added to Idea"), f"card-{improvement.id}")
        return response
    flash(_("Card added."), "success")
    return redirect(url_for("boards.show", team_id=team.id, **_filter_args(request.args)), 303)


@boards_blueprint.get("/improvements/<int:improvement_id>/move")
def choose_stage(improvement_id: int):
    """The stages to move a card to: what a card's "Move…" opens without JavaScript."""
    improvement = policy.improvement_for_write(current_user, improvement_id)
    return render_template(
        "boards/move.html",
        improvement=improvement,
        filter_args=_filter_args(request.args),
        stage_label=stage_label,
    )


@boards_blueprint.post("/improvements/<int:improvement_id>/move")
def move(improvement_id: int):
    """Move a card to another stage; the board (or the card page) shows the result."""
    improvement = policy.improvement_for_write(current_user, improvement_id)
    position_before = improvement.position
    form = MoveForm()
    moved = False
    came_from = "board" if request.form.get("from") == "board" else "card"
    if form.validate():
        try:
            services.move_improvement(
                current_user, improvement, Stage(form.stage.data), limits_page.reason_sent()
            )
            moved = True
        except services.WipLimitReached as reached:
            return _refused_move(improvement, reached, came_from)
        except EditConflict:
            flash(_("Someone else changed this card at the same moment. Try again."), "error")
    else:
        flash(_("Choose a stage to move the card to."), "error")
    undo_notice = _offer_undo(improvement, position_before, came_from) if moved else None
    if is_htmx() and came_from == "board":
        return _moved_or_board(improvement, moved, undo_notice)
    if request.form.get("from") == "board":
        target = url_for("boards.show", team_id=improvement.team_id, **_filter_args(request.args))
        return redirect(f"{target}#card-{improvement.id}", 303)
    return redirect(url_for("boards.detail", improvement_id=improvement.id), 303)


@boards_blueprint.post("/improvements/<int:improvement_id>/place")
def place(improvement_id: int):
    """Put a card where it was dropped: a column, and below a neighbour (or on top)."""
    improvement = policy.improvement_for_write(current_user, improvement_id)
    # The app-wide CSRF protection has checked the page's X-CSRFToken header: a drop sends
    # no form of its own, so it carries no token field.
    form = MoveForm(meta={"csrf": False})
    after = request.form.get("after", "")
    after_id = id_from(after)
    position_before, stage_before = improvement.position, improvement.stage
    placed = False
    if form.validate() and (after == "" or after_id is not None):
        try:
            services.place_improvement(
                current_user,
                improvement,
                Stage(form.stage.data),
                after_id or None,
                limits_page.reason_sent(),
            )
            placed = True
        except services.WipLimitReached as reached:
            return _refused_move(improvement, reached, "board", after)
        except EditConflict:
            flash(_("Someone else changed this card at the same moment. Try again."), "error")
    else:
        flash(_("Choose a stage to move the card to."), "error")
    # A new place in the same column is no move to undo.
    moved = placed and improvement.stage != stage_before
    undo_notice = _offer_undo(improvement, position_before, "board") if moved else None
    if is_htmx() and placed and limits_page.reason_sent():
        return _board_after_move_over_limit(improvement, undo_notice)
    if is_htmx() and placed and not moved:
        # A new place in the same column: said, as a move to another column says its Undo.
        response = make_response(_moved_or_board(improvement, placed))
        return announce(
            response, _("Card placed in %(stage)s.", stage=stage_label(improvement.stage))
        )
    if is_htmx():
        return _moved_or_board(improvement, placed, undo_notice)
    target = url_for("boards.show", team_id=improvement.team_id, **_filter_args(request.args))
    return redirect(f"{target}#card-{improvement.id}", 303)


def _refused_move(improvement, reached: services.WipLimitReached, came_from: str, after=""):
    """A move into a column at its work-in-progress limit, refused or waiting for its reason:
    on the board (htmx) the board as it stands with the question or refusal above it, else
    the move page with it; 422 either way, and the card stays where it was."""
    args = _filter_args(request.args)
    board_url = url_for("boards.show", team_id=improvement.team_id, **args)
    stage = reached.stage.value
    if is_htmx():
        over_limit = limits_page.context(
            improvement,
            reached,
            action=url_for("boards.place", improvement_id=improvement.id, **args),
            hidden={"stage": stage, "after": after},
            cancel_url=f"{board_url}#card-{improvement.id}",
            htmx=True,
        )
        response = make_response(_render_board(improvement.team, status=422, over_limit=over_limit))
        response.headers["HX-Retarget"] = "#board"
        response.headers["HX-Reswap"] = "outerHTML"
        return response
    on_card = came_from != "board"
    over_limit = limits_page.context(
        improvement,
        reached,
        action=url_for("boards.move", improvement_id=improvement.id, **args),
        hidden={"stage": stage, "from": "" if on_card else "board"},
        cancel_url=url_for("boards.detail", improvement_id=improvement.id)
        if on_card
        else f"{board_url}#card-{improvement.id}",
        htmx=False,
        on_card=on_card,
    )
    page = render_template(
        "boards/move.html",
        improvement=improvement,
        filter_args=args,
        stage_label=stage_label,
        over_limit=over_limit,
    )
    return page, 422


def _board_after_move_over_limit(improvement, undo_notice: Markup | None):
    """The board again after a move over a limit with its reason (the reason's form stood
    above the board): the card in its new column, announced."""
    board, status = _render_board(improvement.team)
    response = make_response(board + (undo_notice or Markup()), status)
    # The undo's message says it in the live region already: said once, not twice.
    message = (
        ""
        if undo_notice
        else _("Card moved to %(stage)s, over its limit.", stage=stage_label(improvement.stage))
    )
    announce(response, message, f"card-{improvement.id}")
    return response


def _offer_undo(improvement, position_before: int, came_from: str) -> Markup | None:
    """The Undo of the move just made: for htmx the message to swap in, else flashed."""
    offer = undo.offer_for(improvement, position_before)
    if offer is None:
        return None
    args = _filter_args(request.args)
    if is_htmx():
        return undo.notice(offer, came_from=came_from, query=args, oob=True)
    flash(undo.notice(offer, came_from=came_from, query=args), "undo")
    return None


def _moved_or_board(improvement, moved: bool, undo_notice: Markup | None = None):
    """The moved card for htmx; when the move failed, the whole board again, as it stands."""
    if moved:
        return _render_moved_card(improvement, undo_notice)
    db.session.rollback()
    response = make_response(_render_board(improvement.team, status=409))
    response.headers["HX-Retarget"] = "#board"
    response.headers["HX-Reswap"] = "outerHTML"
    return response


@boards_blueprint.get("/improvements/<int:improvement_id>")
@answers_unchanged(freshness.unchanged_card_page)
def detail(improvement_id: int):
    """A card with its PDCA fields, impact and history.

    The open page asks again with htmx and its tag (lean/shared/freshness.py): unchanged costs
    a 304; after a change to the card the answer is its comments, which the page redraws."""
    improvement = policy.improvement_for_read(current_user, improvement_id)
    g.freshness_etag = etag = freshness.card_etag(improvement)
    if not is_htmx():
        return render_detail(improvement)
    return freshness.not_modified(etag) or freshness.tagged(
        pieces.piece("conversation.card_comments", improvement=improvement), etag
    )


def render_detail(improvement, status=200, checklist=None):
    """The card page; `checklist` (checklist_page.ChecklistState) when it shows more than the
    items, e.g. an item being edited or a refused one."""
    can_write = policy.can_write_team(current_user, improvement.team)
    page = render_template(
        "boards/detail.html",
        improvement=improvement,
        history=queries.improvement_history(improvement),
        move_form=MoveForm(stage=improvement.stage),
        can_write=can_write,
        can_supervise=policy.can_supervise_team(current_user, improvement.team),
        checklist=checklist or ChecklistState.load(improvement, can_write),
        stage_label=stage_label,
        field_label=field_label,
    )
    return page, status


@boards_blueprint.route("/improvements/<int:improvement_id>/edit", methods=["GET", "POST"])
def edit(improvement_id: int):
    """Edit a card; a save over someone else's newer save is refused and shown."""
    improvement = policy.improvement_for_write(current_user, improvement_id)
    themes = active_themes()
    members = team_members(improvement.team_id)
    if request.method == "GET":
        form = ImprovementForm(themes, members, obj=improvement)
        form.version.data = str(improvement.version)
        form.original.data = json.dumps(services.editable_values(improvement))
        return _render_edit(improvement, form)

    form = ImprovementForm(themes, members)
    if not form.validate():
        return _render_edit(improvement, form, status=422)
    try:
        services.update_improvement(
            current_user,
            improvement,
            version_from(form.version.data),
            form.changes(),
            original=form.original_values(),
        )
    except EditConflict as conflict:
        return _render_conflict(conflict, form)
    flash(_("Changes saved."), "success")
    target = url_for("boards.detail", improvement_id=improvement.id)
    if is_htmx():
        return "", 204, {"HX-Redirect": target}
    return redirect(target, 303)


def _render_edit(improvement, form, status=200, conflict=None):
    return render_page_or_partial(
        "boards/edit.html",
        "boards/_edit_form.html",
        status=status,
        improvement=improvement,
        form=form,
        conflict=conflict,
        field_label=field_label,
        display_value=display_value,
    )


def _render_conflict(conflict: EditConflict, form):
    """The editor's own text stays in the form; the saved values are listed beside it."""
    current = conflict.current
    submitted = form.changes()
    differences = [
        (name, getattr(current, name), submitted[name])
        for name in conflict.fields or services.EDITABLE_FIELDS
        if getattr(current, name) != submitted[name]
    ]
    last_change = queries.improvement_history(current)[:1]
    # Fields the editor did not touch show what is saved now, so that saving again replaces
    # only what they changed themselves, knowingly.
    original = form.original_values()
    if original is not None:
        for name in services.untouched_fields(original, submitted):
            getattr(form, name).data = getattr(current, name)
    form.version.data = current.version
    form.original.data = json.dumps(services.editable_values(current))
    shown = {"differences": differences, "last_change": last_change[0] if last_change else None}
    return _render_edit(current, form, status=409, conflict=shown)


@boards_blueprint.post("/improvements/<int:improvement_id>/archive")
def archive(improvement_id: int):
    """Take a card off the board; it stays readable and can be restored."""
    improvement = policy.improvement_for_supervision(current_user, improvement_id)
    services.archive_improvement(current_user, improvement)
    flash(_("Card archived. It no longer shows on the board."), "success")
    return redirect(url_for("boards.detail", improvement_id=improvement.id), 303)


@boards_blueprint.post("/improvements/<int:improvement_id>/restore")
def restore(improvement_id: int):
    """Put an archived card back on the board."""
    improvement = policy.improvement_for_supervision(current_user, improvement_id)
    services.restore_improvement(current_user, improvement)
    flash(_("Card restored to the board."), "success")
    return redirect(url_for("boards.detail", improvement_id=improvement.id), 303)


# ---- the card's history as a piece of the comments' answer (lean/shared/pieces.py) -------


@pieces.provides(boards_blueprint, "boards.card_history")
def card_history_piece(improvement: Improvement) -> Markup:
    """A card's history, newest first, for a page that redraws it beside its own change."""
    return pieces.partial(
        "boards/_history.html",
        history=queries.improvement_history(improvement),
        stage_label=stage_label,
        field_label=field_label,
    )
