"""Stand-ups at the board, and the questions a team escalates to its coordinators."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lean.models.base import UTCDateTime, utcnow
from lean.models.database import Model
from lean.models.improvement import Improvement
from lean.models.organization import Team
from lean.models.user import User


class Standup(Model):
    __table_args__ = (
        Index("ix_standup_team_started", "team_id", "started_at"),
        # At most one unfinished stand-up per team: two supervisors pressing "start" at the
        # same moment get the same stand-up, decided by the database, not by a check-then-insert.
        Index(
            "uq_standup_open_per_team",
            "team_id",
            unique=True,
            sqlite_where=text("finished_at IS NULL"),
            postgresql_where=text("finished_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    led_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    planned_minutes: Mapped[int] = mapped_column(default=15)
    guests: Mapped[str] = mapped_column(String(500), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # The quick retrospective of the stand-up itself: what went well, what to change.
    plus: Mapped[str] = mapped_column(Text, default="")
    delta: Mapped[str] = mapped_column(Text, default="")
    # The agenda place (1-based) of the card the leader shows: everyone following the
    # stand-up sees that card. Moved by a statement, not through `version`, so showing the
    # next card never turns a finish form into a conflict.
    current_position: Mapped[int | None] = mapped_column()
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    team: Mapped[Team] = relationship()
    led_by: Mapped[User | None] = relationship()


class StandupAttendee(Model):
    __table_args__ = (UniqueConstraint("standup_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standup_id: Mapped[int] = mapped_column(ForeignKey("standup.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)

    user: Mapped[User] = relationship()


class StandupItem(Model):
    """A card on a stand-up's agenda: why it is there and what was decided about it."""

    __table_args__ = (UniqueConstraint("standup_id", "improvement_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    standup_id: Mapped[int] = mapped_column(ForeignKey("standup.id", ondelete="CASCADE"))
    improvement_id: Mapped[int] = mapped_column(ForeignKey("improvement.id"), index=True)
    # blocked, overdue, aged, changed, new, answered (an escalation came back)
    reason: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(default=0)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision: Mapped[str] = mapped_column(Text, default="")

    improvement: Mapped[Improvement] = relationship()


class Escalation(Model):
    """A team's question to its organization's coordinators about one card."""

    __table_args__ = (Index("ix_escalation_open", "team_id", "answered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    improvement_id: Mapped[int] = mapped_column(ForeignKey("improvement.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    standup_id: Mapped[int | None] = mapped_column(ForeignKey("standup.id"))
    question: Mapped[str] = mapped_column(Text)
    asked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answer: Mapped[str] = mapped_column(Text, default="")
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    improvement: Mapped[Improvement] = relationship()
    team: Mapped[Team] = relationship()
    asked_by: Mapped[User | None] = relationship(foreign_keys=[asked_by_id])
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id])
