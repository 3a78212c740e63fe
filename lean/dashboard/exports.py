"""The dashboard's team table and the list of improvements behind its figures, as files."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from lean.extensions import db
from lean.labels import stage_label
from lean.metrics import IN_PROGRESS, ListedCard, TeamRow
from lean.models import User
from lean.urls import external_url
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
        _("Card"),
        _("Team"),
        _("Title"),
        _("Theme"),
        _("Stage"),
        _("Archived"),
        _("Blocked"),
        _("Reason for the block"),
        _("Owner"),
        _("Due date"),
        _("Created"),
        _("Started"),
        _("Completed"),
        _("Cycle time (days)"),
        _("Lead time (days)"),
        _("Hours saved per month"),
        _("Link"),
    ]


def owners_of(cards: list[ListedCard]) -> dict[int, str]:
    """The owners' names of all the cards, in one query (always one: a fixed count per export)."""
    ids = {card.improvement.owner_id for card in cards if card.improvement.owner_id}
    return {user.id: user.name for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


def improvement_rows(cards: list[ListedCard], zone: ZoneInfo, owners: dict[int, str]) -> list[list]:
    def local_day(moment):
        return moment.astimezone(zone).date() if moment else None

    def link(improvement_id: int) -> str:
        return external_url("boards.detail", improvement_id=improvement_id)

    return [
        [
            card.improvement.id,
            card.improvement.team.name,
            card.improvement.title,
            name_in_language(card.improvement.theme),
            stage_label(card.improvement.stage),
            _("Yes") if card.improvement.archived else "",
            _("Yes") if card.improvement.blocked else "",
            card.improvement.blocked_reason if card.improvement.blocked else "",
            owners.get(card.improvement.owner_id, ""),
            card.improvement.due_date,
            local_day(card.improvement.created_at),
            local_day(card.started_at),
            local_day(card.completed_at),
            card.cycle_days,
            card.lead_days,
            card.improvement.hours_saved_per_month,
            link(card.improvement.id),
        ]
        for card in cards
    ]
