"""The pages of personal access tokens: one's own (made, shown once, revoked) and, for an
organization's managers, those of its people. Parse, ask the policy, call one service, render."""

from __future__ import annotations

from datetime import date
from typing import cast

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from lean.api import queries, services
from lean.api.token_forms import DEFAULT_DAYS, LONGEST_DAYS, TokenForm
from lean.models.base import utcnow
from lean.shared import pieces, policy

tokens_blueprint = Blueprint("tokens", __name__)


def _render_personal(form: TokenForm, **context):
    return render_template(
        "tokens/personal.html",
        form=form,
        tokens=queries.tokens_of(current_user),
        now=utcnow(),
        last_day_of=services.last_day_of,
        default_days=DEFAULT_DAYS,
        longest_days=LONGEST_DAYS,
        **context,
    )


@tokens_blueprint.route("/profile/tokens", methods=["GET", "POST"])
@login_required
def personal():
    """One's tokens, and a new one made and shown once."""
    form = TokenForm()
    if form.validate_on_submit():
        token, secret = services.create_token(
            current_user,
            cast(str, form.name.data),
            form.can_write,
            cast(date, form.expires_on.data),
        )
        flash(_("The token “%(name)s” is made: copy it now.", name=token.name), "success")
        response = make_response(
            _render_personal(TokenForm(formdata=None), new=token, secret=secret)
        )
        # The token is in this answer only: no cache, no back-forward copy keeps it.
        response.headers["Cache-Control"] = "no-store"
        return response
    return _render_personal(form), 422 if form.errors else 200


@tokens_blueprint.post("/tokens/<int:api_token_id>/revoke")
@login_required
def revoke(api_token_id: int):
    """The token stops working at once; back to the list it was revoked from."""
    token = policy.token_for_revoke(current_user, api_token_id)
    services.revoke_token(current_user, token)
    flash(_("The token “%(name)s” is revoked: it no longer works.", name=token.name), "success")
    organization = token.user.organization
    if request.form.get("back") == "organization" and policy.can_list_organization_tokens(
        current_user, organization
    ):
        return redirect(url_for("tokens.organization", organization_id=organization.id), 303)
    return redirect(url_for("tokens.personal"), 303)


@tokens_blueprint.get("/admin/organizations/<int:organization_id>/tokens")
@login_required
def organization(organization_id: int):
    """The tokens of the organization's people, for its managers."""
    organization = policy.organization_for_token_list(current_user, organization_id)
    return render_template(
        "tokens/organization.html",
        organization=organization,
        tokens=queries.tokens_of_organization(organization),
        now=utcnow(),
        last_day_of=services.last_day_of,
    )


@pieces.provides(tokens_blueprint, "tokens.profile_section")
def profile_section() -> Markup:
    """On the profile page: what tokens are for, and the way to one's own."""
    return pieces.partial("tokens/_profile_section.html")
