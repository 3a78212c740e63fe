"""Organizations: your own (an installation's admin: every one), and one with its teams.

A list page is one statement; one organization is two (it, then its teams).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from sqlalchemy import select

from lean.api import read_queries
from lean.api.api import api_user, resource_blueprint
from lean.api.paging import CSV_RESPONSE, PageArgs, decode_cursor, list_response, page_schema
from lean.core.extensions import db
from lean.models import Organization, Team
from lean.shared import policy

blueprint = resource_blueprint(
    "organizations",
    __name__,
    "Organizations: yours (an installation's admin reads every one), with their teams.",
)


class OrganizationSchema(ma.Schema):
    """An organization of the network."""

    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    coordinating = ma.fields.Boolean(
        required=True, metadata={"description": "Whether it coordinates the network"}
    )
    active = ma.fields.Boolean(required=True)
    created_at = ma.fields.DateTime(required=True)
    team_count = ma.fields.Integer(
        required=True, metadata={"description": "Its teams, archived ones left out"}
    )


OrganizationPageSchema = page_schema(OrganizationSchema, "OrganizationPage")


class OrganizationTeamSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    archived = ma.fields.Boolean(required=True)


class OrganizationDetailSchema(OrganizationSchema):
    """An organization with its teams, archived ones too."""

    teams = ma.fields.List(ma.fields.Nested(OrganizationTeamSchema), required=True)


def _item(organization: Organization, team_count: int) -> dict[str, Any]:
    return {
        "id": organization.id,
        "name": organization.name,
        "coordinating": organization.is_coordinating,
        "active": organization.active,
        "created_at": organization.created_at,
        "team_count": team_count or 0,
    }


@blueprint.route("/organizations")
@blueprint.arguments(PageArgs, location="query", as_kwargs=True)
@blueprint.response(200, OrganizationPageSchema)
@blueprint.alt_response(200, success=True, **CSV_RESPONSE)
def list_organizations(limit: int, cursor: str | None = None):
    """Your organization; for an installation's admin, every organization."""
    statement = (
        read_queries.organizations(api_user())
        .where(Organization.id > decode_cursor(cursor))
        .limit(limit + 1)
    )
    items = [_item(*row) for row in db.session.execute(statement)]
    return list_response(items, OrganizationSchema(), limit)


@blueprint.route("/organizations/<int:organization_id>")
@blueprint.response(200, OrganizationDetailSchema)
def get_organization(organization_id: int):
    """One organization with its teams; another organization than yours is a 404 (except for an
    installation's admin)."""
    user = api_user()
    organization = policy.organization_for_read(user, organization_id)
    row = db.session.execute(
        read_queries.organizations(user).where(Organization.id == organization.id)
    ).one()
    item = _item(*row)
    item["teams"] = [
        {"id": team.id, "name": team.name, "archived": team.archived}
        for team in db.session.scalars(
            select(Team).where(Team.organization_id == organization.id).order_by(Team.id)
        )
    ]
    return item
