"""Events: every recorded change you may read, oldest first, for incremental loads.

A load keeps the id of the last event it read and asks for the events after it next time
(`after=<id>`); the `next` link of a page is the same question for the following page. One
statement per page; the scope is the one of the teams' pages and of the audit log
(lean/shared/policy.py: readable_events).
"""

from __future__ import annotations

import marshmallow as ma
from sqlalchemy import select
from sqlalchemy.orm import aliased

from lean.api.api import api_user, resource_blueprint
from lean.api.paging import CSV_RESPONSE, PageArgs, list_response, page_schema
from lean.api.schemas import Id
from lean.core.extensions import db
from lean.core.input_checks import LARGEST_ID
from lean.models import Event, User
from lean.models.user import shown_name
from lean.shared import policy

blueprint = resource_blueprint(
    "events",
    __name__,
    "Events: the changes recorded as they happened, with a cursor for incremental loads.",
)


class EventSchema(ma.Schema):
    """One recorded change."""

    id = ma.fields.Integer(required=True)
    at = ma.fields.DateTime(required=True)
    kind = ma.fields.String(required=True, metadata={"description": "What happened"})
    actor_id = ma.fields.Integer(required=True, allow_none=True)
    actor_name = ma.fields.String(required=True, allow_none=True)
    organization_id = ma.fields.Integer(required=True, allow_none=True)
    team_id = ma.fields.Integer(required=True, allow_none=True)
    subject_type = ma.fields.String(
        required=True, metadata={"description": "What changed: improvement, kaizen_entry, …"}
    )
    subject_id = ma.fields.Integer(required=True)
    data = ma.fields.Dict(required=True, metadata={"description": "The change's details"})


EventPageSchema = page_schema(EventSchema, "EventPage")


class EventArgs(PageArgs):
    class Meta:
        exclude = ("cursor",)

    after = ma.fields.Integer(
        load_default=0,
        validate=ma.validate.Range(min=0, max=LARGEST_ID),
        metadata={"description": "The id of the last event you have: the events after it"},
    )
    team = Id(strict=False, metadata={"description": "Only this team's events"})


@blueprint.route("/events")
@blueprint.arguments(EventArgs, location="query", as_kwargs=True)
@blueprint.response(200, EventPageSchema)
@blueprint.alt_response(200, success=True, **CSV_RESPONSE)
def list_events(limit: int, after: int, team: int | None = None):
    """The changes you may read

    The events after the event `after`, oldest first: keep the last id for the next load."""
    user = api_user()
    actor = aliased(User)
    statement = (
        select(Event, actor.stored_name, actor.anonymised)
        .outerjoin(actor, actor.id == Event.actor_id)
        .where(Event.id > after, policy.readable_events(user))
        .order_by(Event.id)
        .limit(limit + 1)
    )
    if team:
        statement = statement.where(Event.team_id == team)
    items = [
        {
            "id": event.id,
            "at": event.at,
            "kind": event.kind,
            "actor_id": event.actor_id,
            "actor_name": None
            if event.actor_id is None
            else shown_name(event.actor_id, stored_name, anonymised),
            "organization_id": event.organization_id,
            "team_id": event.team_id,
            "subject_type": event.subject_type,
            "subject_id": event.subject_id,
            "data": event.data or {},
        }
        for event, stored_name, anonymised in db.session.execute(statement)
    ]
    return list_response(items, EventSchema(), limit, cursor_arg="after")
