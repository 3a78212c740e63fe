"""Registering, changing, re-enabling and removing an organization's webhook endpoints."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, update

from lean.core.extensions import db
from lean.core.jobs import enqueue_after_commit
from lean.core.keys import encrypt_secret
from lean.models import Organization, Team, User
from lean.models.connect import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from lean.shared.conflicts import EditConflict
from lean.shared.events import EventKind, latest_event_id, record_admin_event
from lean.webhooks import delivery


def new_secret() -> str:
    """A signing secret as Standard Webhooks writes it: whsec_ and 32 random bytes in base64."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


@dataclass
class EndpointValues:
    name: str
    url: str
    format: str
    team_id: int | None
    kinds: list[str]


def _apply(endpoint: WebhookEndpoint, values: EndpointValues) -> None:
    endpoint.name = values.name.strip()
    endpoint.url = values.url.strip()
    endpoint.format = values.format
    endpoint.team_id = values.team_id
    endpoint.kinds = "\n".join(sorted(set(values.kinds)))


def _audit(actor: User, kind: EventKind, endpoint: WebhookEndpoint, **data) -> None:
    """The audit log's entry; never the address, which may carry a secret (a Teams
    workflow's signature)."""
    record_admin_event(
        actor, kind, "webhook_endpoint", endpoint.id, endpoint.organization_id, **data
    )


def _described(endpoint: WebhookEndpoint) -> dict:
    team = db.session.get(Team, endpoint.team_id) if endpoint.team_id else None
    return {"name": endpoint.name, "format": endpoint.format, "team": team.name if team else ""}


def create_endpoint(
    actor: User, organization: Organization, values: EndpointValues
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret (shown once). It starts at the organization's newest
    event (its own registration's): it is sent what happens from now on, not the history."""
    secret = new_secret()
    endpoint = WebhookEndpoint(
        organization_id=organization.id,
        created_by_id=actor.id,
        secret_encrypted=encrypt_secret(secret),
    )
    _apply(endpoint, values)
    db.session.add(endpoint)
    db.session.flush()
    _audit(actor, EventKind.WEBHOOK_SAVED, endpoint, **_described(endpoint))
    db.session.flush()
    endpoint.last_event_id = latest_event_id(organization_id=organization.id)
    db.session.flush()
    return endpoint, secret


def settings_version(endpoint: WebhookEndpoint) -> str:
    """What the edit form was loaded with, as a digest: a save checks it is still so."""
    settings = [endpoint.name, endpoint.url, endpoint.format, endpoint.team_id, endpoint.kinds]
    return hashlib.sha256(json.dumps(settings).encode()).hexdigest()[:32]


def update_endpoint(
    actor: User, endpoint: WebhookEndpoint, values: EndpointValues, loaded_version: str
) -> None:
    """Save the settings; EditConflict when someone else saved them after the form loaded."""
    if loaded_version != settings_version(endpoint):
        raise EditConflict(endpoint)
    _apply(endpoint, values)
    _audit(actor, EventKind.WEBHOOK_SAVED, endpoint, **_described(endpoint))
    db.session.flush()


def enable_endpoint(actor: User, endpoint: WebhookEndpoint) -> None:
    """Back in use: the delivery it stopped on is tried again, then what came after it."""
    _audit(actor, EventKind.WEBHOOK_ENABLED, endpoint, name=endpoint.name)
    endpoint.active = True
    endpoint.disabled_at = None
    endpoint.disabled_reason = ""
    endpoint.failing_since = None
    db.session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.endpoint_id == endpoint.id,
            WebhookDelivery.status == DeliveryStatus.FAILED,
        )
        .values(status=DeliveryStatus.PENDING, next_attempt_at=None)
    )
    db.session.flush()
    enqueue_after_commit(delivery.deliver_to_endpoint, endpoint.id)


def delete_endpoint(actor: User, endpoint: WebhookEndpoint) -> None:
    _audit(actor, EventKind.WEBHOOK_REMOVED, endpoint, name=endpoint.name)
    db.session.execute(delete(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint.id))
    db.session.delete(endpoint)
    db.session.flush()


def resend(row: WebhookDelivery) -> None:
    """Send the delivery again, once the request has committed."""
    enqueue_after_commit(delivery.resend, row.id)
