"""The dashboard's team table and the list of improvements behind its figures, as files."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from flask_babel import gettext as _
from sqlalchemy import select

from lean.core.extensions import db
from lean.core.urls import external_url
from lean.models import User
from lean.models.user import shown_name
from lean.shared.labels import stage_label
from lean.shared.metrics import IN_PROGRESS, ListedCard, TeamRow
from lean.shared.web import name_in_language


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


def owners_of(cards: list[ListedCard]) -> dict[int | None, str]:
    """The owners' names of all the cards, in one query (always one: a fixed count per export)."""
    ids = {card.improvement.owner_id for card in cards if card.improvement.owner_id}
    rows = db.session.execute(
        select(User.id, User.stored_name, User.anonymised).where(User.id.in_(ids))
    )
    return {user_id: shown_name(user_id, name, anonymised) for user_id, name, anonymised in rows}


def improvement_rows(
    cards: list[ListedCard], zone: ZoneInfo, owners: dict[int | None, str]
) -> list[list]:
    """One row per card. An export has ~1,700 of them: what is the same on every row (the
    words, the link's prefix, the theme names) is worked out once, not once per row."""

    def local_day(moment):
        return moment.astimezone(zone).date() if moment else None

    yes = _("Yes")
    # The card's address without its id: external_url binds the URL map anew on each call.
    link = external_url("boards.detail", improvement_id=0).removesuffix("0")
    themes: dict[int, str] = {}
    for card in cards:
        if card.improvement.theme_id not in themes:
            themes[card.improvement.theme_id] = name_in_language(card.improvement.theme)
    return [
        [
            improvement.id,
            improvement.team.name,
            improvement.title,
            themes[improvement.theme_id],
            stage_label(improvement.stage),
            yes if improvement.archived else "",
            yes if improvement.blocked else "",
            improvement.blocked_reason if improvement.blocked else "",
            owners.get(improvement.owner_id, ""),
            improvement.due_date,
            local_day(improvement.created_at),
            local_day(card.started_at),
            local_day(card.completed_at),
            card.cycle_days,
            card.lead_days,
            improvement.hours_saved_per_month,
            f"{link}{improvement.id}",
        ]
        for card in cards
        for improvement in (card.improvement,)
    ]
