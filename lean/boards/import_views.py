"""Bringing a board over from Planner or Trello: upload, preview with the mapping, confirm.

The uploaded file waits under instance/ with a random name that only this session knows,
with its hash (lean/boards/imports.py), so the confirmation imports the very file that was
previewed; it is removed once the import is done or cancelled.
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired

from lean.boards import imports
from lean.boards.views import boards_blueprint
from lean.core.i18n import current_language
from lean.core.unit_of_work import after_commit
from lean.models import STAGES, Team
from lean.shared import policy
from lean.shared.labels import stage_label

PENDING = "board_import"


class BoardImportForm(FlaskForm):
    file = FileField(
        _l("Planner or Trello export"),
        validators=[FileRequired(message=_l("Choose the exported file to import."))],
    )


class MappingForm(FlaskForm):
    """Only the CSRF token: the mapping's fields depend on the file (imports.read_mapping)."""


def _pending(team: Team) -> dict[str, Any] | None:
    pending = session.get(PENDING)
    if isinstance(pending, dict) and pending.get("team") == team.id:
        return pending
    return None


def _start_again(team: Team, message: str):
    flash(message, "error")
    return redirect(url_for("boards.board_import", team_id=team.id), 303)


def _render_upload(team: Team, form: BoardImportForm, status: int = 200):
    return render_template("boards/import.html", team=team, form=form), status


@boards_blueprint.route("/teams/<int:team_id>/board/import", methods=["GET", "POST"])
def board_import(team_id: int):
    """Upload a Planner or Trello export to see what importing it would make."""
    team = policy.team_for_board_import(current_user, team_id)
    form = BoardImportForm()
    if request.method == "GET":
        return _render_upload(team, form)
    if not form.validate():
        return _render_upload(team, form, 422)
    filename = form.file.data.filename or ""
    with form.file.data.stream as stream:  # a large upload waits in a temporary file
        data = stream.read(imports.MAX_BYTES + 1)
    try:
        upload = imports.read_upload(data, filename)
    except imports.ImportRefused as refused:
        form.file.errors = [str(refused)]
        return _render_upload(team, form, 422)
    previous = session.pop(PENDING, None)
    if isinstance(previous, dict):
        imports.remove_upload(previous)
    session[PENDING] = {
        "team": team.id,
        "source": upload.source,
        "filename": filename[:200],
        **imports.store_upload(data, upload.source),
    }
    return redirect(url_for("boards.board_import_preview", team_id=team.id), 303)


def _read_pending(team: Team) -> tuple[dict[str, Any], imports.ImportFile] | None:
    pending = _pending(team)
    data = imports.stored_upload(pending) if pending else None
    if pending is None or data is None:
        return None
    try:
        return pending, imports.read_upload(data, "")
    except imports.ImportRefused:
        return None


def _render_preview(
    team: Team,
    pending: dict[str, Any],
    upload: imports.ImportFile,
    mapping: imports.Mapping,
    choices: imports.Choices,
    status: int = 200,
):
    return render_template(
        "boards/import_preview.html",
        team=team,
        filename=pending.get("filename", ""),
        preview=imports.preview(team, upload, mapping),
        choices=choices,
        form=MappingForm(),
        stages=STAGES,
        stage_label=stage_label,
        progress_values=imports.PROGRESS_VALUES,
        language=current_language(),
    ), status


@boards_blueprint.route("/teams/<int:team_id>/board/import/preview", methods=["GET", "POST"])
def board_import_preview(team_id: int):
    """What importing the uploaded file would make, and how its values are mapped."""
    team = policy.team_for_board_import(current_user, team_id)
    found = _read_pending(team)
    if found is None:
        return _start_again(team, _("The file to import is no longer here. Upload it again."))
    pending, upload = found
    choices = imports.Choices.of(team)
    if request.method == "GET":
        mapping = imports.suggested_mapping(upload, choices, current_language())
        return _render_preview(team, pending, upload, mapping, choices)
    if not MappingForm().validate():
        return _start_again(team, _("The form had expired. Upload the file again."))
    mapping = imports.read_mapping(request.form, upload, choices)
    return _render_preview(team, pending, upload, mapping, choices, 422 if mapping.errors else 200)


@boards_blueprint.post("/teams/<int:team_id>/board/import/confirm")
def board_import_confirm(team_id: int):
    """Make the previewed cards, all in one go, and go to the board."""
    team = policy.team_for_board_import(current_user, team_id)
    found = _read_pending(team)
    if found is None:
        return _start_again(team, _("The file to import is no longer here. Upload it again."))
    pending, upload = found
    if not MappingForm().validate():
        return _start_again(team, _("The form had expired. Upload the file again."))
    choices = imports.Choices.of(team)
    mapping = imports.read_mapping(request.form, upload, choices)
    if mapping.errors:
        return _render_preview(team, pending, upload, mapping, choices, 422)
    try:
        made = imports.import_cards(current_user, team, upload, mapping)
    except imports.NothingToImport:
        mapping.errors["nothing"] = _(
            "There is nothing to import: every card is refused or already on the board."
        )
        return _render_preview(team, pending, upload, mapping, choices, 422)
    session.pop(PENDING, None)
    after_commit(lambda: imports.remove_upload(pending))
    flash(
        ngettext(
            "%(num)d card imported from %(source)s.",
            "%(num)d cards imported from %(source)s.",
            made,
            source=upload.source_name,
        ),
        "success",
    )
    return redirect(url_for("boards.show", team_id=team.id), 303)


@boards_blueprint.post("/teams/<int:team_id>/board/import/cancel")
def board_import_cancel(team_id: int):
    """Forget the uploaded file without importing it."""
    team = policy.team_for_board_import(current_user, team_id)
    if MappingForm().validate():
        pending = _pending(team)
        if pending is not None:
            session.pop(PENDING, None)
            imports.remove_upload(pending)
            flash(_("The import was cancelled; nothing was imported."), "success")
    return redirect(url_for("boards.board_import", team_id=team.id), 303)
