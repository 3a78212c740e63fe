"""Organizations of the network, their teams, and who belongs to which team."""

from __future__ import annotations

import enum
from datetime import datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lean.models.base import UTCDateTime, utcnow
from lean.models.database import Model

if TYPE_CHECKING:
    from lean.models.user import User


class TeamRole(enum.StrEnum):
    MEMBER = "member"
    SUPERVISOR = "supervisor"


class Organization(Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # The organization that coordinates the network.
    is_coordinating: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Network: coordinators always publish practices; supervisors only when this is on.
    supervisors_may_publish: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Off: "sign-on only", its people sign in only through its providers (installation admins
    # excepted).
    passwords_allowed: Mapped[bool] = mapped_column(default=True, server_default=true())

    teams: Mapped[list[Team]] = relationship(back_populates="organization", order_by="Team.name")


class Team(Model):
    __table_args__ = (UniqueConstraint("organization_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    archived: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    # Stand-up settings: the planned length, the rhythm and how long a card may stay in a
    # stage before the stand-up agenda calls it aged.
    standup_minutes: Mapped[int] = mapped_column(default=15, server_default="15")
    # ISO weekdays of the planned stand-ups, "1" (Monday) to "7" (Sunday), comma-separated;
    # empty means no planned rhythm.
    standup_weekdays: Mapped[str] = mapped_column(String(20), default="", server_default="")
    standup_time: Mapped[time | None]
    plan_limit_days: Mapped[int] = mapped_column(default=14, server_default="14")
    do_limit_days: Mapped[int] = mapped_column(default=21, server_default="21")
    check_limit_days: Mapped[int] = mapped_column(default=14, server_default="14")
    act_limit_days: Mapped[int] = mapped_column(default=14, server_default="14")
    # Work-in-progress limits: at most this many cards in the stage (None: no limit). A hard
    # limit refuses a move into a full column; a soft one asks for the reason.
    plan_wip_limit: Mapped[int | None]
    do_wip_limit: Mapped[int | None]
    check_wip_limit: Mapped[int | None]
    act_wip_limit: Mapped[int | None]
    wip_limits_hard: Mapped[bool] = mapped_column(default=False, server_default=false())
    # The secret in the address of the team's calendar feed; renewing it retires the old one.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    organization: Mapped[Organization] = relationship(back_populates="teams")
    memberships: Mapped[list[Membership]] = relationship(back_populates="team")


class Membership(Model):
    __table_args__ = (UniqueConstraint("user_id", "team_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    role: Mapped[TeamRole] = mapped_column(
        Enum(
            TeamRole, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
        ),
        default=TeamRole.MEMBER,
    )

    user: Mapped[User] = relationship(back_populates="memberships")
    team: Mapped[Team] = relationship(back_populates="memberships")
