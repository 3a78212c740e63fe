"""The improvement: one card on a team's PDCA board."""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lean.models.base import UTCDateTime, utcnow
from lean.models.database import Model
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
    def index(self) -> int:  # type: ignore[override]  # a stage's place in the cycle, never str.index
        return STAGES.index(self)

    @property
    def next(self) -> Stage | None:
        return STAGES[self.index + 1] if self.index + 1 < len(STAGES) else None

    @property
    def previous(self) -> Stage | None:
        return STAGES[self.index - 1] if self.index > 0 else None


STAGES = list(Stage)


class Improvement(Model):
    __table_args__ = (
        Index("ix_improvement_board", "team_id", "archived", "stage", "position"),
        # The dashboard's completions of a period, per team.
        Index("ix_improvement_completed", "team_id", "completed_at"),
        # A recurring template makes one card per date, never two (lean/boards templates).
        UniqueConstraint("from_template_id", "template_date"),
        Index("uq_improvement_team_import_key", "team_id", "import_key", unique=True),
    )

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
    # The card template this card was made from, and for a recurring one the date it was due.
    from_template_id: Mapped[int | None] = mapped_column(
        ForeignKey("card_template.id", use_alter=True, ondelete="SET NULL")
    )
    template_date: Mapped[date | None]
    # Where an imported card came from ("planner:<task id>", "trello:<card id>"): the same file
    # imported twice makes no second card (unique within the team).
    import_key: Mapped[str | None] = mapped_column(String(100))
    # Stage times, kept by the services in the same transaction as the event of the move, so
    # that the board and the figures read them instead of searching the events (which remain
    # the history; lean.boards.services.refresh_stage_times recomputes these from them).
    # When the card entered the stage it stands in now.
    stage_entered_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Its first entry into Plan or a later stage (cycle time starts there); None for an idea
    # that has never left Idea.
    first_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Its last arrival in Done while it stands in Done; None anywhere else.
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
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

    def enter_stage(self, stage: Stage, moment: datetime) -> None:
        """Stand in a stage from this moment on, with the stage times that follow from it."""
        self.stage = stage.value
        self.stage_entered_at = moment
        if stage != Stage.IDEA and self.first_started_at is None:
            self.first_started_at = moment
        self.completed_at = moment if stage == Stage.DONE else None

    @property
    def stage_enum(self) -> Stage:
        return Stage(self.stage)

    def is_overdue(self, today: date) -> bool:
        return self.due_date is not None and self.due_date < today and self.stage != Stage.DONE
