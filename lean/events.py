"""Recording events: every service calls record_event in the same transaction as its change."""

from datetime import date
from decimal import Decimal
from typing import Any

from lean.extensions import db
from lean.models import Event, Improvement, KaizenEntry, User


def jsonable(value: Any) -> Any:
    """A value as it can stand in an event's JSON data."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def record_event(
    actor: User | None, kind: str, subject: Improvement | KaizenEntry, **data: Any
) -> Event:
    """One row of history for a team's object; the subject type is its table's name."""
    event = Event(
        actor=actor,
        organization_id=subject.team.organization_id,
        team_id=subject.team_id,
        subject_type=subject.__tablename__,
        subject_id=subject.id,
        kind=kind,
        data={key: jsonable(value) for key, value in data.items()},
    )
    db.session.add(event)
    return event


def record_admin_event(
    actor: User | None,
    kind: str,
    subject_type: str,
    subject_id: int,
    organization_id: int | None,
    team_id: int | None = None,
    **data: Any,
) -> Event:
    """An entry of the audit log: a change to an organization, team, user, role or theme."""
    event = Event(
        actor=actor,
        organization_id=organization_id,
        team_id=team_id,
        subject_type=subject_type,
        subject_id=subject_id,
        kind=kind,
        data={key: jsonable(value) for key, value in data.items()},
    )
    db.session.add(event)
    return event
