"""What a board keeps beside its cards: checklists, card templates and the days a column was
over its work-in-progress limit."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lean.models.base import UTCDateTime, utcnow
from lean.models.database import Model
from lean.models.improvement import Improvement
from lean.models.organization import Team
from lean.models.theme import FocusArea, Theme
from lean.models.user import User


class ChecklistItem(Model):
    """One step of a card's checklist, in the card's order."""

    __table_args__ = (Index("ix_checklist_item_card", "improvement_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    improvement_id: Mapped[int] = mapped_column(ForeignKey("improvement.id", ondelete="CASCADE"))
    text: Mapped[str] = mapped_column(String(300))
    done: Mapped[bool] = mapped_column(default=False, server_default=false())
    position: Mapped[int] = mapped_column(default=0)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    # Two people ticking or editing the same item: the second write is refused, not lost.
    __mapper_args__ = {"version_id_col": version}

    improvement: Mapped[Improvement] = relationship()
    done_by: Mapped[User | None] = relationship()


class Recurrence:
    """How often a recurring template makes its card: never, every N weeks on a weekday from
    its start, or on the Nth weekday of every month."""

    NONE = ""
    WEEKS = "weeks"
    MONTHDAY = "monthday"


class CardTemplate(Model):
    """A team's ready-made card ("Student feedback round"), offered by the quick add, and
    made on schedule by the daily command when it recurs."""

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    problem: Mapped[str] = mapped_column(Text, default="", server_default="")
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id"))
    focus_area_id: Mapped[int | None] = mapped_column(ForeignKey("focus_area.id"))
    # The checklist a card made from it starts with, one item per line.
    checklist: Mapped[str] = mapped_column(Text, default="", server_default="")
    recurrence: Mapped[str] = mapped_column(String(10), default="", server_default="")
    every_weeks: Mapped[int | None]
    # ISO weekday, 1 (Monday) to 7 (Sunday), for both kinds of recurrence.
    weekday: Mapped[int | None]
    # For MONTHDAY: the 1st to 4th such weekday of the month, or -1 for the last.
    week_of_month: Mapped[int | None]
    starts_on: Mapped[date | None]
    archived: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    team: Mapped[Team] = relationship()
    theme: Mapped[Theme] = relationship()
    focus_area: Mapped[FocusArea | None] = relationship()


class OverLimitDay(Model):
    """A day on which a team's column held more cards than its work-in-progress limit: the
    dashboard counts these per period."""

    __table_args__ = (UniqueConstraint("team_id", "stage", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    stage: Mapped[str] = mapped_column(String(10))
    day: Mapped[date]
