"""A3 problem sheets: one per improvement, its sections, root-cause chain, plan and coaching."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lean.models.base import UTCDateTime, utcnow
from lean.models.database import Model
from lean.models.improvement import Improvement
from lean.models.user import User


class CauseCategory(enum.StrEnum):
    """The classic fishbone categories a cause is sorted into."""

    PEOPLE = "people"
    METHODS = "methods"
    EQUIPMENT = "equipment"
    MATERIALS = "materials"
    MEASUREMENT = "measurement"
    ENVIRONMENT = "environment"


class A3Sheet(Model):
    __tablename__ = "a3_sheet"

    id: Mapped[int] = mapped_column(primary_key=True)
    improvement_id: Mapped[int] = mapped_column(ForeignKey("improvement.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    # Any user of the organization, or a peer coach of another organization named by a coordinator.
    coach_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # 1. Background, 2. Current condition
    background: Mapped[str] = mapped_column(Text, default="")
    current_condition: Mapped[str] = mapped_column(Text, default="")
    # 3. Goal / target condition
    target_condition: Mapped[str] = mapped_column(Text, default="")
    measure: Mapped[str] = mapped_column(String(200), default="")
    unit: Mapped[str] = mapped_column(String(50), default="")
    baseline: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    target: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    target_date: Mapped[date | None]
    # 7. Effect confirmation
    effect_planned: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    effect_planned_on: Mapped[date | None]
    effect_actual: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    effect_actual_on: Mapped[date | None]
    target_reached: Mapped[bool | None]
    effect_note: Mapped[str] = mapped_column(Text, default="")
    # 8. Follow-up
    standard: Mapped[str] = mapped_column(Text, default="")
    learned: Mapped[str] = mapped_column(Text, default="")
    applies_elsewhere: Mapped[str] = mapped_column(Text, default="")

    # One version per section: two people editing different sections never conflict, the
    # second editor of the same section is told. Bumped by a conditional UPDATE.
    header_version: Mapped[int] = mapped_column(default=1)
    background_version: Mapped[int] = mapped_column(default=1)
    current_condition_version: Mapped[int] = mapped_column(default=1)
    goal_version: Mapped[int] = mapped_column(default=1)
    root_cause_version: Mapped[int] = mapped_column(default=1)
    countermeasures_version: Mapped[int] = mapped_column(default=1)
    plan_version: Mapped[int] = mapped_column(default=1)
    effect_version: Mapped[int] = mapped_column(default=1)
    follow_up_version: Mapped[int] = mapped_column(default=1)

    improvement: Mapped[Improvement] = relationship()
    coach: Mapped[User | None] = relationship(foreign_keys=[coach_id])
    started_by: Mapped[User | None] = relationship(foreign_keys=[started_by_id])

    @property
    def team(self):
        return self.improvement.team

    @property
    def team_id(self) -> int:
        return self.improvement.team_id


class A3Why(Model):
    """One step of the "why?" chain, in order; at most five per sheet."""

    __tablename__ = "a3_why"
    __table_args__ = (Index("ix_a3_why_sheet", "sheet_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("a3_sheet.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)
    text: Mapped[str] = mapped_column(String(500))


class A3Cause(Model):
    __tablename__ = "a3_cause"

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("a3_sheet.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(String(500))


class A3Countermeasure(Model):
    __tablename__ = "a3_countermeasure"

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("a3_sheet.id", ondelete="CASCADE"), index=True)
    option: Mapped[str] = mapped_column(String(300))
    pros: Mapped[str] = mapped_column(Text, default="")
    cons: Mapped[str] = mapped_column(Text, default="")
    chosen: Mapped[bool] = mapped_column(default=False)


class A3Action(Model):
    __tablename__ = "a3_action"

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("a3_sheet.id", ondelete="CASCADE"), index=True)
    what: Mapped[str] = mapped_column(String(300))
    who_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    due_on: Mapped[date | None]
    done: Mapped[bool] = mapped_column(default=False)

    who: Mapped[User | None] = relationship()

    def is_overdue(self, today: date) -> bool:
        return not self.done and self.due_on is not None and self.due_on < today


class A3Comment(Model):
    """A coaching question or remark on one section; answers point at their question."""

    __tablename__ = "a3_comment"
    __table_args__ = (Index("ix_a3_comment_sheet", "sheet_id", "section"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sheet_id: Mapped[int] = mapped_column(ForeignKey("a3_sheet.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(String(30))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    body: Mapped[str] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("a3_comment.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    resolved_by: Mapped[User | None] = relationship(foreign_keys=[resolved_by_id])
