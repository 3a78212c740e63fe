"""Writes of the conversation: one function per change, each recording its Event.

Who hears of a comment is decided after the request's commit, by
lean/conversation/notifications.py.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import CursorResult, delete, select, update

# The refusals of comment_mentioning, for its callers in other areas.
from lean.conversation.mentions import MentionIncomplete as MentionIncomplete
from lean.conversation.mentions import MentionRefused as MentionRefused
from lean.conversation.mentions import resolve
from lean.core.extensions import db
from lean.models import CardComment, CardFollow, Improvement, Notification, User
from lean.models.base import utcnow
from lean.shared.events import EventKind, record_event

EXCERPT = 140


def _excerpt(body: str) -> str:
    body = " ".join(body.split())
    return body if len(body) <= EXCERPT else body[: EXCERPT - 1] + "…"


def comment_mentioning(
    actor: User, improvement: Improvement, body: str, picked_ids: list[int]
) -> CardComment:
    """A comment whose mentions are the people picked and every '@Full Name' in its text (the
    API's way, as the page's). Raises MentionRefused or MentionIncomplete, whose message()
    says what to change, before anything is written."""
    return comment_on_card(actor, improvement, body, resolve(improvement, body, picked_ids))


def comment_on_card(
    actor: User, improvement: Improvement, body: str, mentioned: list[User]
) -> CardComment:
    """A comment on a card; the people it mentions are kept in its event."""
    comment = CardComment(improvement_id=improvement.id, author=actor, body=body.strip())
    db.session.add(comment)
    db.session.flush()
    record_event(
        actor,
        EventKind.COMMENTED,
        improvement,
        comment_id=comment.id,
        excerpt=_excerpt(comment.body),
        mentions=[user.id for user in mentioned],
        # The names as written, which the comment highlights (a later rename changes no text).
        mention_names=[user.name for user in mentioned],
    )
    return comment


def edit_comment(actor: User, comment: CardComment, body: str, mentioned: list[User]) -> None:
    """The author's new text; people newly mentioned hear of it."""
    if comment.body == body.strip():
        return
    comment.body = body.strip()
    comment.edited_at = utcnow()
    record_event(
        actor,
        EventKind.COMMENT_EDITED,
        comment.improvement,
        comment_id=comment.id,
        excerpt=_excerpt(comment.body),
        mentions=[user.id for user in mentioned],
        # The names as written, which the comment highlights (a later rename changes no text).
        mention_names=[user.name for user in mentioned],
    )


def delete_comment(actor: User, comment: CardComment) -> None:
    """Remove the author's comment; the card's history keeps that a comment was deleted."""
    improvement = comment.improvement
    record_event(actor, EventKind.COMMENT_DELETED, improvement, comment_id=comment.id)
    db.session.delete(comment)


def follow_card(user: User, improvement: Improvement) -> None:
    """Hear of the comments on a card one does not own."""
    exists = db.session.scalar(
        select(CardFollow.id).where(
            CardFollow.user_id == user.id, CardFollow.improvement_id == improvement.id
        )
    )
    if exists is None:
        db.session.add(CardFollow(user_id=user.id, improvement_id=improvement.id))


def unfollow_card(user: User, improvement: Improvement) -> None:
    db.session.execute(
        delete(CardFollow).where(
            CardFollow.user_id == user.id, CardFollow.improvement_id == improvement.id
        )
    )


def mark_notification_read(user: User, notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()


def mark_all_notifications_read(user: User) -> int:
    result = cast(
        CursorResult,
        db.session.execute(
            update(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
        ),
    )
    return result.rowcount
