"""People who log in, and the failed logins that lock an account for a while."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask_babel import gettext
from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, false
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from lean.models.base import UTCDateTime, utcnow
from lean.models.database import Model
from lean.models.organization import Membership, Organization, TeamRole


def new_session_token() -> str:
    return secrets.token_urlsafe(24)


def shown_name(user_id: int, stored_name: str, anonymised: bool) -> str:
    """A person's name as pages show it: an anonymised user's placeholder in the reader's
    language. For reads that select columns rather than User objects."""
    if anonymised:
        return gettext("Former user %(number)d", number=user_id)
    return stored_name


class User(UserMixin, Model):
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    # The stored name; read `name`, which puts an anonymised user's placeholder in the reader's
    # language (the stored value of such a user is a language-neutral "#<id>").
    stored_name: Mapped[str] = mapped_column("name", String(200))
    password_hash: Mapped[str] = mapped_column(String(256))
    language: Mapped[str | None] = mapped_column(String(5))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    is_coordinator: Mapped[bool] = mapped_column(default=False)
    is_admin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    # Part of every session cookie: replacing it ends all the user's sessions at once.
    session_token: Mapped[str] = mapped_column(String(64), default=new_session_token)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Network: other organizations see this person's name only when they agreed to it.
    show_name_to_network: Mapped[bool] = mapped_column(default=False, server_default=false())
    anonymised: Mapped[bool] = mapped_column(default=False, server_default=false())
    # E-mail digest of the person's notifications: "none", "daily" or "weekly"; the last
    # notification a digest carried (the cursor that keeps an item from coming twice).
    digest_frequency: Mapped[str] = mapped_column(
        String(10), default="weekly", server_default="weekly"
    )
    digest_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    digest_cursor: Mapped[int] = mapped_column(default=0, server_default="0")
    # The secret in the address of the person's calendar feed; renewing it retires the old one.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    organization: Mapped[Organization] = relationship()
    memberships: Mapped[list[Membership]] = relationship(back_populates="user")

    @hybrid_property
    def name(self) -> str:
        return shown_name(self.id, self.stored_name, self.anonymised)

    @name.inplace.setter
    def _name_setter(self, value: str) -> None:
        self.stored_name = value

    @name.inplace.expression
    @classmethod
    def _name_expression(cls):
        return cls.stored_name

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def is_active(self) -> bool:
        """Deactivating a person, or their whole organization, keeps them out."""
        return self.active and self.organization.active

    def role_in(self, team_id: int) -> TeamRole | None:
        for membership in self.memberships:
            if membership.team_id == team_id:
                return membership.role
        return None


class LoginFailure(Model):
    """One failed login; kept in the database so every app process sees the same count."""

    __table_args__ = (
        Index("ix_login_failure_email_at", "email", "at"),
        Index("ix_login_failure_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    # The client's network address (IPv4 or IPv6), for the per-address limit.
    address: Mapped[str] = mapped_column(String(45), default="", server_default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PasswordResetRequest(Model):
    """One self-service password reset request, known address or not, for its throttle."""

    __table_args__ = (
        Index("ix_password_reset_request_email_at", "email", "at"),
        Index("ix_password_reset_request_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254))
    # The client's network address (IPv4 or IPv6), for the per-address limit.
    address: Mapped[str] = mapped_column(String(45), default="", server_default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
