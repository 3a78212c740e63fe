"""The dashboard's team table and the list of improvements behind its figures, as files."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_babel import gettext as _

from lean.labels import stage_label
from lean.metrics import IN_PROGRESS, ListedCard, TeamRow
from lean.web import name_in_language


def team_headers() -> list[str]:
    return [
        _("Team"),
        _("Archived"),
        _("Idea"),
        *(stage_label(stage) for stage in IN_PROGRESS),
        _("Blocked"),
        _("Overdue"),
        _("Completed in period"),
        _("Kaizens in period"),
        _("Last stand-up"),
        _("Open escalations"),
    ]


def team_rows(rows: list[TeamRow], zone: ZoneInfo) -> list[list]:
    return [
        [
            row.team.name,
            _("Yes") if row.team.archived else "",
            row.stages["idea"],
            *(row.stages[stage] for stage in IN_PROGRESS),
            row.blocked,
            row.overdue,
            row.completed,
            row.kaizens,
            row.last_standup_at.astimezone(zone).date() if row.last_standup_at else None,
            row.open_escalations,
        ]
        for row in rows
    ]


def improvement_headers() -> list[str]:
    return [
        _("Team"),
        _("Title"),
        _("Theme"),
        _("Stage"),
        _("Archived"),
        _("Blocked"),
        _("Due date"),
        _("Created"),
        _("Started"),
        _("Completed"),
        _("Cycle time (days)"),
        _("Lead time (days)"),
        _("Hours saved per month"),
    ]


def improvement_rows(cards: list[ListedCard], zone: ZoneInfo) -> list[list]:
    def local_day(moment):
        return moment.astimezone(zone).date() if moment else None

    return [
        [
            card.improvement.team.name,
            card.improvement.title,
            name_in_language(card.improvement.theme),
            stage_label(card.improvement.stage),
            _("Yes") if card.improvement.archived else "",
            _("Yes") if card.improvement.blocked else "",
            card.improvement.due_date,
            local_day(card.improvement.created_at),
            local_day(card.started_at),
            local_day(card.completed_at),
            card.cycle_days,
            card.lead_days,
            card.improvement.hours_saved_per_month,
        ]
        for card in cards
    ]
