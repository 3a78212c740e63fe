"""What an endpoint is sent for an event: Standard Webhooks JSON, or a Teams Adaptive Card.

Standard: `{"type": <event kind>, "timestamp": <ISO 8601>, "data": {...}}`, the data naming
the event, its organization, team, subject and actor, the event's own details and, for a card,
a small summary (title, stage, address). Teams: the message a channel's Workflows webhook
("Post to a channel when a webhook request is received") takes, an Adaptive Card 1.4, in the
installation's language. A Teams endpoint is sent a moved card only when it went over its
column's work-in-progress limit.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from lean.core.extensions import db
from lean.core.i18n import format_day, format_moment, locale_for
from lean.core.urls import external_url
from lean.models import (
    Escalation,
    Event,
    Improvement,
    OverLimitDay,
    Standup,
    StandupItem,
    Team,
    User,
)
from lean.models.connect import WebhookFormat
from lean.shared.events import EventKind
from lean.shared.labels import stage_label
from lean.webhooks.labels import kind_label


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _improvement(event: Event) -> Improvement | None:
    if event.subject_type != "improvement":
        return None
    return db.session.get(Improvement, event.subject_id)


def _card_url(improvement_id: int) -> str:
    return external_url("boards.detail", improvement_id=improvement_id)


def standard(event: Event) -> dict[str, Any]:
    """The Standard Webhooks payload of an event."""
    data: dict[str, Any] = {
        "event_id": event.id,
        "organization_id": event.organization_id,
        "team_id": event.team_id,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "actor_id": event.actor_id,
        "details": dict(event.data or {}),
    }
    improvement = _improvement(event)
    if improvement is not None:
        data["improvement"] = {
            "id": improvement.id,
            "title": improvement.title,
            "stage": improvement.stage,
            "url": _card_url(improvement.id),
        }
    return {"type": event.kind, "timestamp": _iso(event.at), "data": data}


def wanted_by_teams(event: Event) -> bool:
    """A Teams channel hears of a move only when it went over the column's limit."""
    if event.kind == EventKind.MOVED.value:
        return bool((event.data or {}).get("over_limit_reason"))
    return True


def body(endpoint_format: str, event: Event) -> dict[str, Any]:
    if endpoint_format == WebhookFormat.TEAMS:
        return teams(event)
    return standard(event)


# ---- Teams ------------------------------------------------------------------------------


def _text(text: str, **options: Any) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True, **options}


def _facts(rows: list[tuple[str, str]]) -> dict[str, Any]:
    return {"type": "FactSet", "facts": [{"title": title, "value": value} for title, value in rows]}


def _message(blocks: list[dict[str, Any]], link: tuple[str, str] | None) -> dict[str, Any]:
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.4",
        "body": blocks,
    }
    if link is not None:
        card["actions"] = [{"type": "Action.OpenUrl", "title": link[0], "url": link[1]}]
    return {
        "type": "message",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.card.adaptive",
                "contentUrl": None,
                "content": card,
            }
        ],
    }


def _name(user_id: int | None) -> str:
    user = db.session.get(User, user_id) if user_id else None
    return user.name if user is not None else _("Someone")


def teams(event: Event) -> dict[str, Any]:
    """An Adaptive Card for a Teams channel, in the installation's language."""
    language = current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale_for(language)):
        if event.kind == EventKind.STANDUP_FINISHED.value:
            return _standup_summary(event)
        if event.kind == EventKind.ESCALATED.value:
            return _escalation(event)
        if event.kind == EventKind.MOVED.value and (event.data or {}).get("over_limit_reason"):
            return _over_limit_move(event)
        return _other(event)


def _team_name(team_id: int | None) -> str:
    team = db.session.get(Team, team_id) if team_id else None
    return team.name if team is not None else ""


