"""The peer network: practices an organization published, the comments and adoptions they get.

A practice is a snapshot: its text and the parts its publisher chose to share are copied at
publishing time, so later edits of the source card or kaizen never reach other organizations.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lean.models.base import UTCDateTime, utcnow
from lean.models.database import Model
from lean.models.organization import Organization, Team
from lean.models.theme import FocusArea, Theme
from lean.models.user import User


class PracticeKind(enum.StrEnum):
    IMPROVEMENT = "improvement"
    A3 = "a3"
    KAIZEN = "kaizen"


class Practice(Model):
    __table_args__ = (Index("ix_practice_library", "withdrawn_at", "published_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    source_improvement_id: Mapped[int | None] = mapped_column(
        ForeignKey("improvement.id"), index=True
    )
    source_kaizen_id: Mapped[int | None] = mapped_column(ForeignKey("kaizen_entry.id"), index=True)
    # The practice the source card was adopted from: the lineage of adoptions of adoptions.
    origin_practice_id: Mapped[int | None] = mapped_column(ForeignKey("practice.id"), index=True)
    published_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id"), index=True)
    focus_area_id: Mapped[int | None] = mapped_column(ForeignKey("focus_area.id"))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    learnings: Mapped[str] = mapped_column(Text, default="")
    # The shared parts, copied from the source: see lean/network/snapshot.py for the shape.
    content: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Every shared text in one column, which the full-text search indexes.
    search_document: Mapped[str] = mapped_column(Text, default="")
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    organization: Mapped[Organization] = relationship()
    theme: Mapped[Theme] = relationship()
    focus_area: Mapped[FocusArea | None] = relationship()
    published_by: Mapped[User] = relationship()
    origin: Mapped[Practice | None] = relationship(remote_side=[id])

    @property
    def is_published(self) -> bool:
        return self.withdrawn_at is None


class PracticeComment(Model):
    """A peer's comment or question on a practice, or an answer to one (parent_id)."""

    __table_args__ = (Index("ix_practice_comment_practice", "practice_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("practice_comment.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    # The author's organization when they wrote it, which the counts and notices group by.
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    # "We tried something similar": one of the author's own organization's practices.
    similar_practice_id: Mapped[int | None] = mapped_column(ForeignKey("practice.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    practice: Mapped[Practice] = relationship(foreign_keys=[practice_id])
    author: Mapped[User] = relationship()
    organization: Mapped[Organization] = relationship()
    similar_practice: Mapped[Practice | None] = relationship(foreign_keys=[similar_practice_id])


class Adoption(Model):
    """A team of another organization took a practice up: a new card on its board."""

    __table_args__ = (UniqueConstraint("practice_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    improvement_id: Mapped[int] = mapped_column(ForeignKey("improvement.id"), unique=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    adopted_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    practice: Mapped[Practice] = relationship()
    organization: Mapped[Organization] = relationship()
    team: Mapped[Team] = relationship()


class NoticeKind(enum.StrEnum):
    COMMENT = "comment"
    ADOPTION = "adoption"


class Notice(Model):
    """Tells the publishing organization that a peer commented on or adopted its practice.

    One notice per organization, read by any of its people: the first who marks it read
    marks it for the organization.
    """

    __table_args__ = (Index("ix_notice_inbox", "organization_id", "read_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    practice_id: Mapped[int] = mapped_column(ForeignKey("practice.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    actor_organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("practice_comment.id"))
    adoption_id: Mapped[int | None] = mapped_column(ForeignKey("adoption.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
