"""The board's filters, quick add and columns, rendered once per change of what they show.

Everything they show changes only with an event that the board's tag counts (lean/shared/
freshness.py): the team's cards and members, a person renamed in the organization, a theme
edited. So they are kept (lean/core/fragments.py) under the tag's version, with what else
shapes them: the reader's language and whether they may write on the board, the filters in
the address, the day (a due date turns overdue at midnight) and the Done column's length.
A second reader of an unchanged board gets them without a statement or a template. The CSRF
token of the quick add and each card's days in its stage are holes, filled for every response.

Two pieces of other areas are kept with them, as they too count only what the team's events
change, by the day: this month's kaizens (every kaizen logged, edited, deleted or restored is
an event of its team) and the term's key figures (cards, kaizens and escalations, each change
an event of the team), for the readers the policy shows them to. The stand-up line (whether
the team keeps its rhythm turns with the hour) and the organization's network notices (other
organizations' doings) are not: they are asked for on every page.

Only the plain board is kept: a quick add answered with its errors or with its title field
focused for the next card is rendered for that response alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import current_app, render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from markupsafe import Markup
from werkzeug.datastructures import MultiDict

from lean.boards import card_templates, queries
from lean.boards.forms import BoardFilterForm, QuickAddForm
from lean.core import fragments
from lean.core.i18n import current_language
from lean.models import Team
from lean.shared import pieces, policy
from lean.shared.labels import stage_label
from lean.shared.lookups import team_members

# The query parameters that shape the board; the first value of each is what the forms read.
FILTER_PARAMETERS = ("theme", "owner", "blocked", "done")
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MICROSECOND = timedelta(microseconds=1)
DAY = timedelta(days=1) // MICROSECOND  # in microseconds


@dataclass
class BoardMarkup:
    kaizen_link: Markup
    team_figures: Markup
    board: Markup


def filter_args(args: MultiDict) -> dict:
    """The board's filter query parameters, carried along by the board's own forms."""
    return {key: args.get(key) for key in FILTER_PARAMETERS if args.get(key)}


def filters_from(args: MultiDict, themes, members) -> tuple[BoardFilterForm, queries.BoardFilters]:
    form = BoardFilterForm(themes, members, formdata=args)
    form.validate()
    filters = queries.BoardFilters(
        theme_id=form.theme.data if not form.theme.errors else None,
        owner_id=form.owner.data if not form.owner.errors else None,
        blocked_only=bool(form.blocked.data),
        all_done=args.get("done") == "all",
    )
    return form, filters


def card_words() -> dict[str, str]:
    """The fixed strings of every card, translated once per page rather than once per card."""
    return {
        "blocked": _("Blocked"),
        "no_owner": _("No owner"),
        "due": _("Due"),
        "overdue": _("Overdue"),
        "move": _("Move…"),
    }


def card_urls(args: MultiDict) -> dict[str, str]:
    """The one prefix of every card's address ("/improvements/"), and the board's filters."""
    detail = url_for("boards.detail", improvement_id=0)
    return {"improvement": detail.removesuffix("0"), "query": urlencode(filter_args(args))}


def days_in_stage(days: int) -> str:
    return ngettext("%(num)d day", "%(num)d days", days)


def days_label(card: queries.Card) -> str:
    """A card's days in its stage, counted now: for a card rendered for one response."""
    return days_in_stage(card.days)


def days_hole(card: queries.Card) -> str:
    """A card's days in its stage as a hole of a kept board, carrying when it entered it."""
    if card.entered_stage_at is None:
        return days_in_stage(0)
    return fragments.hole("days", (card.entered_stage_at - EPOCH) // MICROSECOND)


def _days_filler():
    """Fills each card's hole with its days in its stage as of now, each count worded once."""
    now = (datetime.now(UTC) - EPOCH) // MICROSECOND
    words: dict[int, str] = {}

    def fill(entered: str) -> str:
        # As board_columns counts them: whole days elapsed, never fewer than none.
        days = max(0, (now - int(entered)) // DAY)
        label = words.get(days)
        if label is None:
            label = words[days] = days_in_stage(days)
        return label

    return fill


def board_markup(
    team: Team,
    args: MultiDict,
    *,
    can_write: bool,
    version: str | None = None,
    quick_add: QuickAddForm | None = None,
    focus_quick_add: bool = False,
    over_limit: dict | None = None,
) -> BoardMarkup:
    """The board (quick add, filters and columns): kept under the team's `version`
    when given and the board is plain, else rendered for this response."""
    done_limit = current_app.config["DONE_COLUMN_LIMIT"]
    language = current_language()
    now = datetime.now(UTC)
    # The day as board_columns tells an overdue card and the kaizen count its month, and as
    # the team's figures count their term.
    local = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    today = (now.date(), now.astimezone(local).date())
    cache_key = None
    if version is not None and quick_add is None and not focus_quick_add and over_limit is None:
        shaped_by = tuple(args.get(name) for name in FILTER_PARAMETERS)
        # The team's figures show to some readers only (dashboard.team_figures asks the policy).
        sees_figures = policy.can_see_team_figures(current_user, team)
        cache_key = fragments.key(
            "board", team.id, version, language, (can_write, sees_figures), today, done_limit,
            shaped_by,
        )  # fmt: skip

    def render() -> dict[str, str]:
        themes = queries.board_themes()
        members = team_members(team.id)
        filter_form, filters = filters_from(args, themes, members)
        context = {
            "team": team,
            "filters": filters,
            "filter_form": filter_form,
            "filter_args": filter_args(args),
            "can_write": can_write,
        }
        return {
            # Other areas' pieces that show only what the team's events change, counted by
            # the day: this month's kaizens, the term's key figures.
            "kaizen_link": pieces.piece("kaizen.board_link", team=team),
            "team_figures": pieces.piece("dashboard.team_figures", team=team),
            "board": render_template(
                "boards/_board.html",
                **context,
                columns=queries.board_columns(team, filters, done_limit, language),
                quick_add=quick_add or QuickAddForm(themes, formdata=None),
                # The team's card templates, offered beside the quick add.
                card_templates=card_templates.offered_templates(team.id) if can_write else [],
                focus_quick_add=focus_quick_add,
                # A move over a work-in-progress limit: its question or refusal (limits.py).
                over_limit=over_limit,
                stage_label=stage_label,
                card_words=card_words(),
                urls=card_urls(args),
                in_stage=days_hole,
            ),
        }

    markup = fragments.rendered(cache_key, render, {"days": _days_filler()})
    return BoardMarkup(**markup)
