"""Login, logout, password change and language switch."""

from typing import cast

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from lean.auth import services, sign_on
from lean.auth.forms import ChangePasswordForm, LanguageForm, LoginForm
from lean.core import unit_of_work
from lean.shared import policy
from lean.shared.web import is_safe_next

auth_blueprint = Blueprint("auth", __name__)


@auth_blueprint.route("/login", methods=["GET", "POST"])
def login():
    """Log in with email and password."""
    if current_user.is_authenticated:
        return redirect(url_for("boards.index"))
    form = LoginForm()
    if request.method == "GET":
        provider_id = request.args.get("provider", "")
        if provider_id.isdigit():  # an organization's intranet links to its provider
            return redirect(url_for("auth.sign_on_start", provider_id=int(provider_id)))
        form.next.data = request.args.get("next", "")
        return _render_login(form)
    if not form.validate_on_submit():
        return _render_login(form, 422)
    # E-mail first: a person of a connected domain who typed no password is sent on to their
    # organization's provider (a sign-on-only organization refuses a password below).
    if not form.password.data:
        providers = sign_on.providers_for_email(form.email.data or "")
        if providers:
            return _render_login(form, providers=providers)
    if not form.password.data:
        cast(list, form.password.errors).append(_("Enter your password."))
        return _render_login(form, 422)
    try:
        user = services.authenticate(
            cast(str, form.email.data),
            form.password.data,
            address=request.remote_addr or "",
        )
    except services.LoginLocked as locked:
        if locked.by_address:
            message = _(
                "Too many failed logins from your network. Try again after %(time)s.",
                time=format_time(locked.until, "short"),
            )
        else:
            message = _(
                "Too many failed logins for this account. Try again after %(time)s.",
                time=format_time(locked.until, "short"),
            )
        form.form_errors.append(message)
        return render_template("auth/login.html", form=form), 429
    if user is None:
        unit_of_work.commit_even_if_refused()  # the failed attempt counts
        form.form_errors.append(_("Wrong email or password."))
        return render_template("auth/login.html", form=form), 422
    if not policy.may_log_in_with_password(user):
        form.form_errors.append(
            _(
                "Your organization signs in with its own accounts, not with passwords here. "
                "Use the sign-on button of your organization."
            )
        )
        providers = [p for p in sign_on.providers_of(user.organization) if p.active]
        return _render_login(form, 403, providers=providers)
    # A fresh session at login: nothing set before it (by anyone) carries over.
    language = session.get("language")
    session.clear()
    login_user(user, remember=form.remember.data)
    if not user.language and language:
        services.set_language(user, language)
    target = form.next.data if is_safe_next(form.next.data) else url_for("boards.index")
    return redirect(target, 303)


def _render_login(form: LoginForm, status: int = 200, providers=None):
    """The login page; with `providers`, the buttons to the person's organization's providers."""
    return render_template(
        "auth/login.html",
        form=form,
        providers=providers or [],
        signed_out_of=session.pop(sign_on.SIGNED_OUT_OF, None),
    ), status


@auth_blueprint.post("/logout")
@login_required
def logout():
    """Log out here and end the user's sessions everywhere (and offer the provider's
    end-session page to whoever came by sign-on)."""
    provider_sign_out = sign_on.provider_sign_out()
    services.end_all_sessions(current_user)
    logout_user()
    session.clear()
    if provider_sign_out:
        session[sign_on.SIGNED_OUT_OF] = provider_sign_out
    flash(_("You have logged out."), "info")
    return redirect(url_for("auth.login"), 303)


@auth_blueprint.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """Change one's password; every other session ends."""
    form = ChangePasswordForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("auth/change_password.html", form=form), status
    if not current_user.check_password(form.current_password.data):
        cast(list, form.current_password.errors).append(_("The current password is not right."))
        return render_template("auth/change_password.html", form=form), 422
    user = current_user._get_current_object()
    services.change_password(user, cast(str, form.new_password.data))
    session.clear()
    login_user(user)
    flash(_("Password changed. Your other sessions have ended."), "success")
    return redirect(url_for("boards.index"), 303)


@auth_blueprint.post("/language")
def set_language():
    """Switch the language of every page; saved to the user's profile when logged in."""
    form = LanguageForm()
    if form.validate_on_submit():
        session["language"] = form.language.data
        if current_user.is_authenticated:
            services.set_language(current_user, form.language.data)
    target = form.next.data if is_safe_next(form.next.data) else url_for("boards.index")
    return redirect(target, 303)
