"""The dashboard's metrics for a period: the key figures, each team's row, the throughput per
month and theme, the cycle-time distribution and the longest-ageing cards.

The same figures as the coordinator dashboard, for the same people (its coordinators, and an
installation's admins for any organization), computed by lean/shared/metrics.py: aggregates in
the database, eight statements whatever the data size. As CSV, the teams' rows.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import marshmallow as ma
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from lean.api.api import api_user, resource_blueprint
from lean.api.paging import CSV_MEDIA_TYPE, wants_csv
from lean.api.problems import ApiProblem
from lean.api.read_fields import Day
from lean.api.schemas import Id
from lean.core.extensions import db
from lean.core.i18n import current_language
from lean.models import Theme
from lean.models.base import utcnow
from lean.shared import metrics, policy
from lean.shared.spreadsheets import as_csv

blueprint = resource_blueprint(
    "metrics",
    __name__,
    "Metrics: the organization dashboard's figures for a period.",
)

# The dashboard's longest period (lean/dashboard/forms.py).
LONGEST_PERIOD_DAYS = 5 * 366
STAGE_NAMES = ("idea", "plan", "do", "check", "act")


class FiguresSchema(ma.Schema):
    in_progress = ma.fields.Integer(required=True, metadata={"description": "Cards in PDCA now"})
    completed = ma.fields.Integer(required=True, metadata={"description": "Done in the period"})
    median_cycle_days = ma.fields.Float(required=True, allow_none=True)
    median_lead_days = ma.fields.Float(required=True, allow_none=True)
    kaizens = ma.fields.Integer(required=True)
    hours_saved_per_month = ma.fields.Float(
        required=True, metadata={"description": "Of the cards completed and kaizens done"}
    )
    open_escalations = ma.fields.Integer(required=True)
    rhythm_broken = ma.fields.Integer(
        required=True, metadata={"description": "Teams whose stand-up rhythm is broken"}
    )


class TeamRowSchema(ma.Schema):
    """A team's row of the dashboard (also the CSV's row)."""

    team_id = ma.fields.Integer(required=True)
    team_name = ma.fields.String(required=True)
    archived = ma.fields.Boolean(required=True)
    idea = ma.fields.Integer(required=True)
    plan = ma.fields.Integer(required=True)
    do = ma.fields.Integer(required=True)
    check = ma.fields.Integer(required=True)
    act = ma.fields.Integer(required=True)
    in_progress = ma.fields.Integer(required=True)
    blocked = ma.fields.Integer(required=True)
    overdue = ma.fields.Integer(required=True)
    completed = ma.fields.Integer(required=True)
    kaizens = ma.fields.Integer(required=True)
    last_standup_at = ma.fields.DateTime(required=True, allow_none=True)
    open_escalations = ma.fields.Integer(required=True)
    rhythm_kept = ma.fields.Boolean(required=True, allow_none=True)
    plan_days_over_limit = ma.fields.Integer(required=True)
    do_days_over_limit = ma.fields.Integer(required=True)
    check_days_over_limit = ma.fields.Integer(required=True)
    act_days_over_limit = ma.fields.Integer(required=True)


class ThroughputSchema(ma.Schema):
    month = ma.fields.Date(required=True, metadata={"description": "The month's first day"})
    theme_id = ma.fields.Integer(required=True)
    theme_name = ma.fields.String(required=True)
    completed = ma.fields.Integer(required=True)


class CycleBinSchema(ma.Schema):
    up_to_days = ma.fields.Integer(
        required=True, allow_none=True, metadata={"description": "null: the open last bin"}
    )
    cards = ma.fields.Integer(required=True)


class ThemeSplitSchema(ma.Schema):
    theme_id = ma.fields.Integer(required=True)
    theme_name = ma.fields.String(required=True)
    in_progress = ma.fields.Integer(required=True)
    completed = ma.fields.Integer(required=True)
    kaizens = ma.fields.Integer(required=True)


class AgeingSchema(ma.Schema):
    improvement_id = ma.fields.Integer(required=True)
    title = ma.fields.String(required=True)
    team_id = ma.fields.Integer(required=True)
    team_name = ma.fields.String(required=True)
    stage = ma.fields.String(required=True)
    entered_at = ma.fields.DateTime(required=True)
    days_in_stage = ma.fields.Integer(required=True)
    limit_days = ma.fields.Integer(required=True)


class MetricsSchema(ma.Schema):
    """An organization's figures for a period (completions, kaizens and hours saved follow the
    period; work in progress and open escalations are as they stand now)."""

    organization_id = ma.fields.Integer(required=True)
    organization_name = ma.fields.String(required=True)
    start = ma.fields.Date(required=True)
    end = ma.fields.Date(required=True)
    computed_at = ma.fields.DateTime(required=True)
    theme_id = ma.fields.Integer(required=True, allow_none=True)
    team_ids = ma.fields.List(ma.fields.Integer(), required=True)
    figures = ma.fields.Nested(FiguresSchema, required=True)
    teams = ma.fields.List(ma.fields.Nested(TeamRowSchema), required=True)
    throughput = ma.fields.List(ma.fields.Nested(ThroughputSchema), required=True)
    cycle_distribution = ma.fields.List(ma.fields.Nested(CycleBinSchema), required=True)
    themes = ma.fields.List(ma.fields.Nested(ThemeSplitSchema), required=True)
    ageing = ma.fields.List(ma.fields.Nested(AgeingSchema), required=True)


class MetricsArgs(ma.Schema):
    organization = Id(
        strict=False,
        metadata={"description": "An installation's admin chooses any; others get their own"},
    )
    start = Day(metadata={"description": "The period's first day; the end's month by default"})
    end = Day(metadata={"description": "The period's last day (inclusive); today by default"})
    team = ma.fields.List(
        Id(strict=False),
        metadata={"description": "Only these teams (repeat the parameter); all by default"},
    )
    theme = Id(strict=False, metadata={"description": "Only cards and kaizens of this theme"})


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _team_row(row: metrics.TeamRow) -> dict[str, Any]:
    item: dict[str, Any] = {
        "team_id": row.team.id,
        "team_name": row.team.name,
        "archived": row.team.archived,
        **{stage: row.stages[stage] for stage in STAGE_NAMES},
        "in_progress": row.in_progress,
        "blocked": row.blocked,
        "overdue": row.overdue,
        "completed": row.completed,
        "kaizens": row.kaizens,
        "last_standup_at": row.last_standup_at,
        "open_escalations": row.open_escalations,
        "rhythm_kept": row.rhythm_kept,
    }
    for stage in metrics.IN_PROGRESS:
        item[f"{stage}_days_over_limit"] = row.over_limit_days.get(stage, 0)
    return item


@blueprint.route("/metrics")
@blueprint.arguments(MetricsArgs, location="query", as_kwargs=True)
@blueprint.response(200, MetricsSchema)
@blueprint.alt_response(
    200,
    success=True,
    content_type=CSV_MEDIA_TYPE,
    description="The teams' rows as CSV: a row of field names, then a row per team",
    schema={"type": "string"},
)
def get_metrics(**args):
    """The organization dashboard's figures for a period: for its coordinators, and for an
    installation's admins (any organization); others get a 403."""
    user = api_user()
    organization = policy.dashboard_organization(user, args.get("organization"))
    zone, now = _zone(), utcnow()
    end = args.get("end") or now.astimezone(zone).date()
    start = args.get("start") or end.replace(day=1)
    if end < start:
        raise ApiProblem(422, errors={"end": [_("The last day comes before the first.")]})
    if end - start > timedelta(LONGEST_PERIOD_DAYS):
        raise ApiProblem(422, errors={"end": [_("Choose a period of at most five years.")]})
    themes = {theme.id: theme for theme in db.session.scalars(select(Theme))}
    theme_id = args.get("theme")
    if theme_id is not None and theme_id not in themes:
        raise ApiProblem(422, errors={"theme": [_("Not a theme.")]})
    teams = metrics.organization_teams(organization.id, theme_id)
    scope = metrics.Scope(
        team_ids=policy.dashboard_team_ids(
            [facts.team.id for facts in teams], args.get("team") or []
        ),
        start=start,
        end=end,
        zone=zone,
        now=now,
        theme_id=theme_id,
    )
    dashboard = metrics.dashboard(scope, teams)
    rows = [_team_row(row) for row in dashboard.teams]
    if wants_csv():
        fields = list(TeamRowSchema().fields)
        dumped = TeamRowSchema().dump(rows, many=True)
        return current_app.response_class(
            as_csv(fields, ([item.get(name) for name in fields] for item in dumped)),
            content_type="text/csv; charset=utf-8",
        )
    language = current_language()

    def theme_name(theme_id: int) -> str:
        theme = themes.get(theme_id)
        return theme.name_in(language) if theme is not None else ""

    figures = dashboard.figures
    return {
        "organization_id": organization.id,
        "organization_name": organization.name,
        "start": start,
        "end": end,
        "computed_at": now,
        "theme_id": theme_id,
        "team_ids": list(scope.team_ids),
        "figures": {
            "in_progress": figures.in_progress,
            "completed": figures.completed,
            "median_cycle_days": figures.median_cycle_days,
            "median_lead_days": figures.median_lead_days,
            "kaizens": figures.kaizens,
            "hours_saved_per_month": float(figures.hours_saved),
            "open_escalations": figures.open_escalations,
            "rhythm_broken": figures.rhythm_broken,
        },
        "teams": rows,
        "throughput": [
            {
                "month": month,
                "theme_id": theme_id,
                "theme_name": theme_name(theme_id),
                "completed": counts[index],
            }
            for theme_id, counts in sorted(dashboard.throughput.items())
            for index, month in enumerate(dashboard.months)
        ],
        "cycle_distribution": [
            {"up_to_days": bound, "cards": cards} for bound, cards in dashboard.cycle_distribution
        ],
        "themes": [
            {
                "theme_id": theme_id,
                "theme_name": theme_name(theme_id),
                "in_progress": active,
                "completed": completed,
                "kaizens": kaizens,
            }
            for theme_id, (active, completed, kaizens) in sorted(dashboard.themes.items())
        ],
        "ageing": [
            {
                "improvement_id": card.improvement_id,
                "title": card.title,
                "team_id": card.team_id,
                "team_name": card.team_name,
                "stage": card.stage.value,
                "entered_at": card.entered_at,
                "days_in_stage": card.days_in_stage,
                "limit_days": card.limit_days,
            }
            for card in dashboard.ageing
        ],
    }
