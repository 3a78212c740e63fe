"""Pages that stay fresh: a conditional request answered from the team's latest event ids.

An open board (or stand-up) asks every 20 seconds with If-None-Match; while nothing happened
to the team the answer is a 304 without rendering, after a fixed few statements (the user,
the team, the newest event ids). Besides the team's own events, the tag follows the changes
outside any team that the page shows: a person of the organization renamed, a theme renamed.
The tag also covers who asks, in which language and with which filters, so a tag is never
reused for a page that differs. Only the htmx requests of the open page are conditional: a
full page carries its tag in the page, not in a header, so the browser's own cache never
shows a page with stale flash messages or CSRF tokens.
"""

from __future__ import annotations

import hashlib

from flask import Response, make_response, request
from flask_login import current_user

from lean.core.htmx import HTMX_HEADERS, is_htmx
from lean.core.i18n import current_language
from lean.models import Team
from lean.shared.events import team_view_version

POLL_SECONDS = 20


def team_version(team: Team) -> str:
    """The version of all a team's page shows (one statement): it changes with every change."""
    return team_view_version(team.id, team.organization_id)


def team_etag(team: Team, version: str | None = None) -> str:
    """The tag of the page asked for, at the team's `version` (read now when not given)."""
    if version is None:
        version = team_version(team)
    view = f"{request.path}?{request.query_string.decode()}|{current_user.id}|{current_language()}"
    digest = hashlib.sha256(view.encode()).hexdigest()[:16]
    return f"team-{team.id}-{version}-{digest}"


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
