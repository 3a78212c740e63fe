"""Kaizens: the small improvements already made, of the teams whose log you may read.

A page is one statement (the entries with their team, author and theme).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma

from lean.api import read_queries
from lean.api.api import api_user, resource_blueprint
from lean.api.paging import CSV_RESPONSE, PageArgs, decode_cursor, list_response, page_schema
from lean.api.read_fields import Day, Since
from lean.api.schemas import Id
from lean.core.extensions import db
from lean.core.i18n import current_language
from lean.models import KaizenEntry

blueprint = resource_blueprint(
    "kaizens",
    __name__,
    "Kaizens: small improvements already made, as the teams' kaizen logs list them.",
)


class KaizenSchema(ma.Schema):
    """A kaizen: how it was, how it is now, and what it brought."""

    id = ma.fields.Integer(required=True)
    organization_id = ma.fields.Integer(required=True)
    team_id = ma.fields.Integer(required=True)
    team_name = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    done_on = ma.fields.Date(required=True)
    before = ma.fields.String(required=True)
    after = ma.fields.String(required=True)
    effect = ma.fields.String(required=True)
    theme_id = ma.fields.Integer(required=True)
    theme_name = ma.fields.String(required=True, metadata={"description": "In your language"})
    hours_saved_per_month = ma.fields.Float(required=True, allow_none=True)
    author_id = ma.fields.Integer(required=True)
    author_name = ma.fields.String(required=True)
    promoted_to_id = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The improvement (card) it became, if it grew into one"},
    )
    created_at = ma.fields.DateTime(required=True, metadata={"description": "When it was logged"})
    updated_at = ma.fields.DateTime(required=True)
    version = ma.fields.Integer(required=True)


KaizenPageSchema = page_schema(KaizenSchema, "KaizenPage")


class KaizenFilters(PageArgs):
    team = Id(strict=False, metadata={"description": "Only this team's kaizens"})
    theme = Id(strict=False, metadata={"description": "Only kaizens of this theme"})
    updated_since = Since(metadata={"description": "Only kaizens changed at or after this"})
    logged_since = Since(metadata={"description": "Only kaizens logged at or after this"})
    done_from = Day(metadata={"description": "Only kaizens done on or after this day"})
    done_to = Day(metadata={"description": "Only kaizens done on or before this day"})


def _item(entry: KaizenEntry, language: str) -> dict[str, Any]:
    return {
        "id": entry.id,
        "organization_id": entry.team.organization_id,
        "team_id": entry.team_id,
        "team_name": entry.team.name,
        "title": entry.title,
        "done_on": entry.done_on,
        "before": entry.before,
        "after": entry.after,
        "effect": entry.effect,
        "theme_id": entry.theme_id,
        "theme_name": entry.theme.name_in(language),
        "hours_saved_per_month": entry.hours_saved_per_month,
        "author_id": entry.author_id,
        "author_name": entry.author.name,
        "promoted_to_id": entry.promoted_to_id,
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
        "version": entry.version,
    }


@blueprint.route("/kaizens")
@blueprint.arguments(KaizenFilters, location="query", as_kwargs=True)
@blueprint.response(200, KaizenPageSchema)
@blueprint.alt_response(200, success=True, **CSV_RESPONSE)
def list_kaizens(limit: int, cursor: str | None = None, **filters):
    """The kaizens you may read, oldest first (deleted ones left out); filter by team, theme,
    the day they were done, or when they were logged or last changed."""
    statement = (
        read_queries.kaizens(
            api_user(),
            read_queries.KaizenFilters(
                team_id=filters.get("team"),
                theme_id=filters.get("theme"),
                updated_since=filters.get("updated_since"),
                logged_since=filters.get("logged_since"),
                done_from=filters.get("done_from"),
                done_to=filters.get("done_to"),
            ),
        )
        .where(KaizenEntry.id > decode_cursor(cursor))
        .limit(limit + 1)
    )
    language = current_language()
    items = [_item(entry, language) for entry in db.session.scalars(statement).unique()]
    return list_response(items, KaizenSchema(), limit)
