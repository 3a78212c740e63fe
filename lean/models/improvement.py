"""The improvement: one card on a team's PDCA board."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lean.extensions import db
from lean.models.base import UTCDateTime, utcnow
from lean.models.organization import Team
from lean.models.theme import FocusArea, Theme
from lean.models.user import User


class Stage(enum.StrEnum):
    IDEA = "idea"
    PLAN = "plan"
    DO = "do"
    CHECK = "check"
    ACT = "act"
    DONE = "done"

    @property
    def index(self) -> int:
        return STAGES.index(self)

    @property
    def next(self) -> Stage | None:
        return STAGES[self.index + 1] if self.index + 1 < len(STAGES) else None

    @property
    def previous(self) -> Stage | None:
        return STAGES[self.index - 1] if self.index > 0 else None


STAGES = list(Stage)


class Improvement(db.Model):
    __table_args__ = (Index("ix_improvement_board", "team_id", "archived", "stage", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text, default="")
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id"), index=True)
    focus_area_id: Mapped[int | None] = mapped_column(ForeignKey("focus_area.id"))
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    stage: Mapped[str] = mapped_column(String(10), default=Stage.IDEA.value)
    position: Mapped[int] = mapped_column(default=0)
    due_date: Mapped[date | None]
    blocked: Mapped[bool] = mapped_column(default=False)
    blocked_reason: Mapped[str] = mapped_column(String(500), default="")
    expected_effect: Mapped[str] = mapped_column(Text, default="")
    what_was_tried: Mapped[str] = mapped_column(Text, default="")
    measured_result: Mapped[str] = mapped_column(Text, default="")
    standard: Mapped[str] = mapped_column(Text, default="")
    hours_saved_per_month: Mapped[Decimal | None] = mapped_column(Numeric(10, 1))
    money_saved_per_year: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    quality_change: Mapped[str] = mapped_column(String(500), default="")
    archived: Mapped[bool] = mapped_column(default=False)
    # The network practice this card was adopted from (lean/network). The key is added after
    # both tables exist (use_alter): a practice also points at the card it was published from.
    origin_practice_id: Mapped[int | None] = mapped_column(
        ForeignKey("practice.id", use_alter=True, ondelete="SET NULL"), index=True
    )
    version: Mapped[int] = mapped_column(default=1)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    # SQLAlchemy checks the version in every UPDATE: a race inside two requests fails loudly.
    __mapper_args__ = {"version_id_col": version}

    team: Mapped[Team] = relationship()
    theme: Mapped[Theme] = relationship()
    focus_area: Mapped[FocusArea | None] = relationship()
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    @property
    def stage_enum(self) -> Stage:
        return Stage(self.stage)

    def is_overdue(self, today: date) -> bool:
        return self.due_date is not None and self.due_date < today and self.stage != Stage.DONE
