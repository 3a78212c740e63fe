"""Stand-ups: the record of each stand-up of the teams whose boards you may read — when, who
led it and attended, what was decided about which card, and what was escalated.

A page is four statements whatever it holds: the stand-ups with their team and leader, then
the attendees, the decisions and the escalations of the whole page.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask import current_app, url_for
from flask_babel import gettext as _

from lean.api import read_queries
from lean.api.api import api_user, resource_blueprint
from lean.api.paging import CSV_RESPONSE, PageArgs, decode_cursor, list_response, page_schema
from lean.api.problems import ApiProblem
from lean.api.read_fields import Day
from lean.api.schemas import Id
from lean.core.extensions import db
from lean.models import Standup

blueprint = resource_blueprint(
    "stand-ups",
    __name__,
    "Stand-ups: the record of each stand-up at a team's board, with its decisions.",
)


class AttendeeSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


class DecisionSchema(ma.Schema):
    """What the stand-up decided about a card of its agenda."""

    improvement_id = ma.fields.Integer(required=True)
    improvement_title = ma.fields.String(required=True)
    reason = ma.fields.String(
        required=True,
        metadata={"description": "Why the card was on the agenda: blocked, overdue, aged, …"},
    )
    decision = ma.fields.String(required=True)


class EscalationSchema(ma.Schema):
    """A question the team escalated to its organization's coordinators."""

    id = ma.fields.Integer(required=True)
    improvement_id = ma.fields.Integer(required=True)
    improvement_title = ma.fields.String(required=True)
    question = ma.fields.String(required=True)
    asked_at = ma.fields.DateTime(required=True)
    answer = ma.fields.String(required=True)
    answered_at = ma.fields.DateTime(required=True, allow_none=True)


class StandupSchema(ma.Schema):
    """A stand-up's record."""

    id = ma.fields.Integer(required=True)
    url = ma.fields.String(required=True, metadata={"description": "The stand-up's page"})
    organization_id = ma.fields.Integer(required=True)
    team_id = ma.fields.Integer(required=True)
    team_name = ma.fields.String(required=True)
    date = ma.fields.Date(required=True, metadata={"description": "Its day, in local time"})
    started_at = ma.fields.DateTime(required=True)
    finished_at = ma.fields.DateTime(
        required=True, allow_none=True, metadata={"description": "null while it runs"}
    )
    planned_minutes = ma.fields.Integer(required=True)
    minutes = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "How long it took"}
    )
    led_by_id = ma.fields.Integer(required=True, allow_none=True)
    led_by_name = ma.fields.String(required=True, allow_none=True)
    attendees = ma.fields.List(ma.fields.Nested(AttendeeSchema), required=True)
    guests = ma.fields.String(required=True)
    note = ma.fields.String(required=True)
    plus = ma.fields.String(required=True, metadata={"description": "What went well"})
    delta = ma.fields.String(required=True, metadata={"description": "What to change"})
    decisions = ma.fields.List(ma.fields.Nested(DecisionSchema), required=True)
    escalations = ma.fields.List(ma.fields.Nested(EscalationSchema), required=True)


StandupPageSchema = page_schema(StandupSchema, "StandupPage")


class StandupFilters(PageArgs):
    team = Id(strict=False, metadata={"description": "Only this team's stand-ups"})
    start = Day(metadata={"description": "Only stand-ups on or after this day (local time)"})
    end = Day(metadata={"description": "Only stand-ups on or before this day (local time)"})


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _item(standup: Standup, record: read_queries.StandupRecord, zone: ZoneInfo) -> dict[str, Any]:
    minutes = None
    if standup.finished_at is not None:
        seconds = (standup.finished_at - standup.started_at).total_seconds()
        minutes = max(1, round(seconds / 60))
    return {
        "id": standup.id,
        "url": url_for("standups.record", standup_id=standup.id, _external=True),
        "organization_id": standup.team.organization_id,
        "team_id": standup.team_id,
        "team_name": standup.team.name,
        "date": standup.started_at.astimezone(zone).date(),
        "started_at": standup.started_at,
        "finished_at": standup.finished_at,
        "planned_minutes": standup.planned_minutes,
        "minutes": minutes,
        "led_by_id": standup.led_by_id,
        "led_by_name": standup.led_by.name if standup.led_by is not None else None,
        "attendees": [{"id": person.id, "name": person.name} for person in record.attendees],
        "guests": standup.guests,
        "note": standup.note,
        "plus": standup.plus,
        "delta": standup.delta,
        "decisions": [
            {
                "improvement_id": item.improvement_id,
                "improvement_title": item.improvement.title,
                "reason": item.reason,
                "decision": item.decision,
            }
            for item in record.decisions
        ],
        "escalations": [
            {
                "id": escalation.id,
                "improvement_id": escalation.improvement_id,
                "improvement_title": escalation.improvement.title,
                "question": escalation.question,
                "asked_at": escalation.asked_at,
                "answer": escalation.answer,
                "answered_at": escalation.answered_at,
            }
            for escalation in record.escalations
        ],
    }


@blueprint.route("/standups")
@blueprint.arguments(StandupFilters, location="query", as_kwargs=True)
@blueprint.response(200, StandupPageSchema)
@blueprint.alt_response(200, success=True, **CSV_RESPONSE)
def list_standups(limit: int, cursor: str | None = None, **filters):
    """The stand-ups of the teams whose boards you may read, oldest first; filter by team and
    by the days they were held (start and end, inclusive, in the installation's time)."""
    start, end = filters.get("start"), filters.get("end")
    if start and end and start > end:
        raise ApiProblem(422, errors={"end": [_("The last day comes before the first.")]})
    zone = _zone()
    statement = (
        read_queries.standups(
            api_user(),
            read_queries.StandupFilters(
                team_id=filters.get("team"),
                start_at=_midnight(start, zone) if start else None,
                end_at=_midnight(end + timedelta(days=1), zone) if end else None,
            ),
        )
        .where(Standup.id > decode_cursor(cursor))
        .limit(limit + 1)
    )
    standups = list(db.session.scalars(statement).unique())
    records = read_queries.standup_records([standup.id for standup in standups[:limit]])
    items = [
        _item(standup, records.get(standup.id) or read_queries.StandupRecord(), zone)
        for standup in standups
    ]
    return list_response(items, StandupSchema(), limit)
