"""One-time links: invitations and password resets, sent or copied by hand."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lean.models.base import UTCDateTime, utcnow
from lean.models.database import Model
from lean.models.organization import Organization, Team, TeamRole
from lean.models.user import User


class LinkPurpose(enum.StrEnum):
    INVITATION = "invitation"
    PASSWORD_RESET = "password_reset"  # noqa: S105  (a purpose, not a password)


class OneTimeLink(Model):
    """Only the token's hash is stored: the link itself is shown once and never again."""

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[LinkPurpose] = mapped_column(
        Enum(
            LinkPurpose,
            native_enum=False,
            length=20,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    # The user whose password a reset link sets; None for an invitation.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Where an invitation puts the new user.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    role: Mapped[TeamRole | None] = mapped_column(
        Enum(TeamRole, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e])
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # An invitation an admin took back before it was used.
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organization: Mapped[Organization] = relationship()
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    team: Mapped[Team | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])

    def is_usable(self, now: datetime) -> bool:
        return self.used_at is None and self.revoked_at is None and now < self.expires_at
