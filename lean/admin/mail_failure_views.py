"""Administration's list of the e-mails that could not be sent."""

from flask import render_template
from flask_login import current_user
from markupsafe import Markup

from lean.admin import mail_failures
from lean.admin.blueprint import admin_blueprint
from lean.models import Organization
from lean.shared import pieces, policy


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


@pieces.provides(admin_blueprint, "admin.failed_mails_notice")
def failed_mails_notice_piece(organization: Organization) -> Markup:
    """On the organization's administration page: its mails that failed lately, if any."""
    if not policy.can_read_failed_mails(current_user):
        return Markup()
    count = mail_failures.recent_failure_count(organization.id)
    if not count:
        return Markup()
    return pieces.partial(
        "admin/_failed_mails_notice.html", count=count, days=mail_failures.RECENT_DAYS
    )
