"""Improvements (the board's cards): list, read, create, edit, move and comment.

Reads are one statement per page (the cards with their team, theme, owner and checklist
counts as columns); writes go through the boards' and the conversation's services, so they
record the same events and keep the same rules as the pages: the card form's version check
(a stale `version` is a 409 with yours and the current card), the work-in-progress limits (a
hard limit refuses the move; a soft one needs `over_limit_reason`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import marshmallow as ma
from flask import url_for
from flask_babel import gettext as _
from sqlalchemy import Select, select

from lean.api.api import api_user, resource_blueprint
from lean.api.paging import CSV_RESPONSE, PageArgs, decode_cursor, list_response, page_schema
from lean.api.problems import ApiProblem
from lean.api.read_fields import Day
from lean.api.schemas import Id, Moment, Text
from lean.boards import queries as board_queries
from lean.boards import services as board_services
from lean.conversation import services as conversation_services
from lean.core.extensions import db
from lean.core.i18n import current_language
from lean.models import Improvement, Stage, Team, Theme, User
from lean.models.user import shown_name
from lean.shared import policy
from lean.shared.conflicts import EditConflict
from lean.shared.lookups import active_themes, team_members

blueprint = resource_blueprint(
    "improvements",
    __name__,
    "Improvements: the cards of the teams' PDCA boards, with checklist counts and stage times.",
)

STAGES = [stage.value for stage in Stage]


# ---- schemas -----------------------------------------------------------------------------


class ImprovementSchema(ma.Schema):
    """An improvement (a card on a team's board)."""

    id = ma.fields.Integer(required=True)
    url = ma.fields.String(required=True, metadata={"description": "The card's page"})
    organization_id = ma.fields.Integer(required=True)
    team_id = ma.fields.Integer(required=True)
    team_name = ma.fields.String(required=True)
    title = ma.fields.String(required=True)
    problem = ma.fields.String(required=True)
    stage = ma.fields.String(required=True, validate=ma.validate.OneOf(STAGES))
    position = ma.fields.Integer(required=True, metadata={"description": "Place in its column"})
    theme_id = ma.fields.Integer(required=True)
    theme_name = ma.fields.String(required=True, metadata={"description": "In your language"})
    focus_area_id = ma.fields.Integer(required=True, allow_none=True)
    owner_id = ma.fields.Integer(required=True, allow_none=True)
    owner_name = ma.fields.String(required=True, allow_none=True)
    due_date = ma.fields.Date(required=True, allow_none=True)
    blocked = ma.fields.Boolean(required=True)
    blocked_reason = ma.fields.String(required=True)
    expected_effect = ma.fields.String(required=True)
    what_was_tried = ma.fields.String(required=True)
    measured_result = ma.fields.String(required=True)
    standard = ma.fields.String(required=True)
    hours_saved_per_month = ma.fields.Float(required=True, allow_none=True)
    money_saved_per_year = ma.fields.Float(required=True, allow_none=True)
    quality_change = ma.fields.String(required=True)
    archived = ma.fields.Boolean(required=True)
    checklist_done = ma.fields.Integer(required=True)
    checklist_total = ma.fields.Integer(required=True)
    created_at = ma.fields.DateTime(required=True)
    updated_at = ma.fields.DateTime(required=True)
    stage_entered_at = ma.fields.DateTime(
        required=True, metadata={"description": "When it entered the stage it stands in"}
    )
    first_started_at = ma.fields.DateTime(
        required=True,
        allow_none=True,
        metadata={"description": "Its first entry into Plan or later (cycle time starts)"},
    )
    completed_at = ma.fields.DateTime(
        required=True, allow_none=True, metadata={"description": "Its arrival in Done"}
    )
    days_in_stage = ma.fields.Integer(required=True)
    version = ma.fields.Integer(
        required=True, metadata={"description": "Send it back with an edit (PATCH)"}
    )


ImprovementPageSchema = page_schema(ImprovementSchema, "ImprovementPage")


class ImprovementFilters(PageArgs):
    team = Id(strict=False, metadata={"description": "Only this team's cards"})
    stage = ma.fields.String(validate=ma.validate.OneOf(STAGES))
    theme = Id(strict=False, metadata={"description": "Only cards of this theme"})
    updated_since = Moment(metadata={"description": "Only cards changed at or after this"})
    archived = ma.fields.Boolean(
        load_default=False, metadata={"description": "Archived cards instead of the board's"}
    )


class NewImprovementSchema(ma.Schema):
    team_id = Id(required=True)
    title = Text(required=True, max_length=200, required_text=True)
    theme_id = Id(required=True)
    problem = Text(max_length=5000, load_default="")
    owner_id = Id(
        allow_none=True, metadata={"description": "A member of the team; you if left out"}
    )
    due_date = Day(allow_none=True)


class ImprovementChangesSchema(ma.Schema):
    version = ma.fields.Integer(
        required=True,
        strict=True,
        metadata={"description": "The version you read; a stale one is a 409 conflict"},
    )
    title = Text(max_length=200, required_text=True)
    problem = Text(max_length=5000)
    theme_id = Id()
    focus_area_id = Id(allow_none=True)
    owner_id = Id(allow_none=True)
    due_date = Day(allow_none=True)
    blocked = ma.fields.Boolean()
    blocked_reason = Text(max_length=500)
    expected_effect = Text(max_length=5000)
    what_was_tried = Text(max_length=5000)
    measured_result = Text(max_length=5000)
    standard = Text(max_length=5000)
    hours_saved_per_month = ma.fields.Float(
        allow_none=True,
        validate=ma.validate.Range(min=0, max=100000),
        metadata={"description": "Kept to one decimal"},
    )
    money_saved_per_year = ma.fields.Float(
        allow_none=True,
        validate=ma.validate.Range(min=0, max=1e9),
        metadata={"description": "Euros, kept to the cent"},
    )
    quality_change = Text(max_length=500)


class MoveSchema(ma.Schema):
    stage = ma.fields.String(required=True, validate=ma.validate.OneOf(STAGES))
    over_limit_reason = Text(
        max_length=500,
        metadata={"description": "Why the card goes over its column's (soft) limit"},
    )


class CommentSchema(ma.Schema):
    body = Text(
        required=True,
        max_length=5000,
        required_text=True,
        metadata={
            "description": "Plain text; '@Full Name' of a person of the organization mentions them"
        },
    )


class CommentOutSchema(ma.Schema):
    id = ma.fields.Integer(required=True)
    improvement_id = ma.fields.Integer(required=True)
    author_id = ma.fields.Integer(required=True, allow_none=True)
    body = ma.fields.String(required=True)
    created_at = ma.fields.DateTime(required=True)


# ---- reads -------------------------------------------------------------------------------


def _statement(user: User) -> Select:
    """The cards the user may read, with what a row of the list shows, in one statement."""
    return (
        select(
            Improvement,
            Team.name,
            Team.organization_id,
            Theme.name_fi,
            Theme.name_sv,
            Theme.name_en,
            User.stored_name,
            User.anonymised,
            *board_queries.checklist_counts(),
        )
        .join(Team, Team.id == Improvement.team_id)
        .join(Theme, Theme.id == Improvement.theme_id)
        .outerjoin(User, User.id == Improvement.owner_id)
        .where(policy.readable_teams(user, Improvement.team_id))
    )


def _item(row, language: str, now: datetime) -> dict[str, Any]:
    card: Improvement = row[0]
    team_name, organization_id, name_fi, name_sv, name_en, owner_stored, owner_anonymised = row[1:8]
    names = {"fi": name_fi, "sv": name_sv, "en": name_en}
    item = {name: getattr(card, name) for name in _CARD_FIELDS}
    entered = card.stage_entered_at or card.created_at
    item.update(
        url=url_for("boards.detail", improvement_id=card.id, _external=True),
        organization_id=organization_id,
        team_name=team_name,
        theme_name=names.get(language) or name_en,
        owner_name=None
        if card.owner_id is None
        else shown_name(card.owner_id, owner_stored, owner_anonymised),
        checklist_done=row.checklist_done,
        checklist_total=row.checklist_total,
        days_in_stage=max(0, (now - entered).days),
    )
    return item


# The fields of the list's items read from the card itself; the others come with it.
_CARD_FIELDS = tuple(name for name in ImprovementSchema().fields if hasattr(Improvement, name))


def _items(statement: Select) -> list[dict[str, Any]]:
    language, now = current_language(), datetime.now(UTC)
    return [_item(row, language, now) for row in db.session.execute(statement)]


def _one(improvement_id: int) -> dict[str, Any]:
    return _items(_statement(api_user()).where(Improvement.id == improvement_id))[0]


@blueprint.route("/improvements")
@blueprint.arguments(ImprovementFilters, location="query", as_kwargs=True)
@blueprint.response(200, ImprovementPageSchema)
@blueprint.alt_response(200, success=True, **CSV_RESPONSE)
def list_improvements(limit: int, archived: bool, **filters):
    """The cards you may read

    Oldest first; filter by team, stage, theme or last change. Each has its checklist counts
    and stage times."""
    user = api_user()
    statement = _statement(user).where(
        Improvement.id > decode_cursor(filters.get("cursor")),
        Improvement.archived.is_(archived),
    )
    if filters.get("team"):
        statement = statement.where(Improvement.team_id == filters["team"])
    if filters.get("stage"):
        statement = statement.where(Improvement.stage == filters["stage"])
    if filters.get("theme"):
        statement = statement.where(Improvement.theme_id == filters["theme"])
    if filters.get("updated_since"):
        statement = statement.where(Improvement.updated_at >= filters["updated_since"])
    items = _items(statement.order_by(Improvement.id).limit(limit + 1))
    return list_response(items, ImprovementSchema(), limit)


@blueprint.route("/improvements/<int:improvement_id>")
@blueprint.response(200, ImprovementSchema)
def get_improvement(improvement_id: int):
    """One card"""
    improvement = policy.improvement_for_read(api_user(), improvement_id)
    return _one(improvement.id)


# ---- writes ------------------------------------------------------------------------------


def _field_problem(field: str, message: str) -> ApiProblem:
    return ApiProblem(422, errors={field: [message]})


def _theme(theme_id: int) -> Theme:
    theme = next((theme for theme in active_themes() if theme.id == theme_id), None)
    if theme is None:
        raise _field_problem("theme_id", _("Not an active theme."))
    return theme


def _owner(team_id: int, owner_id: int) -> User:
    owner = next((user for user in team_members(team_id) if user.id == owner_id), None)
    if owner is None:
        raise _field_problem("owner_id", _("Not a member of the team."))
    return owner


@blueprint.route("/improvements", methods=["POST"])
@blueprint.arguments(NewImprovementSchema)
@blueprint.response(201, ImprovementSchema)
def create_improvement(data: dict):
    """Add a card

    A new card at the end of its team's Idea column, as the board's quick add makes it."""
    user = api_user()
    team = policy.team_for_write(user, data["team_id"])
    fields: dict[str, Any] = {}
    if data.get("owner_id"):
        fields["owner"] = _owner(team.id, data["owner_id"])
    if data.get("due_date"):
        fields["due_date"] = data["due_date"]
    improvement = board_services.create_improvement(
        user,
        team,
        title=data["title"].strip(),
        theme=_theme(data["theme_id"]),
        problem=data.get("problem", ""),
        **fields,
    )
    location = url_for("improvements.get_improvement", improvement_id=improvement.id)
    return _one(improvement.id), 201, {"Location": location}


def _changes(improvement: Improvement, data: dict) -> dict[str, Any]:
    """The sent fields as the card form would save them, checked as the form checks them."""
    changes = {name: value for name, value in data.items() if name != "version"}
    for name, places in (("hours_saved_per_month", "0.1"), ("money_saved_per_year", "0.01")):
        if changes.get(name) is not None:
            changes[name] = Decimal(str(changes[name])).quantize(Decimal(places))
    if "title" in changes:
        changes["title"] = changes["title"].strip()
        if not changes["title"]:
            raise _field_problem("title", _("This field is required."))
    if "theme_id" in changes:
        changes["theme_id"] = _theme(changes["theme_id"]).id
    if changes.get("owner_id"):
        _owner(improvement.team_id, changes["owner_id"])
    blocked = changes.get("blocked", improvement.blocked)
    reason = changes.get("blocked_reason", improvement.blocked_reason if blocked else "")
    if blocked and not (reason or "").strip():
        raise _field_problem("blocked_reason", _("Say why the card is blocked."))
    if "blocked" in changes and not blocked:
        changes["blocked_reason"] = ""
    elif "blocked_reason" in changes:
        changes["blocked_reason"] = reason.strip()
    focus = changes.get("focus_area_id", improvement.focus_area_id)
    if focus:
        theme_id = changes.get("theme_id", improvement.theme_id)
        theme = next((theme for theme in active_themes() if theme.id == theme_id), None)
        if theme is None or focus not in {area.id for area in theme.focus_areas}:
            raise _field_problem("focus_area_id", _("Choose a focus area of the chosen theme."))
    return changes


@blueprint.route("/improvements/<int:improvement_id>", methods=["PATCH"])
@blueprint.arguments(ImprovementChangesSchema)
@blueprint.response(200, ImprovementSchema)
def edit_improvement(data: dict, improvement_id: int):
    """Edit a card

    Change some of its fields. Send the `version` you read: when someone saved the card since,
    nothing is saved and the answer is a 409 with your fields (`yours`) and the card as saved
    (`current`)."""
    user = api_user()
    improvement = policy.improvement_for_write(user, improvement_id)
    changes = _changes(improvement, data)
    try:
        board_services.update_improvement(user, improvement, data["version"], changes)
    except EditConflict as conflict:
        raise ApiProblem(
            409,
            _("Someone else saved this card after the version you sent. Nothing was saved."),
            kind="edit-conflict",
            members={
                "yours": ImprovementChangesSchema().dump(data),
                "current": ImprovementSchema().dump(_one(conflict.current.id)),
            },
        ) from None
    return _one(improvement.id)


@blueprint.route("/improvements/<int:improvement_id>/move", methods=["POST"])
@blueprint.arguments(MoveSchema)
@blueprint.response(200, ImprovementSchema)
def move_improvement(data: dict, improvement_id: int):
    """Move a card to another stage

    To the end of the stage's column. Into a column at its limit: refused under a hard limit
    (409), and needing `over_limit_reason` under a soft one (422)."""
    user = api_user()
    improvement = policy.improvement_for_write(user, improvement_id)
    try:
        board_services.move_improvement(
            user, improvement, Stage(data["stage"]), data.get("over_limit_reason")
        )
    except board_services.WipLimitReached as reached:
        members = {"stage": reached.stage.value, "limit": reached.limit, "hard": reached.hard}
        if reached.hard:
            raise ApiProblem(409, reached.message, kind="wip-limit", members=members) from None
        raise ApiProblem(
            422,
            reached.message,
            kind="wip-limit",
            errors={"over_limit_reason": [reached.message]},
            members=members,
        ) from None
    except EditConflict:
        raise ApiProblem(409, kind="edit-conflict") from None
    return _one(improvement.id)


@blueprint.route("/improvements/<int:improvement_id>/comments", methods=["POST"])
@blueprint.arguments(CommentSchema)
@blueprint.response(201, CommentOutSchema)
def comment_improvement(data: dict, improvement_id: int):
    """Comment on a card

    Its owner and followers are told as of a comment on its page."""
    user = api_user()
    improvement = policy.improvement_for_comment(user, improvement_id)
    try:
        comment = conversation_services.comment_mentioning(user, improvement, data["body"], [])
    except (conversation_services.MentionRefused, conversation_services.MentionIncomplete) as no:
        raise ApiProblem(422, no.message(), errors={"body": [no.message()]}) from None
    return {
        "id": comment.id,
        "improvement_id": improvement.id,
        "author_id": user.id,
        "body": comment.body,
        "created_at": comment.created_at,
    }, 201
