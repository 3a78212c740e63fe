"""Talking on cards and being told: card comments, follows and personal notifications."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lean.models.base import UTCDateTime, utcnow
from lean.models.database import Model
from lean.models.improvement import Improvement
from lean.models.user import User


class CardComment(Model):
    """A comment on a card; its mentions are in the 'commented' event's data."""

    __table_args__ = (Index("ix_card_comment_card", "improvement_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    improvement_id: Mapped[int] = mapped_column(ForeignKey("improvement.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An imported comment's writer who has no account here (the importer is its author).
    original_author: Mapped[str] = mapped_column(String(200), default="", server_default="")

    improvement: Mapped[Improvement] = relationship()
    author: Mapped[User] = relationship()


class CardFollow(Model):
    """Someone who wants to hear about a card they do not own."""

    __table_args__ = (UniqueConstraint("user_id", "improvement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    improvement_id: Mapped[int] = mapped_column(ForeignKey("improvement.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Notification(Model):
    """One item of a person's inbox: why they are told, which event, where it links to."""

    __table_args__ = (
        Index("ix_notification_inbox", "user_id", "read_at", "id"),
        # One notification per person and thing ("event:<id>", "due:<card>:<date>"), whatever
        # the reasons: never the same twice, even when a command runs again.
        UniqueConstraint("user_id", "key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    key: Mapped[str] = mapped_column(String(60))
    # The event that caused it; None for a reminder (a due date tomorrow).
    event_id: Mapped[int | None] = mapped_column(ForeignKey("event.id"))
    reason: Mapped[str] = mapped_column(String(30))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # What it is about, as the inbox names it and links to it.
    title: Mapped[str] = mapped_column(String(200))
    path: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
