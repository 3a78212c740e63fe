"""Kaizen pages: parse the request, ask the policy, call one service, render."""

from __future__ import annotations

from dataclasses import replace
from typing import cast

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from lean.core.extensions import db
from lean.core.htmx import is_htmx
from lean.core.input_checks import larger_requests
from lean.kaizen import exports, queries, services
from lean.kaizen.forms import DESCRIPTION_MAX_LENGTH, KaizenFilterForm, KaizenForm
from lean.models import Improvement, Team, Theme
from lean.shared import pieces, policy
from lean.shared.conflicts import EditConflict
from lean.shared.downloads import download_name
from lean.shared.labels import display_value
from lean.shared.lookups import active_themes, team_members
from lean.shared.spreadsheets import download
from lean.shared.uploads import (
    FilesNotStored,
    checked_outside_transaction,
    files_not_stored_message,
    served_attachment,
)
from lean.shared.web import announce, page_count, render_page_or_partial, requested_page

kaizen_blueprint = Blueprint("kaizen", __name__)


@kaizen_blueprint.before_request
@login_required
def require_login():
    """Every kaizen page is for logged-in users only."""


# ---- the kaizen log's pieces of the board and card pages (lean/shared/pieces.py) ----------


@pieces.provides(kaizen_blueprint, "kaizen.board_link")
def board_link_piece(team: Team) -> Markup:
    """On a team's board: the link to its kaizen log with this month's count (one query)."""
    return pieces.partial(
        "kaizen/_board_link.html", team=team, this_month=queries.count_this_month(team.id)
    )


@pieces.provides(kaizen_blueprint, "kaizen.promoted_from")
def promoted_from_piece(improvement: Improvement) -> Markup:
    """On a card's page: the kaizen it was promoted from, if any (one query)."""
    entry = queries.promoted_from(improvement.id)
    if entry is None:
        return Markup()
    return pieces.partial("kaizen/_promoted_from.html", improvement=improvement, entry=entry)


def _filters(themes, authors) -> tuple[KaizenFilterForm, queries.KaizenFilters]:
    form = KaizenFilterForm(themes, authors, formdata=request.args)
    form.validate()
    valid = lambda field: field.data if not field.errors else None  # noqa: E731
    return form, queries.KaizenFilters(
        theme_id=valid(form.theme),
        author_id=valid(form.author),
        date_from=valid(form.date_from),
        date_to=valid(form.date_to),
        text=valid(form.q) or "",
    )


def _render_log(team, entry_form=None, status=200, upload_errors=(), focus_entry=False):
    themes = active_themes()
    members = team_members(team.id)
    filter_form, filters = _filters(themes, members)
    size = current_app.config["KAIZEN_PAGE_SIZE"]
    entries, total = queries.log_page(team, filters, requested_page(), size)
    pages = page_count(total, size)
    if filter_form.errors and status == 200:
        status = 422  # the filters name what to fix; the log shows without the refused ones
    return render_page_or_partial(
        "kaizen/log.html",
        "kaizen/_log.html",
        status=status,
        team=team,
        entries=entries,
        total=total,
        page=min(requested_page(), pages),
        pages=pages,
        filters=filters,
        filter_form=filter_form,
        entry_form=entry_form or KaizenForm(themes, formdata=None),
        upload_errors=upload_errors,
        focus_entry=focus_entry,
        can_write=policy.can_write_team(current_user, team),
        can_recover=policy.can_supervise_team(current_user, team),
        can_edit=lambda entry: policy.can_edit_kaizen(current_user, entry),
    )


def _checked_uploads(form: KaizenForm, already: int = 0):
    """The uploaded files that pass the checks, each knowing whether it is the before or the
    after photo, and a message for each one refused; photos are made outside any transaction
    (the caller asks the policy again to save them)."""
    files = form.uploaded_files()
    limit = current_app.config["ATTACHMENTS_PER_ENTRY"]
    if already + len(files) > limit:
        return [], [_("At most %(count)d attachments per entry.", count=limit)]
    uploads, errors = checked_outside_transaction(files)
    if errors:
        return [], errors  # nothing is saved, so the rest need no role
    # Each file in its slot's role; a PDF chosen as a photo is kept as another file.
    roles = form.uploaded_roles()
    return [
        replace(upload, role=role if upload.is_image else "")
        for upload, role in zip(uploads, roles, strict=True)
    ], []


@kaizen_blueprint.get("/teams/<int:team_id>/kaizen")
def log(team_id: int):
    """A team's kaizen log, newest first, with quick entry and filters."""
    team = policy.team_for_read(current_user, team_id)
    return _render_log(team)


