"""The network's themes and their focus areas, named in three languages."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lean.models.database import Model


class NamedInThreeLanguages:
    name_fi: Mapped[str] = mapped_column(String(200))
    name_sv: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))

    def name_in(self, language: str) -> str:
        return getattr(self, f"name_{language}", None) or self.name_en


class Theme(NamedInThreeLanguages, Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(50), unique=True)
    # A dark colour: white text on it meets WCAG AA contrast.
    colour: Mapped[str] = mapped_column(String(7))
    position: Mapped[int] = mapped_column(default=0)
    retired: Mapped[bool] = mapped_column(default=False)

    focus_areas: Mapped[list[FocusArea]] = relationship(
        back_populates="theme", order_by="FocusArea.position"
    )


class FocusArea(NamedInThreeLanguages, Model):
    __table_args__ = (UniqueConstraint("theme_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    theme_id: Mapped[int] = mapped_column(ForeignKey("theme.id"), index=True)
    key: Mapped[str] = mapped_column(String(50))
    position: Mapped[int] = mapped_column(default=0)

    theme: Mapped[Theme] = relationship(back_populates="focus_areas")
