"""A3 sheets: those you may read (your organization's, and those you coach from elsewhere), and
one with its eight sections.

A list page is one statement (the sheets with their card, team and coach, and their progress
counted by the database); one sheet is six (it, its progress, then what its sections list).
A peer coach from another organization sees what the sheet's page shows them: the sheet and
its card's title, not the team, and people's names only where their owners show them to the
network.
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
from lean.models import A3Sheet, Stage, User
from lean.shared import policy

blueprint = resource_blueprint(
    "a3-sheets",
    __name__,
    "A3 sheets: problem solving on one page, with their progress and their eight sections.",
)

STAGES = [stage.value for stage in Stage]


class A3SheetSchema(ma.Schema):
    """An A3 sheet and how far it has come."""

    id = ma.fields.Integer(required=True)
    url = ma.fields.String(required=True, metadata={"description": "The sheet's page"})
    title = ma.fields.String(required=True)
    improvement_id = ma.fields.Integer(required=True, metadata={"description": "Its card"})
    improvement_title = ma.fields.String(required=True)
    stage = ma.fields.String(required=True, metadata={"description": "Its card's stage"})
    organization_id = ma.fields.Integer(required=True)
    organization_name = ma.fields.String(required=True)
    team_id = ma.fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "null for a coach from another organization"},
    )
    team_name = ma.fields.String(required=True, allow_none=True)
    coach_name = ma.fields.String(required=True, allow_none=True)
    started_at = ma.fields.DateTime(required=True)
    revised_at = ma.fields.DateTime(required=True)
    sections_filled = ma.fields.Integer(required=True)
    sections_total = ma.fields.Integer(required=True)
    actions_done = ma.fields.Integer(required=True)
    actions_total = ma.fields.Integer(required=True)
    open_comments = ma.fields.Integer(required=True)


A3SheetPageSchema = page_schema(A3SheetSchema, "A3SheetPage")


class CauseSchema(ma.Schema):
    category = ma.fields.String(
        required=True, metadata={"description": "people, methods, equipment, materials, …"}
    )
    text = ma.fields.String(required=True)


class CountermeasureSchema(ma.Schema):
    option = ma.fields.String(required=True)
    pros = ma.fields.String(required=True)
    cons = ma.fields.String(required=True)
    chosen = ma.fields.Boolean(required=True)


class ActionSchema(ma.Schema):
    what = ma.fields.String(required=True)
    who_name = ma.fields.String(required=True, allow_none=True)
    due_on = ma.fields.Date(required=True, allow_none=True)
    done = ma.fields.Boolean(required=True)


class GoalSchema(ma.Schema):
    target_condition = ma.fields.String(required=True)
    measure = ma.fields.String(required=True)
    unit = ma.fields.String(required=True)
    baseline = ma.fields.Float(required=True, allow_none=True)
    target = ma.fields.Float(required=True, allow_none=True)
    target_date = ma.fields.Date(required=True, allow_none=True)


class RootCauseSchema(ma.Schema):
    whys = ma.fields.List(ma.fields.String(), required=True)
    causes = ma.fields.List(ma.fields.Nested(CauseSchema), required=True)


class EffectSchema(ma.Schema):
    planned = ma.fields.Float(required=True, allow_none=True)
    planned_on = ma.fields.Date(required=True, allow_none=True)
    actual = ma.fields.Float(required=True, allow_none=True)
    actual_on = ma.fields.Date(required=True, allow_none=True)
    target_reached = ma.fields.Boolean(required=True, allow_none=True)
    note = ma.fields.String(required=True)


class FollowUpSchema(ma.Schema):
    standard = ma.fields.String(required=True)
    learned = ma.fields.String(required=True)
    applies_elsewhere = ma.fields.String(required=True)


class SectionsSchema(ma.Schema):
    """The eight sections, in their order on paper."""

    background = ma.fields.String(required=True)
    current_condition = ma.fields.String(required=True)
    goal = ma.fields.Nested(GoalSchema, required=True)
    root_cause = ma.fields.Nested(RootCauseSchema, required=True)
    countermeasures = ma.fields.List(ma.fields.Nested(CountermeasureSchema), required=True)
    plan = ma.fields.List(ma.fields.Nested(ActionSchema), required=True)
    effect = ma.fields.Nested(EffectSchema, required=True)
    follow_up = ma.fields.Nested(FollowUpSchema, required=True)


class A3SheetDetailSchema(A3SheetSchema):
    """An A3 sheet with its sections."""

    sections = ma.fields.Nested(SectionsSchema, required=True)


class A3Filters(PageArgs):
    team = Id(strict=False, metadata={"description": "Only the sheets of this team's cards"})
    stage = ma.fields.String(
        validate=ma.validate.OneOf(STAGES), metadata={"description": "Only cards in this stage"}
    )
    revised_since = Since(metadata={"description": "Only sheets revised at or after this"})


def _item(user: User, sheet: A3Sheet, progress: tuple[int, ...]) -> dict[str, Any]:
    improvement = sheet.improvement
    team = improvement.team
    reads_team = policy.can_read_team(user, team)
    filled, actions_done, actions_total, open_comments = progress
    return {
        "id": sheet.id,
        "url": url_for("a3.sheet", improvement_id=sheet.improvement_id, _external=True),
        "title": sheet.title,
        "improvement_id": sheet.improvement_id,
        "improvement_title": improvement.title,
        "stage": improvement.stage,
        "organization_id": team.organization_id,
        "organization_name": team.organization.name,
        "team_id": team.id if reads_team else None,
        "team_name": team.name if reads_team else None,
        # The coach is named on the sheet's header for everyone who reads it.
        "coach_name": sheet.coach.name if sheet.coach is not None else None,
        "started_at": sheet.started_at,
        "revised_at": sheet.revised_at,
        "sections_filled": filled or 0,
        "sections_total": read_queries.SECTION_COUNT,
        "actions_done": actions_done or 0,
        "actions_total": actions_total or 0,
        "open_comments": open_comments or 0,
    }


@blueprint.route("/a3-sheets")
@blueprint.arguments(A3Filters, location="query", as_kwargs=True)
@blueprint.response(200, A3SheetPageSchema)
@blueprint.alt_response(200, success=True, **CSV_RESPONSE)
def list_a3_sheets(limit: int, cursor: str | None = None, **filters):
    """The A3 sheets you may read, oldest first: your organization's, and those you coach."""
    user = api_user()
    statement = (
        read_queries.a3_sheets(
            user,
            read_queries.A3Filters(
                team_id=filters.get("team"),
                stage=filters.get("stage"),
                revised_since=filters.get("revised_since"),
            ),
        )
        .where(A3Sheet.id > decode_cursor(cursor))
        .limit(limit + 1)
    )
    items = [_item(user, row[0], tuple(row[1:5])) for row in db.session.execute(statement)]
    return list_response(items, A3SheetSchema(), limit)


