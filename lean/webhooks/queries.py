"""What the webhook pages show: an organization's endpoints and an endpoint's delivery log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lean.core.extensions import db
from lean.models import Event, Team
from lean.models.connect import WebhookDelivery, WebhookEndpoint

LOG_SIZE = 100


def endpoints_of(organization_id: int) -> list[WebhookEndpoint]:
    return list(
        db.session.scalars(
            select(WebhookEndpoint)
            .where(WebhookEndpoint.organization_id == organization_id)
            .options(joinedload(WebhookEndpoint.team))
            .order_by(WebhookEndpoint.name, WebhookEndpoint.id)
        )
    )


def teams_of(organization_id: int) -> list[Team]:
    return list(
        db.session.scalars(
            select(Team)
            .where(Team.organization_id == organization_id, Team.archived.is_(False))
            .order_by(Team.name)
        )
    )


@dataclass
class LogRow:
    delivery: WebhookDelivery
    kind: str
    event_at: datetime


def delivery_log(endpoint_id: int) -> list[LogRow]:
    """The endpoint's newest deliveries first, with their event's kind and time."""
    rows = db.session.execute(
        select(WebhookDelivery, Event.kind, Event.at)
        .join(Event, Event.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.event_id.desc())
        .limit(LOG_SIZE)
    )
    return [LogRow(delivery, kind, at) for delivery, kind, at in rows]
