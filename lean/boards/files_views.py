"""A card's photos and documents on its page: add one, remove one, choose the cover.

The files are served by the one private route of every attachment (kaizen.attachment and
kaizen.thumbnail, /attachments/<id>), which asks policy.attachment_for_read.
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from lean.boards import files, queries
from lean.boards.files_forms import CardFileForm
from lean.boards.views import boards_blueprint
from lean.core.htmx import is_htmx
from lean.core.input_checks import larger_requests
from lean.models import Event, Improvement
from lean.shared import pieces, policy
from lean.shared.labels import field_label, stage_label
from lean.shared.uploads import (
    DESCRIPTION_MAX_LENGTH,
    FilesNotStored,
    checked_outside_transaction,
    files_not_stored_message,
)
from lean.shared.web import announce

ACCEPTED_TYPES = "image/jpeg,image/png,image/webp,application/pdf"


def file_size(size: int) -> str:
    """A file's weight as people read it: 240 kB, 1.2 MB."""
    if size < 1024 * 1024:
        return _("%(size)s kB", size=format_decimal(max(1, round(size / 1024)), "#,##0"))
    return _("%(size)s MB", size=format_decimal(size / (1024 * 1024), "#,##0.#"))


def _files_context(
    improvement: Improvement, form=None, upload_errors=(), focus=None, describing=None
) -> dict:
    """What the card's files section shows; `describing` is a description refused, with the
    file's id, the text typed and the message."""
    card_files = files.card_files(improvement)
    return {
        "improvement": improvement,
        "files": card_files,
        "file_form": form or CardFileForm(formdata=None),
        "upload_errors": list(upload_errors),
        "can_change_files": policy.can_change_card_files(current_user, improvement),
        "has_room": len(card_files) < files.files_limit(),
        "files_limit": files.files_limit(),
        "accepted_types": ACCEPTED_TYPES,
        "file_size": file_size,
        "focus": focus,
        "describing": describing,
        "description_max_length": DESCRIPTION_MAX_LENGTH,
    }


@pieces.provides(boards_blueprint, "boards.card_files")
def card_files_piece(improvement: Improvement) -> Markup:
    """The card page's photos and documents, with the form that adds one (one statement)."""
    return pieces.partial("boards/_files.html", **_files_context(improvement))


@pieces.provides(boards_blueprint, "boards.file_event")
def file_event_piece(event: Event) -> Markup:
    """A card's file added, removed, described or made its cover, in words, for the stand-up's
    list of changes as for the card's history."""
    return pieces.partial("boards/_file_event.html", event=event)


def _answer(improvement: Improvement, message: str, focus: str, element: str | None = None):
    """htmx: the files and, out of band, the history, the change said in the live region.
    Without JavaScript: back to the card's files, the change in a message."""
    if not is_htmx():
        flash(message, "success")
        target = url_for("boards.detail", improvement_id=improvement.id)
        return redirect(f"{target}#card-files", 303)
    html = render_template("boards/_files.html", **_files_context(improvement, focus=focus))
    html += render_template(
        "boards/_files_history_oob.html",
        history=queries.improvement_history(improvement),
        stage_label=stage_label,
        field_label=field_label,
    )
    return announce(make_response(html), message, element)


def _refused(improvement: Improvement, form, upload_errors, status: int, describing=None):
    """The form again with what was refused and why, the description typed kept: in place for
    htmx, else on a page of the card's files."""
    context = _files_context(improvement, form, upload_errors, describing=describing)
    if is_htmx():
        return render_template("boards/_files.html", **context), status
    return render_template("boards/files_page.html", **context), status


@boards_blueprint.post("/improvements/<int:improvement_id>/files")
@larger_requests("CARD_FILE_REQUEST_MAX_BYTES")
def add_file(improvement_id: int):
    """Add a photo or a PDF to a card, checked and shrunk as a kaizen's are."""
    improvement = policy.improvement_for_files(current_user, improvement_id)
    form = CardFileForm()
    if not form.validate():
        return _refused(improvement, form, [], 422)
    full = _("This card has %(count)d files, the most a card may carry.", count=files.files_limit())
    if not files.has_room(improvement):
        return _refused(improvement, form, [full], 422)
    # The photo is made outside any transaction; the save asks the policy again in its own.
    uploads, upload_errors = checked_outside_transaction(form.uploaded_files())
    if upload_errors:
        improvement = policy.improvement_for_read(current_user, improvement_id)
        return _refused(improvement, form, upload_errors, 422)
    improvement = policy.improvement_for_files(current_user, improvement_id)
    try:
        attachment = files.add_card_file(current_user, improvement, uploads[0])
    except files.TooManyFiles:
        return _refused(improvement, form, [full], 422)
    except FilesNotStored:
        current_app.logger.exception("a card's file not stored")
        improvement = policy.improvement_for_read(current_user, improvement_id)
        return _refused(improvement, form, [files_not_stored_message()], 503)
    message = _("“%(name)s” added to the card.", name=attachment.original_name)
    return _answer(improvement, message, "upload", f"card-file-{attachment.id}")


@boards_blueprint.post("/attachments/<int:attachment_id>/remove")
def remove_file(attachment_id: int):
    """Remove a file from its card; its file goes from the disk with it."""
    attachment = policy.card_attachment_for_write(current_user, attachment_id)
    improvement = attachment.improvement
    if improvement is None:  # the policy gives only a card's file
        abort(404)
    name = attachment.original_name
    files.remove_card_file(current_user, attachment)
    return _answer(improvement, _("“%(name)s” removed from the card.", name=name), "heading")


@boards_blueprint.post("/attachments/<int:attachment_id>/cover")
def set_cover(attachment_id: int):
    """Show a photo on the card's board card (cover=1), or no longer (cover=0)."""
    attachment = policy.card_attachment_for_write(current_user, attachment_id)
    improvement = attachment.improvement
    if improvement is None:  # the policy gives only a card's file
        abort(404)
    cover = request.form.get("cover") == "1"
    try:
        files.set_cover(current_user, attachment, cover)
    except files.NotAPhoto:
        abort(400)
    name = attachment.original_name
    message = (
        _("“%(name)s” is now the card's cover on the board.", name=name)
        if cover
        else _("“%(name)s” is no longer the card's cover.", name=name)
    )
    return _answer(improvement, message, f"cover-{attachment.id}")


@boards_blueprint.post("/attachments/<int:attachment_id>/description")
def describe_file(attachment_id: int):
    """Change a file's description, a photo's alt text on the card and on the board."""
    attachment = policy.card_attachment_for_write(current_user, attachment_id)
    improvement = attachment.improvement
    if improvement is None:  # the policy gives only a card's file
        abort(404)
    text = (request.form.get("description") or "").strip()
    name = attachment.original_name
    if len(text) > DESCRIPTION_MAX_LENGTH:
        message = _(
            "The description of “%(name)s” is longer than %(count)d characters.",
            name=name,
            count=DESCRIPTION_MAX_LENGTH,
        )
        describing = {"id": attachment.id, "text": text, "error": message}
        return _refused(improvement, None, [], 422, describing)
    files.describe_card_file(current_user, attachment, text)
    message = _("The description of “%(name)s” is saved.", name=name)
    return _answer(improvement, message, f"describe-{attachment.id}")