@kaizen_blueprint.post("/teams/<int:team_id>/kaizen")
@larger_requests("KAIZEN_REQUEST_MAX_BYTES")
def create(team_id: int):
    """Log a kaizen from the quick entry."""
    team = policy.team_for_write(current_user, team_id)
    form = KaizenForm(active_themes())
    valid = form.validate()
    uploads, upload_errors = _checked_uploads(form)
    if not valid or upload_errors:
        return _render_log(team, form, 422, upload_errors, focus_entry=True)
    # Asked again: the photos were made outside any transaction, and the save begins a new one.
    team = policy.team_for_write(current_user, team_id)
    try:
        entry = services.log_kaizen(
            current_user,
            team,
            title=cast(str, form.title.data),
            before=cast(str, form.before.data),
            after=cast(str, form.after.data),
            theme=cast(Theme, db.session.get(Theme, form.theme_id.data)),  # one of the choices
            effect=form.effect.data,
            hours_saved_per_month=form.hours_saved_per_month.data,
            done_on=form.done_on.data,
            uploads=uploads,
        )
    except FilesNotStored:
        current_app.logger.exception("attachments not stored")
        return _render_log(team, form, 503, [files_not_stored_message()], focus_entry=True)
    if is_htmx():
        response = make_response(_render_log(team, focus_entry=True))
        return announce(response, _("Kaizen logged."), f"kaizen-{entry.id}" if entry else None)
    flash(_("Kaizen logged."), "success")
    return redirect(url_for("kaizen.log", team_id=team.id), 303)


@kaizen_blueprint.route("/kaizen/<int:kaizen_id>/edit", methods=["GET", "POST"])
@larger_requests("KAIZEN_REQUEST_MAX_BYTES")
def edit(kaizen_id: int):
    """Edit one's own entry (a supervisor any entry of the team)."""
    entry = policy.kaizen_for_edit(current_user, kaizen_id)
    themes = active_themes()
    if request.method == "GET":
        form = KaizenForm(themes, obj=entry, attachments=entry.attachments)
        form.version.data = str(entry.version)
        return render_template("kaizen/edit.html", entry=entry, form=form)
    form = KaizenForm(themes, attachments=entry.attachments)
    valid = form.validate()
    removing = set(form.remove_attachments.data or [])
    # A new before or after photo takes the place of the one the entry has.
    replaced = {role for role in form.uploaded_roles() if role}
    kept = len([a for a in entry.attachments if a.id not in removing and a.role not in replaced])
    descriptions, description_errors = _kept_descriptions(entry)
    uploads, upload_errors = _checked_uploads(form, already=kept)
    upload_errors += description_errors
    if not valid or upload_errors:
        return render_template(
            "kaizen/edit.html",
            entry=entry,
            form=form,
            upload_errors=upload_errors,
            descriptions=descriptions,
        ), 422
    # Asked again: the photos were made outside any transaction, and the save begins a new one
    # (where the version check finds any change made meanwhile).
    entry = policy.kaizen_for_edit(current_user, kaizen_id)
    try:
        services.update_kaizen(
            current_user,
            entry,
            request.form.get("version", -1, type=int),
            form.changes(),
            uploads=uploads,
            remove_attachment_ids=removing,
            descriptions=descriptions,
        )
    except FilesNotStored:
        current_app.logger.exception("attachments not stored")
        return render_template(
            "kaizen/edit.html",
            entry=entry,
            form=form,
            upload_errors=[files_not_stored_message()],
            descriptions=descriptions,
        ), 503
    except EditConflict as conflict:
        form.version.data = conflict.current.version
        submitted = form.changes()
        differences = [
            (
                form[name].label.text,
                display_value(name, getattr(conflict.current, name), form),
                display_value(name, value, form),
            )
            for name, value in submitted.items()
            if getattr(conflict.current, name) != value
        ]
        return render_template(
            "kaizen/edit.html",
            entry=entry,
            form=form,
            conflict={"differences": differences},
            descriptions=descriptions,
        ), 409
    flash(_("Kaizen saved."), "success")
    return redirect(url_for("kaizen.log", team_id=entry.team_id) + f"#kaizen-{entry.id}", 303)


def _kept_descriptions(entry) -> tuple[dict[int, str], list[str]]:
    """The descriptions typed for the entry's attachments, by id, and a message per one too long."""
    descriptions, errors = {}, []
    for attachment in entry.attachments:
        text = request.form.get(f"attachment-{attachment.id}-description")
        if text is None:
            continue
        descriptions[attachment.id] = text.strip()
        if len(descriptions[attachment.id]) > DESCRIPTION_MAX_LENGTH:
            errors.append(
                _(
                    "The description of “%(name)s” is longer than %(count)d characters.",
                    name=attachment.original_name,
                    count=DESCRIPTION_MAX_LENGTH,
                )
            )
    return descriptions, errors


