"""Events: the one catalogue of what can happen, recording it, and reacting to it after commit.

Every service records its Event in the same transaction as its change and stops there. Code
that must react (notifications, the network's notices) subscribes to event kinds: once the
transaction has committed, its events are handed to the subscribers; a rolled-back
transaction delivers nothing. Work outside a request reads events by cursor (events_after).
"""

from __future__ import annotations

import enum
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy import event as orm_events
from sqlalchemy.orm import Session

from lean.core.extensions import db, read_columns
from lean.models import Event, Improvement, KaizenEntry, User

log = logging.getLogger(__name__)


class EventKind(enum.StrEnum):
    """Every kind of event the code records. Recording and subscribing take a member: the type
    checker refuses a plain string, and at run time any value outside the catalogue fails."""

    # Cards, kaizens and practices
    CREATED = "created"
    MOVED = "moved"
    REORDERED = "reordered"
    EDITED = "edited"
    BLOCKED = "blocked"
    UNBLOCKED = "unblocked"
    ARCHIVED = "archived"
    RESTORED = "restored"
    DELETED = "deleted"
    PURGED = "purged"
    PROMOTED = "promoted"
    COMMENTED = "commented"
    COMMENT_EDITED = "comment_edited"
    COMMENT_DELETED = "comment_deleted"
    # A card's move taken back by its undo (a move back, recorded as such)
    MOVE_UNDONE = "move_undone"
    # A card made as a copy of another, or from a team's card template
    COPIED = "copied"
    FROM_TEMPLATE = "from_template"
    # A card brought over from Microsoft Planner or Trello (lean/boards/imports.py)
    IMPORTED = "imported"
    # Checklists on cards
    CHECKLIST_ITEM_ADDED = "checklist_item_added"
    CHECKLIST_ITEM_EDITED = "checklist_item_edited"
    CHECKLIST_ITEM_TICKED = "checklist_item_ticked"
    CHECKLIST_ITEM_UNTICKED = "checklist_item_unticked"
    CHECKLIST_ITEM_REMOVED = "checklist_item_removed"
    CHECKLIST_REORDERED = "checklist_reordered"
    # Files on cards
    FILE_ADDED = "file_added"
    FILE_REMOVED = "file_removed"
    COVER_CHANGED = "cover_changed"
    FILE_DESCRIBED = "file_described"
    # Stand-ups
    DECIDED = "decided"
    NOTED = "noted"
    ESCALATED = "escalated"
    ESCALATION_ANSWERED = "escalation_answered"
    STANDUP_STARTED = "standup_started"
    STANDUP_FINISHED = "standup_finished"
    STANDUP_SETTINGS = "standup_settings"
    # Board settings: work-in-progress limits and card templates
    WIP_LIMITS_SET = "wip_limits_set"
    TEMPLATE_SAVED = "template_saved"
    TEMPLATE_REMOVED = "template_removed"
    # A3 sheets
    A3_STARTED = "a3_started"
    A3_EDITED = "a3_edited"
    A3_COACH_NAMED = "a3_coach_named"
    A3_ITEM_ADDED = "a3_item_added"
    A3_ITEM_CHANGED = "a3_item_changed"
    A3_ITEM_REMOVED = "a3_item_removed"
    A3_WHY_MOVED = "a3_why_moved"
    A3_COMMENTED = "a3_commented"
    A3_ANSWERED = "a3_answered"
    A3_COMMENT_RESOLVED = "a3_comment_resolved"
    # The peer network
    PUBLISHED = "published"
    UPDATED = "updated"
    WITHDRAWN = "withdrawn"
    ADOPTED = "adopted"
    READ = "read"
    # Administration
    ANONYMISED = "anonymised"
    FOCUS_AREA_ADDED = "focus_area_added"
    MEMBER_ADDED = "member_added"
    MEMBER_REMOVED = "member_removed"
    ROLE_CHANGED = "role_changed"
    INVITATION_CREATED = "invitation_created"
    INVITATION_ACCEPTED = "invitation_accepted"
    INVITATION_REVOKED = "invitation_revoked"
    WELCOME_SENT = "welcome_sent"
    PASSWORD_RESET_CREATED = "password_reset_created"  # noqa: S105 (an event name)
    PASSWORD_RESET = "password_reset"  # noqa: S105 (an event name)
    # Single sign-on (lean/auth/sign_on.py)
    SIGN_ON_PROVIDER_SAVED = "sign_on_provider_saved"
    SIGNED_ON = "signed_on"
    SIGN_ON_REFUSED = "sign_on_refused"
    # Personal access tokens for the API (lean/api/services.py)
    TOKEN_CREATED = "token_created"  # noqa: S105 (an event name)
    TOKEN_REVOKED = "token_revoked"  # noqa: S105 (an event name)
    # Webhooks (lean/webhooks): registered or changed, put back in use, removed, and taken out
    # of use by the deliveries (a 410 Gone, or three days of failures)
    WEBHOOK_SAVED = "webhook_saved"
    WEBHOOK_ENABLED = "webhook_enabled"
    WEBHOOK_REMOVED = "webhook_removed"
    WEBHOOK_DISABLED = "webhook_disabled"


