"""Administration's list of the e-mails that could not be sent."""

from flask import render_template
from flask_login import current_user

from lean.admin import mail_failures
from lean.admin.blueprint import admin_blueprint
from lean.shared import policy


@admin_blueprint.get("/failed-mails")
def failed_mails():
    """The mails the job queue gave up on: an admin sees every organization's, a
    coordinator their own organization's."""
    scope = policy.failed_mails_scope(current_user)
    return render_template(
        "admin/failed_mails.html",
        failures=mail_failures.failed_mails(scope),
        every_organization=scope is None,
        most_listed=mail_failures.MOST_LISTED,
    )
