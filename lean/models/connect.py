"""Connecting Vertaa to the tools around it: personal access tokens for the JSON API,
webhook endpoints with their delivery log, and mails that failed after their retries."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lean.models.base import UTCDateTime, utcnow
from lean.models.database import Model
from lean.models.organization import Organization, Team
from lean.models.user import User


class ApiToken(Model):
    """A person's named token for the API: it acts with exactly that person's rights.
    Only a hash of the token is kept; the token itself is shown once, when it is made."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # SHA-256 of the whole token, hex: a token is 256 random bits, so no slow hash is needed.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The token's first characters, shown in lists so that a person can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    can_write: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The rate limit's window: when it began and how many requests it has had.
    window_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    window_requests: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    user: Mapped[User] = relationship()


class WebhookFormat:
    """What an endpoint is sent: Standard Webhooks JSON, or an Adaptive Card for a Teams
    channel's Workflows webhook."""

    STANDARD = "standard"
    TEAMS = "teams"


class WebhookEndpoint(Model):
    """An address an organization's admin registered to be told of committed events."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    # Only the events of this team, when set.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("team.id"))
    name: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(500))
    format: Mapped[str] = mapped_column(String(20), default=WebhookFormat.STANDARD)
    # The event kinds wanted, one per line (lean/shared/events.py's EventKind values).
    kinds: Mapped[str] = mapped_column(Text, default="", server_default="")
    # The signing secret (whsec_…), encrypted with the installation's key.
    secret_encrypted: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The cursor: the newest event this endpoint has been sent or has no interest in.
    last_event_id: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # Since when its deliveries have failed without a success in between.
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disabled_reason: Mapped[str] = mapped_column(String(300), default="", server_default="")

    organization: Mapped[Organization] = relationship()
    team: Mapped[Team | None] = relationship()


class DeliveryStatus:
    PENDING = "pending"  # waiting for its (next) attempt
    DELIVERED = "delivered"
    FAILED = "failed"  # given up: the endpoint was disabled on it


class WebhookDelivery(Model):
    """One event sent (or being sent) to one endpoint, with its attempts."""

    __table_args__ = (UniqueConstraint("endpoint_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    endpoint_id: Mapped[int] = mapped_column(ForeignKey("webhook_endpoint.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id"))
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_status_code: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(String(300), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    endpoint: Mapped[WebhookEndpoint] = relationship()


class MailFailure(Model):
    """A mail that could not be sent after all its retries: logged and shown to admins."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # Whose admins see it; none: an installation admin's concern.
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(300))
    error: Mapped[str] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