def _number(value) -> float | None:
    return None if value is None else float(value)


def _person(user: User, sheet: A3Sheet, person: User | None) -> str | None:
    """A person as the sheet's page names them to this reader (lean/a3/views.py)."""
    if person is None:
        return None
    known = policy.sees_names_of(user, person.organization_id) or person.id == sheet.coach_id
    return policy.display_name(
        person.name, person.show_name_to_network, person.organization.name, same_organization=known
    )


@blueprint.route("/a3-sheets/<int:sheet_id>")
@blueprint.response(200, A3SheetDetailSchema)
def get_a3_sheet(sheet_id: int):
    """One A3 sheet with its eight sections; one you may not read is a 404."""
    user = api_user()
    sheet, content, progress = read_queries.a3_sheet(user, sheet_id)
    item = _item(user, sheet, progress)
    item["sections"] = {
        "background": sheet.background,
        "current_condition": sheet.current_condition,
        "goal": {
            "target_condition": sheet.target_condition,
            "measure": sheet.measure,
            "unit": sheet.unit,
            "baseline": _number(sheet.baseline),
            "target": _number(sheet.target),
            "target_date": sheet.target_date,
        },
        "root_cause": {
            "whys": [why.text for why in content.whys],
            "causes": [{"category": c.category, "text": c.text} for c in content.causes],
        },
        "countermeasures": [
            {"option": c.option, "pros": c.pros, "cons": c.cons, "chosen": c.chosen}
            for c in content.countermeasures
        ],
        "plan": [
            {
                "what": action.what,
                "who_name": _person(user, sheet, action.who),
                "due_on": action.due_on,
                "done": action.done,
            }
            for action in content.actions
        ],
        "effect": {
            "planned": _number(sheet.effect_planned),
            "planned_on": sheet.effect_planned_on,
            "actual": _number(sheet.effect_actual),
            "actual_on": sheet.effect_actual_on,
            "target_reached": sheet.target_reached,
            "note": sheet.effect_note,
        },
        "follow_up": {
            "standard": sheet.standard,
            "learned": sheet.learned,
            "applies_elsewhere": sheet.applies_elsewhere,
        },
    }
    return item
