"""The e-mails the job queue could not send after all its tries (lean/core/mail.py)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from lean.core.extensions import db
from lean.models import MailFailure, Organization
from lean.models.base import utcnow

# The newest this many are listed; older ones are no longer news to act on.
MOST_LISTED = 200
# The organization's page tells of the failures of these last days.
RECENT_DAYS = 14


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


def recent_failure_count(organization_id: int, days: int = RECENT_DAYS) -> int:
    """How many of the organization's mails failed for good within the last `days` days."""
    since = utcnow() - timedelta(days=days)
    return (
        db.session.scalar(
            select(func.count(MailFailure.id)).where(
                MailFailure.organization_id == organization_id, MailFailure.at >= since
            )
        )
        or 0
    )
