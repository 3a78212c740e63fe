"""The admin area's blueprint, shared by its view modules."""

from flask import Blueprint
from flask_login import login_required

admin_blueprint = Blueprint("admin", __name__, url_prefix="/admin")


@admin_blueprint.before_request
@login_required
def require_login():
    """Every admin page is for logged-in users only; the policy decides the rest."""
