"""The Undo of a move: its route joins the board's blueprint (see lean/boards/undo.py)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from lean.boards import undo
from lean.boards.views import _filter_args, _render_board, boards_blueprint
from lean.core.htmx import is_htmx
from lean.core.input_checks import id_from, version_from
from lean.models import Stage
from lean.shared import policy
from lean.shared.labels import stage_label


@boards_blueprint.post("/improvements/<int:improvement_id>/undo-move")
def undo_move(improvement_id: int):
    """Take back one's own move of a card, just made; refused when late or changed since."""
    improvement = policy.improvement_for_write(current_user, improvement_id)
    came_from = "board" if request.form.get("from") == "board" else "card"
    try:
        stage = undo.undo_move(
            current_user,
            improvement,
            id_from(request.form.get("event")) or 0,
            version_from(request.form.get("version")),
            id_from(request.form.get("position")) or 1,
        )
        message = _("Move undone: back to %(stage)s.", stage=stage_label(Stage(stage)))
        category, status = "success", 200
    except undo.UndoRefused as refused:
        message, category, status = refused.message, "error", 409
    if is_htmx() and came_from == "board":
        board, _status = _render_board(improvement.team)
        region = render_template("boards/_undone.html", message=message, category=category)
        return Markup(board) + Markup(region), status  # noqa: S704  # nosec B704 (templates of ours)
    flash(message, category)
    if came_from == "board":
        target = url_for("boards.show", team_id=improvement.team_id, **_filter_args(request.args))
        return redirect(f"{target}#card-{improvement.id}", 303)
    return redirect(url_for("boards.detail", improvement_id=improvement.id), 303)
