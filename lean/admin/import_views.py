"""Bulk import of users from CSV: upload, preview row by row, confirm.

Nothing is stored between the steps: the preview carries the file back in the confirm form
(base64), and the confirmation reads and checks it again before writing anything.
"""

from __future__ import annotations

import base64
import binascii
from typing import cast

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import HiddenField
from wtforms.validators import DataRequired

from lean.admin import imports
from lean.admin.blueprint import admin_blueprint
from lean.auth import queries as auth_queries
from lean.core.i18n import LANGUAGE_NAMES
from lean.models import Organization
from lean.shared import policy

# Each hidden field stays under Werkzeug's 500 kB limit on one multipart text field.
CONTENT_CHUNK = 400_000


class ImportForm(FlaskForm):
    file = FileField(
        _l("CSV file"), validators=[FileRequired(message=_l("Choose a CSV file to import."))]
    )


class JoinedHiddenField(HiddenField):
    """A hidden value sent in several fields of the same name, joined back in order."""

    def process_formdata(self, valuelist):
        self.data = "".join(valuelist)


class ConfirmImportForm(FlaskForm):
    content = JoinedHiddenField(validators=[DataRequired()])
    fingerprint = HiddenField()

    def file_bytes(self) -> bytes | None:
        try:
            return base64.b64decode(cast(str, self.content.data), validate=True)
        except (binascii.Error, ValueError):
            return None


def _content_chunks(data: bytes) -> list[str]:
    encoded = base64.b64encode(data).decode("ascii")
    return [encoded[i : i + CONTENT_CHUNK] for i in range(0, len(encoded), CONTENT_CHUNK)]


def _render(
    organization: Organization,
    form: ImportForm,
    preview: imports.ImportPreview | None = None,
    data: bytes = b"",
    status: int = 200,
    changed_since_preview: bool = False,
):
    confirm_form = None
    if preview is not None:
        confirm_form = ConfirmImportForm(formdata=None, fingerprint=preview.fingerprint)
    return render_template(
        "admin/import.html",
        organization=organization,
        form=form,
        preview=preview,
        confirm_form=confirm_form,
        content_chunks=_content_chunks(data) if preview is not None else [],
        changed_since_preview=changed_since_preview,
        teams=[team for team in organization.teams if not team.archived],
        language_names=LANGUAGE_NAMES,
    ), status


def _refused_file(organization: Organization, message: str):
    form = ImportForm(formdata=None)
    form.file.errors = [message]
    return _render(organization, form, status=422)


@admin_blueprint.route("/organizations/<int:organization_id>/import", methods=["GET", "POST"])
def import_users(organization_id: int):
    """Upload a CSV file of people and their teams, and see what importing it would do."""
    organization = policy.organization_for_management(current_user, organization_id)
    form = ImportForm()
    if request.method == "GET":
        return _render(organization, form)
    if not form.validate():
        return _render(organization, form, status=422)
    data = form.file.data.read(imports.MAX_BYTES + 1)
    try:
        preview = imports.parse_import(data, organization)
    except imports.ImportRefused as refused:
        return _refused_file(organization, str(refused))
    return _render(organization, ImportForm(formdata=None), preview, data)


@admin_blueprint.post("/organizations/<int:organization_id>/import/confirm")
def confirm_import(organization_id: int):
    """Import the previewed file: every row, or nothing if any row is refused."""
    organization = policy.organization_for_management(current_user, organization_id)
    form = ConfirmImportForm()
    data = form.file_bytes() if form.validate() else None
    if not data:
        return _refused_file(organization, _("The file to import did not arrive. Upload it again."))
    try:
        preview = imports.parse_import(data, organization)
    except imports.ImportRefused as refused:
        return _refused_file(organization, str(refused))
    upload_form = ImportForm(formdata=None)
    if preview.refused_rows:
        return _render(organization, upload_form, preview, data, status=422)
    if form.fingerprint.data != preview.fingerprint:
        return _render(
            organization, upload_form, preview, data, status=409, changed_since_preview=True
        )
    try:
        summary = imports.apply_import(current_user, organization, preview)
    except imports.ImportConflict:
        preview = imports.parse_import(data, organization)
        return _render(
            organization, upload_form, preview, data, status=409, changed_since_preview=True
        )
    flash(
        _(
            "Import done: %(users)s, %(memberships)s, %(roles)s.",
            users=ngettext("%(num)d user created", "%(num)d users created", summary.users_created),
            memberships=ngettext(
                "%(num)d team membership added",
                "%(num)d team memberships added",
                summary.memberships_added,
            ),
            roles=ngettext("%(num)d role changed", "%(num)d roles changed", summary.roles_changed),
        ),
        "success",
    )
    if summary.created_user_ids:
        # The people made, and the one action of inviting them (lean/auth/invitation_views.py).
        people = auth_queries.people_param(summary.created_user_ids)
        return redirect(
            url_for("auth.new_people", organization_id=organization.id, people=people), 303
        )
    return redirect(url_for("admin.import_users", organization_id=organization.id), 303)
