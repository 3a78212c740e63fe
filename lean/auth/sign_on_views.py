"""Single sign-on: to the provider and back, a new person's first team, and the providers'
administration on the organization's page."""

from __future__ import annotations

from typing import cast

import requests
from authlib.common.errors import AuthlibBaseError
from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user
from joserfc.errors import JoseError
from markupsafe import Markup

from lean.auth import services, sign_on
from lean.auth.sign_on_forms import JoinTeamForm, PasswordsForm, SignOnProviderForm
from lean.auth.views import auth_blueprint
from lean.core import unit_of_work
from lean.core.urls import external_url
from lean.models import Organization
from lean.models.sign_on import SignOnProvider
from lean.shared import pieces, policy
from lean.shared.web import is_safe_next

PENDING = sign_on.PENDING
SIGNED_IN_WITH = sign_on.SIGNED_IN_WITH
# The verified answer of the provider, between the callback and the finishing form.
VERIFIED = "sign_on_verified"


def refusal_message(reason: str, provider_name: str) -> str:
    messages = {
        "email_not_verified": _(
            "%(provider)s has not verified your email address, so Vertaa cannot sign you in "
            "with it. Ask your organization's IT support to verify it.",
            provider=provider_name,
        ),
        "no_email": _(
            "%(provider)s did not tell Vertaa your email address, so you cannot be signed in.",
            provider=provider_name,
        ),
        "foreign_domain": _(
            "Your email address does not belong to an organization that signs in with "
            "%(provider)s.",
            provider=provider_name,
        ),
        "linked_to_another": _(
            "Your account in Vertaa is already linked to another %(provider)s account. Ask "
            "your organization's coordinator for help.",
            provider=provider_name,
        ),
        "inactive": _(
            "Your account has been deactivated. Ask your organization's coordinator for help."
        ),
        "other_organization": _(
            "Your account belongs to another organization than the one that signs in with "
            "%(provider)s. Ask your coordinator for help.",
            provider=provider_name,
        ),
        "denied": _("Signing in was cancelled at %(provider)s.", provider=provider_name),
        "unreachable": _(
            "%(provider)s could not be reached. Try again in a moment.", provider=provider_name
        ),
    }
    return messages.get(
        reason,
        _(
            "Signing in could not be completed: the answer from the provider was already used, "
            "had expired or could not be verified. Start again from the login page."
        ),
    )


def _refused(reason: str, provider: SignOnProvider | None, status: int = 403):
    unit_of_work.commit_even_if_refused()  # the refusal stays in the audit log
    message = refusal_message(reason, provider.name if provider else _("your provider"))
    return render_template("auth/sign_on_refused.html", message=message), status


# ---- to the provider and back ------------------------------------------------------------


@auth_blueprint.get("/login/sign-on/<int:provider_id>")
def sign_on_start(provider_id: int):
    """Off to the provider's login page: code flow with PKCE, state and nonce."""
    provider = sign_on.usable_provider(provider_id)
    if provider is None:
        abort(404)
    next_target = request.args.get("next", "")
    hint = request.args.get("email", "")[:254]
    session[PENDING] = {
        "provider": provider.id,
        "next": next_target if is_safe_next(next_target) else "",
    }
    try:
        return sign_on.authorize_redirect(
            provider, external_url("auth.sign_on_callback"), login_hint=hint
        )
    except (requests.RequestException, ValueError, KeyError, sign_on.SignOnKeyMissing):
        return _refused("unreachable", provider, 502)


@auth_blueprint.get("/login/sign-on/callback")
def sign_on_callback():
    """The provider's answer, verified: the code exchanged, the ID token's signature, issuer,
    audience, expiry and nonce checked. A GET changes nothing here, so what was found waits
    in the session for the page's form (sent at once by script) to finish the sign-in."""
    pending = session.pop(PENDING, None) or {}
    provider = sign_on.usable_provider(int(pending.get("provider") or 0))
    outcome: dict = {"provider": provider.id if provider else 0, "next": pending.get("next")}
    if provider is None:
        outcome["refused"] = "state"
    elif request.args.get("error"):
        outcome["refused"] = "denied"
    else:
        try:
            outcome["claims"] = sign_on.fetch_claims(provider)
        except sign_on.SignOnRefused as refused:
            outcome["refused"] = refused.reason
        except (requests.RequestException, sign_on.SignOnKeyMissing) as error:
            outcome.update(refused="unreachable", error=repr(error)[:200])
        except (AuthlibBaseError, JoseError, ValueError, KeyError) as error:
            outcome.update(refused="token", error=repr(error)[:200])
    session[VERIFIED] = outcome
    return render_template("auth/sign_on_finish.html", provider=provider, form=JoinTeamForm())