def jsonable(value: Any) -> Any:
    """A value as it can stand in an event's JSON data."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def record_event(
    actor: User | None, kind: EventKind, subject: Improvement | KaizenEntry, **data: Any
) -> Event:
    """One row of history for a team's object; the subject type is its table's name."""
    event = Event(
        actor=actor,
        organization_id=subject.team.organization_id,
        team_id=subject.team_id,
        subject_type=subject.__tablename__,
        subject_id=subject.id,
        kind=EventKind(kind).value,
        data={key: jsonable(value) for key, value in data.items()},
    )
    db.session.add(event)
    return event


def record_admin_event(
    actor: User | None,
    kind: EventKind,
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
        kind=EventKind(kind).value,
        data={key: jsonable(value) for key, value in data.items()},
    )
    db.session.add(event)
    return event


# ---- reacting after commit -------------------------------------------------------------


@dataclass(frozen=True)
class CommittedEvent:
    """An event as its subscribers get it: plain values, no lazy loads on a finished session."""

    id: int
    at: datetime
    kind: EventKind
    actor_id: int | None
    organization_id: int | None
    team_id: int | None
    subject_type: str
    subject_id: int
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, row: Event) -> CommittedEvent:
        return cls(
            id=row.id,
            at=row.at,
            kind=EventKind(row.kind),
            actor_id=row.actor_id if row.actor_id is not None else getattr(row.actor, "id", None),
            organization_id=row.organization_id,
            team_id=row.team_id,
            subject_type=row.subject_type,
            subject_id=row.subject_id,
            data=dict(row.data or {}),
        )


# A subscriber gets a session of its own (the request's transaction is over) and the event;
# the session is committed after the subscriber returns.
Subscriber = Callable[[Session, CommittedEvent], None]
_subscribers: dict[EventKind, list[Subscriber]] = defaultdict(list)
_PENDING = "lean_pending_events"


def subscribe(kind: EventKind, handler: Subscriber) -> None:
    """Call handler(session, event) after each committed event of this kind."""
    handlers = _subscribers[EventKind(kind)]
    if handler not in handlers:
        handlers.append(handler)


def unsubscribe(kind: EventKind, handler: Subscriber) -> None:
    handlers = _subscribers[EventKind(kind)]
    if handler in handlers:
        handlers.remove(handler)


def subscribers(kind: EventKind) -> list[Subscriber]:
    return list(_subscribers.get(EventKind(kind), ()))


# A commit subscriber gets all the events of one commit at once, oldest first: for work done
# once per change however many events it made (an import of a thousand people makes two
# thousand), such as enqueueing the webhook deliveries of the organizations they belong to.
CommitSubscriber = Callable[[Session, list[CommittedEvent]], None]
_commit_subscribers: list[CommitSubscriber] = []


def subscribe_to_commits(handler: CommitSubscriber) -> None:
    """Call handler(session, events) once after each commit that recorded events."""
    if handler not in _commit_subscribers:
        _commit_subscribers.append(handler)


def unsubscribe_from_commits(handler: CommitSubscriber) -> None:
    if handler in _commit_subscribers:
        _commit_subscribers.remove(handler)


@orm_events.listens_for(Session, "after_flush")
def _collect_flushed_events(session: Session, _flush_context) -> None:
    new_events = [row for row in session.new if isinstance(row, Event)]
    if new_events:
        session.info.setdefault(_PENDING, []).extend(CommittedEvent.of(row) for row in new_events)


@orm_events.listens_for(Session, "after_rollback")
def _drop_rolled_back_events(session: Session) -> None:
    session.info.pop(_PENDING, None)


@orm_events.listens_for(Session, "after_commit")
def _deliver_committed_events(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released; the events wait for the real commit
    pending = session.info.pop(_PENDING, None)
    if pending:
        deliver(sorted(pending, key=lambda event: event.id))


def deliver(events: list[CommittedEvent]) -> None:
    """Hand committed events to their subscribers, each in a transaction of its own.

    A subscriber's failure is logged and does not undo the change the user made, which is
    already committed, nor keep the other subscribers from their work.
    """
    for committed in events:
        for handler in subscribers(committed.kind):
            with Session(db.engine) as session:
                try:
                    handler(session, committed)
                    # Its own unit of work: the change it reacts to is committed already.
                    session.commit()
                except Exception:
                    session.rollback()
                    log.exception("Subscriber %s failed on event %s", handler, committed.id)
    for commit_handler in list(_commit_subscribers):
        with Session(db.engine) as session:
            try:
                commit_handler(session, events)
                session.commit()
            except Exception:
                session.rollback()
                log.exception(
                    "Subscriber %s failed on events up to %s", commit_handler, events[-1].id
                )


# ---- reading by cursor -----------------------------------------------------------------


def events_after(
    last_seen_id: int,
    *,
    team_id: int | None = None,
    organization_id: int | None = None,
    limit: int | None = None,
) -> list[Event]:
    """Events newer than the cursor, oldest first, of one team or organization (or all)."""
    query = select(Event).where(Event.id > last_seen_id).order_by(Event.id)
    if team_id is not None:
        query = query.where(Event.team_id == team_id)
    if organization_id is not None:
        query = query.where(Event.organization_id == organization_id)
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


def latest_event_id(*, team_id: int | None = None, organization_id: int | None = None) -> int:
    """The cursor's end: the newest event id of a team or organization, 0 when there is none."""
    query = select(db.func.max(Event.id))
    if team_id is not None:
        query = query.where(Event.team_id == team_id)
    if organization_id is not None:
        query = query.where(Event.organization_id == organization_id)
    return db.session.scalar(query) or 0


def team_view_newest(team_id, organization_id) -> tuple:
    """The newest event ids that a team's page follows (columns of one statement): the
    team's own, and the newest change outside any team that its page shows too."""

    def newest(*conditions):
        return select(func.max(Event.id)).where(*conditions).scalar_subquery()

    return (
        newest(Event.team_id == team_id),
        newest(Event.team_id.is_(None), Event.organization_id == organization_id),
        newest(Event.team_id.is_(None), Event.organization_id.is_(None)),
    )


@cache
def _team_view_statement() -> Select:
    """Built once per worker: an open board asks for it every 20 seconds."""
    return select(*team_view_newest(bindparam("team_id"), bindparam("organization_id")))


def team_view_version(team_id: int, organization_id: int) -> str:
    """What a team's page shows has changed when this has: the team's newest event, and the
    newest change outside any team that its page shows too (a person renamed in the
    organization, a theme renamed for everyone). One statement."""
    row = read_columns(
        _team_view_statement(), {"team_id": team_id, "organization_id": organization_id}
    ).one()
    return version_of(row)


def version_of(newest_ids) -> str:
    """A page's version from the newest event ids it follows (None: no such event yet)."""
    return "-".join(str(newest or 0) for newest in newest_ids)
