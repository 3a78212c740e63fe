"""Kaizens: small improvements already made, with their photos and documents."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Index, Numeric, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lean.models.base import UTCDateTime, utcnow
from lean.models.database import Model
from lean.models.improvement import Improvement
from lean.models.organization import Team
from lean.models.theme import Theme
from lean.models.user import User

# The two photos a kaizen shows side by side: how it was and how it is now.
PHOTO_ROLES = ("before", "after")


class KaizenEntry(Model):
    __table_args__ = (Index("ix_kaizen_entry_log", "team_id", "deleted_at", "done_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    done_on: Mapped[date]
    title: Mapped[str] = mapped_column(String(200))
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    effect: Mapped[str] = mapped_column(Text, default="")
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id"))
    hours_saved_per_month: Mapped[Decimal | None] = mapped_column(Numeric(10, 1))
    # The board card this kaizen became when it turned out bigger than it looked.
    promoted_to_id: Mapped[int | None] = mapped_column(ForeignKey("improvement.id"), index=True)
    # Deleted entries stay recoverable for a while; see lean/kaizen/services.py.
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    __mapper_args__ = {"version_id_col": version}

    team: Mapped[Team] = relationship()
    author: Mapped[User] = relationship()
    theme: Mapped[Theme] = relationship()
    promoted_to: Mapped[Improvement | None] = relationship()
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="kaizen", order_by="Attachment.id", cascade="all, delete-orphan"
    )

    def photo(self, role: str) -> Attachment | None:
        """The entry's "before" or "after" photo."""
        return next((a for a in self.attachments if a.role == role), None)

    @property
    def other_files(self) -> list[Attachment]:
        """The files that are neither the before nor the after photo."""
        return [a for a in self.attachments if a.role not in PHOTO_ROLES]


class Attachment(Model):
    """A file stored under instance/uploads with a generated name, never the uploader's; it
    belongs to a kaizen or to a board card, never both."""

    __table_args__ = (
        CheckConstraint("(kaizen_id IS NULL) <> (improvement_id IS NULL)", name="one_owner"),
        # At most one cover per card.
        Index(
            "uq_attachment_one_cover",
            "improvement_id",
            unique=True,
            sqlite_where=text("is_cover"),
            postgresql_where=text("is_cover"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kaizen_id: Mapped[int | None] = mapped_column(ForeignKey("kaizen_entry.id"), index=True)
    improvement_id: Mapped[int | None] = mapped_column(ForeignKey("improvement.id"), index=True)
    # A card's photo shown small on its board card (at most one per card).
    is_cover: Mapped[bool] = mapped_column(default=False, server_default=false())
    # A kaizen's photo of how it was ("before") or how it is now ("after"); "" for any other
    # file. An entry has at most one of each, shown side by side.
    role: Mapped[str] = mapped_column(String(10), default="", server_default="")
    original_name: Mapped[str] = mapped_column(String(255))
    # A few words on what a photo shows: its alt text (the file name when left empty).
    description: Mapped[str] = mapped_column(String(200), default="", server_default="")
    stored_name: Mapped[str] = mapped_column(String(64), unique=True)
    thumbnail_name: Mapped[str | None] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    kaizen: Mapped[KaizenEntry | None] = relationship(back_populates="attachments")
    improvement: Mapped[Improvement | None] = relationship()

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def alt_text(self) -> str:
        return self.description or self.original_name
