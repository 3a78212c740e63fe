"""Reads of the conversation, a fixed number of statements whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from sqlalchemy import Select, bindparam, case, func, select
from sqlalchemy.orm import joinedload

from lean.core.extensions import db, read_columns
from lean.models import (
    A3Action,
    A3Sheet,
    CardComment,
    CardFollow,
    Escalation,
    Event,
    Improvement,
    Notification,
    User,
)
from lean.shared.events import EventKind

INBOX_PAGE = 100


def card_comments(improvement_id: int) -> list[CardComment]:
    return list(
        db.session.scalars(
            select(CardComment)
            .where(CardComment.improvement_id == improvement_id)
            .options(joinedload(CardComment.author))
            .order_by(CardComment.created_at, CardComment.id)
        )
    )


def mention_names(improvement_id: int) -> dict[int, list[str]]:
    """The names each comment of the card mentioned as written, by comment id (one statement):
    from the newest of its 'commented' and 'comment_edited' events."""
    rows = db.session.execute(
        select(Event.data)
        .where(
            Event.subject_type == "improvement",
            Event.subject_id == improvement_id,
            Event.kind.in_((EventKind.COMMENTED.value, EventKind.COMMENT_EDITED.value)),
        )
        .order_by(Event.id)
    )
    names: dict[int, list[str]] = {}
    for (data,) in rows:
        if "comment_id" in data:
            names[data["comment_id"]] = data.get("mention_names", [])
    return names


def is_following(user: User, improvement: Improvement) -> bool:
    return (
        db.session.scalar(
            select(CardFollow.id).where(
                CardFollow.user_id == user.id, CardFollow.improvement_id == improvement.id
            )
        )
        is not None
    )


@cache
def _unread_count_statement() -> Select:
    """Built once per worker: every page runs it, and building it cost more than running it."""
    return select(func.count(Notification.id)).where(
        Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None)
    )


def unread_count(user: User) -> int:
    """The bell's number: the one statement the top bar adds to a page."""
    return read_columns(_unread_count_statement(), {"user_id": user.id}).scalar_one()


def inbox(user: User) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .options(joinedload(Notification.actor).joinedload(User.organization))
            .order_by(Notification.id.desc())
            .limit(INBOX_PAGE)
        )
    )


# ---- "My work" ---------------------------------------------------------------------------

STAGE_ORDER = ("idea", "plan", "do", "check", "act", "done")
MY_WORK_LIMIT = 200


@dataclass
class MyWork:
    cards: list[Improvement]
    actions: list  # (action, improvement id, sheet title)
    unanswered: list[Notification]
    escalations: list[Escalation]


def my_work(user: User) -> MyWork:
    """A person's open work across teams: four statements whatever the amounts."""
    stage_rank = case(
        {stage: rank for rank, stage in enumerate(STAGE_ORDER)}, value=Improvement.stage
    )
    cards = db.session.scalars(
        select(Improvement)
        .where(
            Improvement.owner_id == user.id,
            Improvement.archived.is_(False),
            Improvement.stage != "done",
        )
        .options(joinedload(Improvement.team), joinedload(Improvement.theme))
        .order_by(Improvement.due_date.is_(None), Improvement.due_date, stage_rank, Improvement.id)
        .limit(MY_WORK_LIMIT)
    )
    actions = db.session.execute(
        select(A3Action, A3Sheet.improvement_id, A3Sheet.title)
        .join(A3Sheet, A3Sheet.id == A3Action.sheet_id)
        .where(A3Action.who_id == user.id, A3Action.done.is_(False))
        .order_by(A3Action.due_on.is_(None), A3Action.due_on, A3Action.id)
        .limit(MY_WORK_LIMIT)
    )
    # A comment or mention stays unanswered until the person comments on that card after it.
    answered = (
        select(CardComment.id)
        .where(
            CardComment.improvement_id == Event.subject_id,
            CardComment.author_id == user.id,
            CardComment.created_at > Notification.created_at,
        )
        .exists()
    )
    unanswered = db.session.scalars(
        select(Notification)
        .join(Event, Event.id == Notification.event_id)
        .where(
            Notification.user_id == user.id,
            Notification.reason.in_(("mentioned", "comment_on_my_card", "comment_on_followed")),
            Event.subject_type == "improvement",
            ~answered,
        )
        .options(joinedload(Notification.actor).joinedload(User.organization))
        .order_by(Notification.id.desc())
        .limit(MY_WORK_LIMIT)
    )
    escalations = db.session.scalars(
        select(Escalation)
        .where(Escalation.asked_by_id == user.id)
        .options(joinedload(Escalation.improvement), joinedload(Escalation.answered_by))
        .order_by(Escalation.answered_at.is_not(None), Escalation.asked_at.desc())
        .limit(MY_WORK_LIMIT)
    )
    return MyWork(list(cards), [tuple(row) for row in actions], list(unanswered), list(escalations))