def _standup_summary(event: Event) -> dict[str, Any]:
    standup = db.session.get(Standup, event.subject_id)
    team = _team_name(event.team_id)
    if standup is None:
        return _message([_text(_("A stand-up of %(team)s finished.", team=team))], None)
    decided = list(
        db.session.execute(
            select(Improvement.title, StandupItem.decision)
            .join(Improvement, Improvement.id == StandupItem.improvement_id)
            .where(StandupItem.standup_id == standup.id, StandupItem.decision != "")
            .order_by(StandupItem.position)
        )
    )
    escalated = list(
        db.session.execute(
            select(Improvement.title, Escalation.question)
            .join(Improvement, Improvement.id == Escalation.improvement_id)
            .where(Escalation.standup_id == standup.id)
            .order_by(Escalation.id)
        )
    )
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    day = (standup.finished_at or event.at).astimezone(zone)
    over = list(
        db.session.scalars(
            select(OverLimitDay.stage)
            .where(OverLimitDay.team_id == standup.team_id, OverLimitDay.day == day.date())
            .order_by(OverLimitDay.stage)
        )
    )
    blocks: list[dict[str, Any]] = [
        _text(
            _("Stand-up of %(team)s, %(day)s", team=team, day=format_day(day.date())),
            size="Large",
            weight="Bolder",
        ),
        _facts(
            [
                (_("Led by"), _name(standup.led_by_id)),
                (_("Started"), format_moment(standup.started_at)),
                (_("Finished"), format_moment(standup.finished_at or event.at)),
            ]
        ),
        _text(_("Decisions"), weight="Bolder"),
    ]
    if decided:
        blocks.append(_facts([(title, decision) for title, decision in decided]))
    else:
        blocks.append(_text(_("No decisions."), isSubtle=True))
    blocks.append(_text(_("Escalations"), weight="Bolder"))
    if escalated:
        blocks.append(_facts([(title, question) for title, question in escalated]))
    else:
        blocks.append(_text(_("No escalations."), isSubtle=True))
    blocks.append(_text(_("Columns over their work-in-progress limit"), weight="Bolder"))
    if over:
        blocks.append(_text(", ".join(stage_label(stage) for stage in over)))
    else:
        blocks.append(_text(_("None today."), isSubtle=True))
    link = (_("Open the stand-up's record"), external_url("standups.record", standup_id=standup.id))
    return _message(blocks, link)


def _escalation(event: Event) -> dict[str, Any]:
    improvement = _improvement(event)
    title = improvement.title if improvement is not None else ""
    blocks = [
        _text(
            _(
                "%(person)s escalated a question on “%(card)s”",
                person=_name(event.actor_id),
                card=title,
            ),
            weight="Bolder",
        ),
        _text(str((event.data or {}).get("question", ""))),
        _facts([(_("Team"), _team_name(event.team_id))]),
    ]
    link = (_("Open the card"), _card_url(event.subject_id)) if improvement is not None else None
    return _message(blocks, link)


def _over_limit_move(event: Event) -> dict[str, Any]:
    improvement = _improvement(event)
    data = event.data or {}
    title = improvement.title if improvement is not None else ""
    stage = stage_label(str(data.get("to", ""))) if data.get("to") else ""
    blocks = [
        _text(
            _(
                "“%(card)s” went to %(stage)s over its work-in-progress limit of %(limit)s",
                card=title,
                stage=stage,
                limit=data.get("over_limit", ""),
            ),
            weight="Bolder",
        ),
        _facts(
            [
                (_("Reason"), str(data.get("over_limit_reason", ""))),
                (_("Moved by"), _name(event.actor_id)),
                (_("Team"), _team_name(event.team_id)),
            ]
        ),
    ]
    link = (_("Open the card"), _card_url(event.subject_id)) if improvement is not None else None
    return _message(blocks, link)


def _other(event: Event) -> dict[str, Any]:
    improvement = _improvement(event)
    blocks = [_text(kind_label(event.kind), weight="Bolder")]
    if improvement is not None:
        blocks.append(_text(improvement.title))
    blocks.append(
        _facts([(_("By"), _name(event.actor_id)), (_("Team"), _team_name(event.team_id))])
    )
    link = (_("Open the card"), _card_url(improvement.id)) if improvement is not None else None
    return _message(blocks, link)
