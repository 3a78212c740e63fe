"""What happened, to what, by whom and when: history, audit trail and stage times."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lean.models.base import UTCDateTime, utcnow
from lean.models.database import Model
from lean.models.user import User


class Event(Model):
    __table_args__ = (
        Index("ix_event_subject", "subject_type", "subject_id", "at"),
        Index("ix_event_team_at", "team_id", "at"),
        # An open board's check finds the newest change outside any team (a renamed person,
        # a renamed theme) by seeking team_id NULL and its organization.
        Index("ix_event_team_organization", "team_id", "organization_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # None for installation-wide changes (themes).
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int]
    kind: Mapped[str] = mapped_column(String(30))
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship()