@auth_blueprint.post("/login/sign-on/finish")
def sign_on_finish():
    """The verified answer acted on: the person found, linked or made, or refused (audited)."""
    outcome = session.pop(VERIFIED, None)
    form = JoinTeamForm()
    if outcome is None or not form.validate_on_submit():
        return _refused("state", None, 400)
    provider = sign_on.usable_provider(int(outcome.get("provider") or 0))
    reason = outcome.get("refused")
    if provider is None or reason:
        sign_on.refuse(provider, reason or "state", error=outcome.get("error", ""))
        status = 502 if reason == "unreachable" else 400
        return _refused(reason or "state", provider, status)
    language = session.get("language")
    try:
        signed_on = sign_on.sign_in(provider, outcome["claims"], language or str(get_locale())[:2])
    except sign_on.SignOnRefused as refused:
        return _refused(refused.reason, provider)
    user = signed_on.user
    # A fresh session at sign-in, as at a password login.
    session.clear()
    login_user(user)
    session[SIGNED_IN_WITH] = provider.id
    if not user.language and language:
        services.set_language(user, language)
    if signed_on.new and signed_on.team_id is not None:
        return redirect(url_for("boards.show", team_id=signed_on.team_id), 303)
    if signed_on.new:
        return redirect(url_for("auth.choose_team"), 303)
    target = outcome.get("next") or ""
    return redirect(target if is_safe_next(target) else url_for("boards.index"), 303)


# ---- a new person's first team -----------------------------------------------------------


@auth_blueprint.get("/choose-team")
@login_required
def choose_team():
    """A person new through sign-on chooses the team whose board they work on."""
    return render_template(
        "auth/choose_team.html",
        teams=sign_on.teams_to_join(current_user),
        form=JoinTeamForm(),
        has_team=bool(current_user.memberships),
    )


@auth_blueprint.post("/choose-team/<int:team_id>")
@login_required
def join_team(team_id: int):
    team = policy.team_to_join(current_user, team_id)
    form = JoinTeamForm()
    if not form.validate_on_submit():
        abort(400)
    sign_on.join_team(current_user, team)
    flash(_("Welcome to the team %(team)s.", team=team.name), "success")
    return redirect(url_for("boards.show", team_id=team.id), 303)


# ---- administration --------------------------------------------------------------------------


@pieces.provides(auth_blueprint, "auth.sign_on_settings")
def sign_on_settings_piece(organization: Organization) -> Markup:
    """On the administration's organization page: its providers and its password switch."""
    return pieces.partial(
        "auth/_sign_on_settings.html",
        organization=organization,
        providers=sign_on.providers_of(organization),
        passwords_form=PasswordsForm(
            formdata=None, sign_on_only=not organization.passwords_allowed
        ),
    )


def _provider_values(form: SignOnProviderForm) -> dict:
    return {
        "name": form.name.data,
        "kind": form.kind.data,
        "discovery_url": form.discovery_url.data,
        "allowed_issuers": form.allowed_issuers.data or "",
        "client_id": form.client_id.data,
        "client_secret": form.client_secret.data or "",
        "token_auth_method": form.token_auth_method.data,
        "domains": form.domains.data,
        "active": bool(form.active.data),
    }


def _render_provider_form(organization, form, provider=None, status=200):
    return render_template(
        "auth/sign_on_provider.html",
        organization=organization,
        form=form,
        provider=provider,
        callback_url=external_url("auth.sign_on_callback"),
    ), status


def _save(organization: Organization, form: SignOnProviderForm, provider=None):
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return _render_provider_form(organization, form, provider, status)
    if sign_on.name_taken(organization, cast(str, form.name.data), provider):
        cast(list, form.name.errors).append(_("The organization has a provider of this name."))
        return _render_provider_form(organization, form, provider, 422)
    try:
        sign_on.save_provider(current_user, organization, provider, _provider_values(form))
    except sign_on.SignOnKeyMissing:
        form.form_errors.append(
            _("The installation has no key to keep client secrets with: set LEAN_SIGN_ON_KEY.")
        )
        return _render_provider_form(organization, form, provider, 422)
    flash(_("Sign-on provider “%(name)s” saved.", name=form.name.data), "success")
    return redirect(url_for("admin.organization", organization_id=organization.id), 303)


@auth_blueprint.route(
    "/admin/organizations/<int:organization_id>/sign-on/new", methods=["GET", "POST"]
)
@login_required
def new_sign_on_provider(organization_id: int):
    """Connect a provider: its discovery URL, client, secret and e-mail domains."""
    organization = policy.organization_for_management(current_user, organization_id)
    return _save(organization, SignOnProviderForm(needs_secret=True))


@auth_blueprint.route("/admin/sign-on/<int:provider_id>", methods=["GET", "POST"])
@login_required
def edit_sign_on_provider(provider_id: int):
    """Change a provider, or take it out of use; its secret is never shown again."""
    provider = policy.sign_on_provider_for_management(current_user, provider_id)
    form = SignOnProviderForm(obj=provider, needs_secret=False)
    if request.method == "GET":
        form.client_secret.data = ""
    return _save(provider.organization, form, provider)


@auth_blueprint.post("/admin/organizations/<int:organization_id>/sign-on/passwords")
@login_required
def sign_on_passwords(organization_id: int):
    """Turn passwords off (sign-on only) or on again for the organization's people."""
    organization = policy.organization_for_management(current_user, organization_id)
    form = PasswordsForm()
    if not form.validate_on_submit():
        abort(400)
    sign_on.set_passwords_allowed(current_user, organization, not form.sign_on_only.data)
    if form.sign_on_only.data:
        flash(_("Its people now sign in only with sign-on."), "success")
    else:
        flash(_("Its people may use passwords again."), "success")
    return redirect(url_for("admin.organization", organization_id=organization.id), 303)


@auth_blueprint.record_once
def _check_key(state) -> None:
    """Production with connected providers and no key does not start (a clear error)."""
    sign_on.check_key_at_start(state.app)
