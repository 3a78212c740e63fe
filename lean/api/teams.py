"""Teams: those whose boards you may read, each with your role in it and its board's settings.

A page is one statement (the teams with their organization and your membership).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import url_for

from lean.api import read_queries
from lean.api.api import api_user, resource_blueprint
from lean.api.paging import CSV_RESPONSE, PageArgs, decode_cursor, list_response, page_schema
from lean.api.schemas import Id
from lean.core.extensions import db
from lean.models import Team, TeamRole
from lean.shared import policy

blueprint = resource_blueprint(
    "teams",
    __name__,
    "Teams: those whose boards you may read, with your role and the board's settings.",
)

STAGE_NAMES = ("plan", "do", "check", "act")


class TeamSchema(ma.Schema):
    """A team and its board's settings."""

    id = ma.fields.Integer(required=True)
    url = ma.fields.String(required=True, metadata={"description": "The team's board"})
    organization_id = ma.fields.Integer(required=True)
    organization_name = ma.fields.String(required=True)
    name = ma.fields.String(required=True)
    archived = ma.fields.Boolean(required=True)
    created_at = ma.fields.DateTime(required=True)
    your_role = ma.fields.String(
        required=True,
        allow_none=True,
        validate=ma.validate.OneOf([role.value for role in TeamRole]),
        metadata={"description": "member or supervisor; null when you are not in the team"},
    )
    standup_weekdays = ma.fields.List(
        ma.fields.Integer(),
        required=True,
        metadata={"description": "ISO weekdays of the planned stand-ups (1 = Monday)"},
    )
    standup_time = ma.fields.String(
        required=True, allow_none=True, metadata={"description": "HH:MM, local time"}
    )
    standup_minutes = ma.fields.Integer(required=True)
    plan_limit_days = ma.fields.Integer(required=True)
    do_limit_days = ma.fields.Integer(required=True)
    check_limit_days = ma.fields.Integer(required=True)
    act_limit_days = ma.fields.Integer(required=True)
    plan_wip_limit = ma.fields.Integer(required=True, allow_none=True)
    do_wip_limit = ma.fields.Integer(required=True, allow_none=True)
    check_wip_limit = ma.fields.Integer(required=True, allow_none=True)
    act_wip_limit = ma.fields.Integer(required=True, allow_none=True)
    wip_limits_hard = ma.fields.Boolean(
        required=True, metadata={"description": "Whether a full column refuses a move"}
    )


TeamPageSchema = page_schema(TeamSchema, "TeamPage")


class TeamFilters(PageArgs):
    organization = Id(strict=False, metadata={"description": "Only this organization's teams"})
    archived = ma.fields.Boolean(metadata={"description": "Only archived teams, or only others"})


def _item(team: Team, role: TeamRole | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": team.id,
        "url": url_for("boards.show", team_id=team.id, _external=True),
        "organization_id": team.organization_id,
        "organization_name": team.organization.name,
        "name": team.name,
        "archived": team.archived,
        "created_at": team.created_at,
        "your_role": role.value if role is not None else None,
        "standup_weekdays": [
            int(day) for day in team.standup_weekdays.split(",") if day.strip().isdigit()
        ],
        "standup_time": team.standup_time.strftime("%H:%M") if team.standup_time else None,
        "standup_minutes": team.standup_minutes,
        "wip_limits_hard": team.wip_limits_hard,
    }
    for stage in STAGE_NAMES:
        item[f"{stage}_limit_days"] = getattr(team, f"{stage}_limit_days")
        item[f"{stage}_wip_limit"] = getattr(team, f"{stage}_wip_limit")
    return item


@blueprint.route("/teams")
@blueprint.arguments(TeamFilters, location="query", as_kwargs=True)
@blueprint.response(200, TeamPageSchema)
@blueprint.alt_response(200, success=True, **CSV_RESPONSE)
def list_teams(limit: int, cursor: str | None = None, **filters):
    """The teams whose boards you may read: your organization's (an installation's admin:
    every organization's)."""
    statement = (
        read_queries.teams(
            api_user(),
            read_queries.TeamFilters(
                organization_id=filters.get("organization"), archived=filters.get("archived")
            ),
        )
        .where(Team.id > decode_cursor(cursor))
        .limit(limit + 1)
    )
    items = [_item(team, role) for team, role in db.session.execute(statement)]
    return list_response(items, TeamSchema(), limit)


@blueprint.route("/teams/<int:team_id>")
@blueprint.response(200, TeamSchema)
def get_team(team_id: int):
    """One team; a team of another organization is a 404."""
    user = api_user()
    team = policy.team_for_read(user, team_id)
    return _item(team, policy.role_in_team(user, team))
