"""The top bar of every page, rendered once for a person, page and language, then kept.

The bar (the main links the policy gives the person, the search box, the person's menu with the
language switch) is the same on every visit of a page by a person, and rendering it was a
fifth of a small page's cost. It is kept in the worker's memory (lean/core/fragments.py) under a
key of the very values it shows, so a renamed person, a new right or another language makes a
new key and nothing is invalidated by hand. Its CSRF tokens are holes filled for each response,
and so is the bell, whose count is its own piece (conversation.bell).
"""

from __future__ import annotations

from flask import render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from lean.core import fragments
from lean.core.i18n import current_language
from lean.shared import pieces, policy

SEARCH_ENDPOINT = "search.results"


def main_links(rights: tuple[bool, bool, bool, bool]) -> list[tuple[str, str]]:
    """The top bar's main links, (address, label), for a person with these `rights()`."""
    dashboard, escalations, a3_sheets, administration = rights
    links = [
        (url_for("boards.team_picker"), _("Teams")),
        (url_for("network.library"), _("Network")),
    ]
    if dashboard:
        links.append((url_for("dashboard.index"), _("Dashboard")))
    if escalations:
        links.append((url_for("standups.escalations"), _("Escalations")))
    if a3_sheets:
        links.append((url_for("a3.organization_list"), _("A3 sheets")))
    if administration:
        links.append((url_for("admin.index"), _("Administration")))
    return links


def rights(user) -> tuple[bool, bool, bool, bool]:
    """What the policy lets the person open from the top bar."""
    return (
        policy.can_read_dashboard(user),
        policy.can_answer_escalations(user),
        policy.coordinates_organization(user),
        policy.can_open_administration(user),
    )


def site_header() -> Markup:
    """The Jinja global `site_header()`: the page's top bar."""
    values: dict = {
        "path": request.path,
        # Where the language switch comes back to: the page shown, when it was a GET.
        "back_to": request.full_path if request.method == "GET" else "",
        "person_name": None,
    }
    if current_user.is_authenticated:
        values |= {
            "person_name": current_user.name,
            "organization_name": current_user.organization.name,
            "rights": rights(current_user),
            "searched": request.args.get("q", "") if request.endpoint == SEARCH_ENDPOINT else None,
        }
    cache_key = fragments.key("site.header", current_language(), sorted(values.items()))
    return fragments.rendered(
        cache_key,
        lambda: {"html": _render(values)},
        {"bell": lambda _argument: pieces.piece("conversation.bell")},
        shared=False,
    )["html"]


def _render(values: dict) -> str:
    links = main_links(values["rights"]) if values["person_name"] is not None else []
    return render_template(
        "_site_header.html", bell=fragments.hole("bell"), nav_links=links, **values
    )
