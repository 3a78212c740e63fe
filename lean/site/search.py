"""The top bar's search: one page of what the user may read that matches every word."""

from flask import Blueprint, render_template, request
from flask_login import current_user, login_required

from lean.shared import search

search_blueprint = Blueprint("search", __name__)


@search_blueprint.before_request
@login_required
def require_login():
    """Searching is for logged-in users only."""


@search_blueprint.get("/search")
def results():
    """Cards, kaizens, A3 sheets and practices the user may read, matching the words."""
    query = request.args.get("q", "")[:200]
    return render_template(
        "search/results.html", query=query, found=search.find_everything(current_user, query)
    )
