"""The e-mails the job queue could not send after all its tries (lean/core/mail.py)."""

from __future__ import annotations

from sqlalchemy import select

from lean.core.extensions import db
from lean.models import MailFailure, Organization

# The newest this many are listed; older ones are no longer news to act on.
MOST_LISTED = 200


def failed_mails(organization_id: int | None) -> list[tuple[MailFailure, Organization | None]]:
    """Newest first, of one organization (None: every one's, and the installation's own)."""
    query = (
        select(MailFailure, Organization)
        .outerjoin(Organization, Organization.id == MailFailure.organization_id)
        .order_by(MailFailure.at.desc(), MailFailure.id.desc())
        .limit(MOST_LISTED)
    )
    if organization_id is not None:
        query = query.where(MailFailure.organization_id == organization_id)
    return [(failure, organization) for failure, organization in db.session.execute(query)]
