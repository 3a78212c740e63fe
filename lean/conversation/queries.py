"""Reads of the conversation, a fixed number of statements whatever the data size."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from lean.extensions import db
from lean.models import CardComment, CardFollow, Improvement, Notification, User

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


def is_following(user: User, improvement: Improvement) -> bool:
    return (
        db.session.scalar(
            select(CardFollow.id).where(
                CardFollow.user_id == user.id, CardFollow.improvement_id == improvement.id
            )
        )
        is not None
    )


def unread_count(user: User) -> int:
    """The bell's number: the one statement the top bar adds to a page."""
    return db.session.scalar(
        select(func.count(Notification.id)).where(
            Notification.user_id == user.id, Notification.read_at.is_(None)
        )
    )


def inbox(user: User) -> list[Notification]:
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.user_id == user.id)
            .options(joinedload(Notification.actor))
            .order_by(Notification.id.desc())
            .limit(INBOX_PAGE)
        )
    )
