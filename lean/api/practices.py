"""Practices: what the network's organizations published for each other, as the network's
library shows it to you — only what was published crosses, and its publisher's name only when
they show it to the network.

A page is one statement (the practices with their organization, theme, focus area, publisher,
and their adoptions and comments counted by the database).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import url_for

from lean.api import read_queries
from lean.api.api import api_user, resource_blueprint
from lean.api.paging import CSV_RESPONSE, PageArgs, decode_cursor, list_response, page_schema
from lean.api.read_fields import Since
from lean.api.schemas import Id
from lean.core.extensions import db
from lean.core.i18n import current_language
from lean.models import Practice, PracticeKind, User
from lean.shared import policy

blueprint = resource_blueprint(
    "practices",
    __name__,
    "Practices: what the network's organizations published for each other to learn from.",
)

KINDS = [kind.value for kind in PracticeKind]


class PracticeSchema(ma.Schema):
    """A published practice: a snapshot of the parts of a card, A3 or kaizen its publisher
    chose to share."""

    id = ma.fields.Integer(required=True)
    url = ma.fields.String(required=True, metadata={"description": "The practice's page"})
    organization_id = ma.fields.Integer(required=True)
    organization_name = ma.fields.String(required=True)
    kind = ma.fields.String(required=True, validate=ma.validate.OneOf(KINDS))
    title = ma.fields.String(required=True)
    summary = ma.fields.String(required=True)
    learnings = ma.fields.String(required=True)
    content = ma.fields.Dict(
        required=True,
        metadata={"description": "The shared parts: approach, result, impact, a3 (each optional)"},
    )
    theme_id = ma.fields.Integer(required=True)
    theme_name = ma.fields.String(required=True, metadata={"description": "In your language"})
    focus_area_id = ma.fields.Integer(required=True, allow_none=True)
    focus_area_name = ma.fields.String(required=True, allow_none=True)
    published_by = ma.fields.String(
        required=True,
        metadata={"description": "The publisher's name, or their organization's when not shown"},
    )
    published_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)
    withdrawn_at = ma.fields.DateTime(required=True, allow_none=True)
    origin_practice_id = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The practice this one's work was adopted from"},
    )
    adoptions = ma.fields.Integer(required=True)
    comments = ma.fields.Integer(required=True)


PracticePageSchema = page_schema(PracticeSchema, "PracticePage")


class PracticeFilters(PageArgs):
    organization = Id(strict=False, metadata={"description": "Only this organization's practices"})
    theme = Id(strict=False, metadata={"description": "Only practices of this theme"})
    kind = ma.fields.String(validate=ma.validate.OneOf(KINDS))
    updated_since = Since(metadata={"description": "Only practices updated at or after this"})
    withdrawn = ma.fields.Boolean(
        load_default=False,
        metadata={"description": "The withdrawn practices you may still read, instead"},
    )


def _item(user: User, practice: Practice, adoptions: int, comments: int, language: str):
    publisher = practice.published_by
    item: dict[str, Any] = {
        "id": practice.id,
        "url": url_for("network.practice", practice_id=practice.id, _external=True),
        "organization_id": practice.organization_id,
        "organization_name": practice.organization.name,
        "kind": practice.kind,
        "title": practice.title,
        "summary": practice.summary,
        "learnings": practice.learnings,
        "content": practice.content or {},
        "theme_id": practice.theme_id,
        "theme_name": practice.theme.name_in(language),
        "focus_area_id": practice.focus_area_id,
        "focus_area_name": practice.focus_area.name_in(language) if practice.focus_area else None,
        # As the practice's page names its publisher (lean/network/views.py).
        "published_by": policy.display_name(
            publisher.name,
            publisher.show_name_to_network,
            practice.organization.name,
            practice.organization_id == user.organization_id,
        ),
        "published_at": practice.published_at,
        "updated_at": practice.updated_at,
        "withdrawn_at": practice.withdrawn_at,
        "origin_practice_id": practice.origin_practice_id,
        "adoptions": adoptions or 0,
        "comments": comments or 0,
    }
    return item


@blueprint.route("/practices")
@blueprint.arguments(PracticeFilters, location="query", as_kwargs=True)
@blueprint.response(200, PracticePageSchema)
@blueprint.alt_response(200, success=True, **CSV_RESPONSE)
def list_practices(limit: int, withdrawn: bool, cursor: str | None = None, **filters):
    """The network's published practices, oldest first, as its library shows them; with
    withdrawn=true, the withdrawn ones you may still read (your organization's)."""
    user = api_user()
    statement = (
        read_queries.practices(
            user,
            read_queries.PracticeFilters(
                organization_id=filters.get("organization"),
                theme_id=filters.get("theme"),
                kind=filters.get("kind"),
                updated_since=filters.get("updated_since"),
                withdrawn=withdrawn,
            ),
        )
        .where(Practice.id > decode_cursor(cursor))
        .limit(limit + 1)
    )
    language = current_language()
    items = [
        _item(user, practice, adoptions, comments, language)
        for practice, adoptions, comments in db.session.execute(statement)
    ]
    return list_response(items, PracticeSchema(), limit)