@kaizen_blueprint.route("/kaizen/<int:kaizen_id>/delete", methods=["GET", "POST"])
def delete(kaizen_id: int):
    """Ask, then delete; a supervisor can restore the entry for 30 days."""
    entry = policy.kaizen_for_edit(current_user, kaizen_id)
    if request.method == "GET":
        return render_template("kaizen/confirm_delete.html", entry=entry)
    services.delete_kaizen(current_user, entry)
    flash(_("Kaizen “%(title)s” deleted.", title=entry.title), "success")
    return redirect(url_for("kaizen.log", team_id=entry.team_id), 303)


@kaizen_blueprint.get("/teams/<int:team_id>/kaizen/deleted")
def deleted(team_id: int):
    """Entries deleted within the recovery period, for the team's supervisors."""
    team = policy.team_for_read(current_user, team_id)
    if not policy.can_supervise_team(current_user, team):
        abort(403)
    entries = queries.deleted_entries(team, services.recovery_deadline())
    return render_template("kaizen/deleted.html", team=team, entries=entries)


@kaizen_blueprint.post("/kaizen/<int:kaizen_id>/restore")
def restore(kaizen_id: int):
    """Bring a deleted entry back to the log."""
    entry = policy.deleted_kaizen_for_restore(current_user, kaizen_id, services.recovery_deadline())
    services.restore_kaizen(current_user, entry)
    flash(_("Kaizen “%(title)s” restored.", title=entry.title), "success")
    return redirect(url_for("kaizen.log", team_id=entry.team_id), 303)


@kaizen_blueprint.post("/kaizen/<int:kaizen_id>/promote")
def promote(kaizen_id: int):
    """Turn a kaizen into a card in Plan on the team's board."""
    entry = policy.kaizen_for_promotion(current_user, kaizen_id)
    if entry.promoted_to_id:
        return redirect(url_for("boards.detail", improvement_id=entry.promoted_to_id), 303)
    improvement = services.promote_kaizen(current_user, entry)
    flash(_("The kaizen is now a card in Plan."), "success")
    return redirect(url_for("boards.detail", improvement_id=improvement.id), 303)


def _export(team_ids, subject: str, file_format: str, links: dict[str, str]):
    """The entries as a file named after the link that asked for it, whose log and its period."""
    form, filters = _filters(active_themes(), [])
    if form.date_from.errors or form.date_to.errors:
        # A file of other dates than those asked for would mislead.
        abort(400)
    entries = queries.for_export(team_ids, filters)
    # The period is the filter's, or else the first and last day the file holds.
    days = [entry.done_on for entry in entries]
    start = filters.date_from or (min(days) if days else None)
    end = filters.date_to or (max(days) if days else None)
    separator = None
    if file_format == "xlsx":
        body, link = exports.as_xlsx(entries), links["xlsx"]
    else:
        separator = ";" if request.args.get("separator") == "semicolon" else ","
        body = exports.as_csv(entries, separator)
        link = links.get("csv;", links["csv"]) if separator == ";" else links["csv"]
    filename = download_name(link, subject, start=start, end=end, separator=separator)
    return download(body, filename, file_format)


@kaizen_blueprint.get("/teams/<int:team_id>/kaizen/export.<any(csv, xlsx):file_format>")
def export_team(team_id: int, file_format: str):
    """The team's log, filtered as shown, as CSV or XLSX."""
    team = policy.team_for_read(current_user, team_id)
    # The file's name is the text of the link that downloads it (kaizen/_filters.html).
    links = {
        "csv": _("Kaizens (CSV)"),
        "csv;": _("Kaizens (CSV for Finnish Excel)"),
        "xlsx": _("Kaizens (XLSX)"),
    }
    return _export([team.id], team.name, file_format, links)


@kaizen_blueprint.get("/kaizen/export.<any(csv, xlsx):file_format>")
def export_organization(file_format: str):
    """Every team's log of the coordinator's organization in one file."""
    if not policy.can_export_organization(current_user):
        abort(403)
    teams = select(Team.id).where(Team.organization_id == current_user.organization_id)
    links = {"csv": _("All teams' kaizens (CSV)"), "xlsx": _("All teams' kaizens (XLSX)")}
    return _export(teams, current_user.organization.name, file_format, links)


@kaizen_blueprint.get("/attachments/<int:attachment_id>")
@kaizen_blueprint.get("/attachments/<int:attachment_id>/thumbnail", endpoint="thumbnail")
def attachment(attachment_id: int):
    """An attachment's file, to those who may read its kaizen or card; never run or sniffed."""
    stored = policy.attachment_for_read(current_user, attachment_id)
    thumbnail = request.endpoint == "kaizen.thumbnail"
    if thumbnail and not stored.thumbnail_name:
        abort(404)
    return served_attachment(stored, thumbnail)
