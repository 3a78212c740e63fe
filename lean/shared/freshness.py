"""Pages that stay fresh: a conditional request answered from the team's latest event ids.

An open board (or stand-up) asks every 20 seconds with If-None-Match; while nothing happened
to the team the answer is a 304 without rendering. Besides the team's own events, the tag
follows the changes outside any team that the page shows: a person of the organization
renamed, a theme renamed. An open card page asks the same way about the card's own events,
and redraws its comments. The board's and the card page's checks are answered from one
statement read before the person is loaded (the quick checks below, lean/core/conditional.py);
the stand-up's after a fixed few (the user, the team, the newest event ids).
The tag also covers who asks, in which language and with which filters, so a tag is never
reused for a page that differs. Only the htmx requests of the open page are conditional: a
full page carries its tag in the page, not in a header, so the browser's own cache never
shows a page with stale flash messages or CSRF tokens.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import cache

from flask import Response, make_response, request
from flask_login import current_user
from sqlalchemy import Select, bindparam, func, select

from lean.core.extensions import read_columns, read_row_alone
from lean.core.htmx import HTMX_HEADERS, is_htmx
from lean.core.i18n import current_language, language_of
from lean.core.security import is_current_login, session_login
from lean.models import Event, Improvement, Organization, Team, User
from lean.shared import policy
from lean.shared.events import team_view_newest, team_view_version, version_of

POLL_SECONDS = 20


def team_version(team: Team) -> str:
    """The version of all a team's page shows (one statement): it changes with every change."""
    return team_view_version(team.id, team.organization_id)


def team_etag(team: Team, version: str | None = None) -> str:
    """The tag of the page asked for, at the team's `version` (read now when not given)."""
    if version is None:
        version = team_version(team)
    return _team_tag(team.id, version, current_user.id, current_language())


def _team_tag(team_id: int, version: str, user_id: int, language: str) -> str:
    return f"team-{team_id}-{version}-{_view_digest(user_id, language)}"


def _card_tag(card_id: int, version: str, user_id: int, language: str) -> str:
    return f"card-{card_id}-{version}-{_view_digest(user_id, language)}"


def _card_newest(card_id, organization_id) -> tuple:
    """The newest event ids that a card's page follows (columns of one statement)."""

    def newest(*conditions):
        return select(func.max(Event.id)).where(*conditions).scalar_subquery()

    return (
        # The card's own events: edits, moves, comments, checklists, files, its A3, stand-ups.
        newest(Event.subject_type == "improvement", Event.subject_id == card_id),
        # As on the board: a person of the organization or a theme renamed.
        newest(Event.team_id.is_(None), Event.organization_id == organization_id),
        newest(Event.team_id.is_(None), Event.organization_id.is_(None)),
    )


@cache
def _card_view_statement() -> Select:
    """Built once per worker: an open card page asks for it every 20 seconds."""
    return select(*_card_newest(bindparam("card_id"), bindparam("organization_id")))


def card_version(improvement: Improvement) -> str:
    """The version of what a card's page shows (one statement): it changes with every change
    to the card, and with the names it shows."""
    row = read_columns(
        _card_view_statement(),
        {"card_id": improvement.id, "organization_id": improvement.team.organization_id},
    ).one()
    return version_of(row)


def card_etag(improvement: Improvement) -> str:
    """The tag of the card page asked for (the comments an open card page redraws)."""
    version = card_version(improvement)
    return _card_tag(improvement.id, version, current_user.id, current_language())


# ---- the quick checks (lean/core/conditional.py) ---------------------------------------------


def _with_login(organization, newest: tuple) -> Select:
    """One statement: the login's columns, the columns the policy's reading rule asks, the
    organization whose rule decides who reads the page, and the page's newest event ids."""
    return (
        select(
            User.active,
            Organization.active.label("organization_active"),
            User.session_token,
            User.language,
            *policy.reader_columns(),
            organization.label("page_organization_id"),
            *newest,
        )
        .join(Organization, Organization.id == User.organization_id)
        .where(User.id == bindparam("user_id"))
    )


@cache
def _quick_team_statement() -> Select:
    """Built once per worker: what a team page's quick check needs."""
    team_organization = (
        select(Team.organization_id).where(Team.id == bindparam("team_id")).scalar_subquery()
    )
    return _with_login(team_organization, team_view_newest(bindparam("team_id"), team_organization))


@cache
def _quick_card_statement() -> Select:
    """Built once per worker: what a card page's quick check needs."""
    card_organization = (
        select(Team.organization_id)
        .join(Improvement, Improvement.team_id == Team.id)
        .where(Improvement.id == bindparam("card_id"))
        .scalar_subquery()
    )
    return _with_login(card_organization, _card_newest(bindparam("card_id"), card_organization))


Tag = Callable[[str, int, str], str]  # (version, user id, language) -> the page's tag


def _unchanged(statement: Select, parameters: dict, tag: Tag) -> Response | None:
    """A page's 304 from one statement, or None to let the view decide: the login, the
    policy's reading rule and the tag are the full request's."""
    login = session_login()
    if login is None or not is_htmx():
        return None
    user_id, token = login
    row = read_row_alone(statement, {"user_id": user_id, **parameters})
    if (
        row is None
        or row.page_organization_id is None  # no such team or card: the view answers 404
        # Active as User.is_active has it: the person and their organization.
        or not is_current_login(row.active and row.organization_active, row.session_token, token)
        or not policy.can_read_teams_of(row, row.page_organization_id)
    ):
        return None
    return not_modified(tag(version_of(row[-3:]), user_id, language_of(row.language)))


def unchanged_team_page(team_id: int) -> Response | None:
    """An open board's check (its team's page), answered before the person is loaded."""
    return _unchanged(
        _quick_team_statement(),
        {"team_id": team_id},
        lambda version, user_id, language: _team_tag(team_id, version, user_id, language),
    )


def unchanged_card_page(improvement_id: int) -> Response | None:
    """An open card page's check (its comments), answered before the person is loaded."""
    return _unchanged(
        _quick_card_statement(),
        {"card_id": improvement_id},
        lambda version, user_id, language: _card_tag(improvement_id, version, user_id, language),
    )


def _view_digest(user_id: int, language: str) -> str:
    """Who asks for which page, in which language: a tag is never reused for a page that
    differs."""
    view = f"{request.path}?{request.query_string.decode()}|{user_id}|{language}"
    return hashlib.sha256(view.encode()).hexdigest()[:16]


def not_modified(etag: str) -> Response | None:
    """The 304 answer when the asker already has this version of the page."""
    if request.if_none_match.contains_weak(etag):
        response = make_response("", 304)
        return _tagged(response, etag)
    return None


def tagged(rendered, etag: str) -> Response:
    """The rendered answer; a check's answer carries its tag for the next conditional request."""
    response = make_response(rendered)
    return _tagged(response, etag) if is_htmx() else response


def _tagged(response: Response, etag: str) -> Response:
    response.set_etag(etag, weak=True)
    # Always revalidate: the page is fresh only as long as the team's events say so.
    response.headers["Cache-Control"] = "no-cache, private"
    for header in HTMX_HEADERS:
        response.vary.add(header)
    return response
