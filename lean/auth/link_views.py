"""Invitations and password resets: creating one-time links, and the pages they open."""

from __future__ import annotations

from email.message import EmailMessage
from typing import cast

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user

from lean.auth import (
    invitation_views,  # noqa: F401  (its routes join the blueprint with these)
    links,
    mail,
)
from lean.auth.forms import (
    AcceptInvitationForm,
    InvitationForm,
    RequestResetForm,
    ResetPasswordForm,
)
from lean.auth.views import auth_blueprint
from lean.core.i18n import current_language
from lean.core.jobs import enqueue_after_response
from lean.core.keys import new_token
from lean.core.mail import mail_configured, queue_mail
from lean.core.urls import external_url
from lean.models import LinkPurpose, OneTimeLink
from lean.shared import policy

# Mail states shown on the link page: on its way (by the job queue), or e-mail is off.
MAIL_QUEUED, MAIL_OFF = "queued", "off"


def _send(message: EmailMessage | None, organization_id: int) -> str:
    """Queue the message (None when mail is off) to go once the link is stored; the page
    shows the link either way, to be copied if the mail does not arrive (a mail that cannot
    be sent is listed in administration's failed e-mails)."""
    if message is None:
        return MAIL_OFF
    queue_mail(message, organization_id)
    return MAIL_QUEUED


def _link_page(link: OneTimeLink, url: str, mail_state: str, **context):
    """The one-time link, shown once; never cached, as it opens an account."""
    body = render_template(
        "auth/invitation_link.html", link=link, url=url, mail_state=mail_state, **context
    )
    return body, 200, {"Cache-Control": "no-store"}


def _unusable_page():
    return render_template("auth/link_unusable.html"), 404


def _render_invite(organization, form, status=200):
    return render_template(
        "auth/invite.html",
        organization=organization,
        form=form,
        pending=links.pending_invitations(organization),
    ), status


@auth_blueprint.route("/organizations/<int:organization_id>/invitations", methods=["GET", "POST"])
@login_required
def invite(organization_id: int):
    """Invite a person into the organization (and a team); shows the one-time link."""
    organization = policy.organization_for_management(current_user, organization_id)
    teams = [team for team in organization.teams if not team.archived]
    form = InvitationForm(teams)
    if not form.validate_on_submit():
        return _render_invite(organization, form, 422 if form.is_submitted() else 200)
    team = next((t for t in teams if t.id == form.team.data), None)
    try:
        link, token = links.create_invitation(
            current_user, organization, cast(str, form.email.data), team=team, role=form.role.data
        )
    except links.EmailAlreadyRegistered:
        cast(list, form.email.errors).append(
            _(
                "This address already has an account. Its owner can log in, or ask for a "
                "new password."
            )
        )
        return _render_invite(organization, form, 422)
    url = external_url("auth.accept_invitation", token=token)
    message = mail.invitation_message(link, url, current_user) if mail_configured() else None
    # The mail is queued once the link is stored (the request's commit).
    return _link_page(link, url, _send(message, organization.id), organization=organization)


@auth_blueprint.route("/invitations/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    """The invitee chooses a name, password and language, and is logged in."""
    link = links.find_usable_link(token, LinkPurpose.INVITATION)
    if link is None:
        return _unusable_page()
    if link.user_id is not None:  # a person who has an account chooses only a password
        return redirect(url_for("auth.welcome", token=token), 303)
    form = AcceptInvitationForm()
    if not form.is_submitted():
        form.language.data = current_language()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template(
            "auth/accept_invitation.html", form=form, link=link, token=token
        ), status
    try:
        user = links.accept_invitation(
            link, cast(str, form.name.data), cast(str, form.password.data), form.language.data
        )
    except links.LinkUnusable:
        return _unusable_page()
    except links.EmailAlreadyRegistered:
        form.form_errors.append(
            _("This address already has an account. Log in, or ask for a new password.")
        )
        return render_template(
            "auth/accept_invitation.html", form=form, link=link, token=token
        ), 409
    session.clear()
    login_user(user)
    flash(_("Welcome to Vertaa!"), "success")
    return redirect(url_for("boards.index"), 303)


@auth_blueprint.post("/users/<int:user_id>/password-reset")
@login_required
def create_reset(user_id: int):
    """A one-time password reset link for a user, made by their coordinator or an admin."""
    user = policy.user_for_management(current_user, user_id)  # CSRFProtect checked the form
    link, token = links.create_password_reset(current_user, user)
    url = external_url("auth.reset_password", token=token)
    message = mail.password_reset_message(link, url) if mail_configured() else None
    # The mail is queued once the link is stored (the request's commit).
    return _link_page(link, url, _send(message, user.organization_id), user=user)


@auth_blueprint.route("/password-reset", methods=["GET", "POST"])
def request_reset():
    """Ask for a reset link by e-mail; the answer never tells whether the address is known.

    Nor does its timing: every request does the same work, and the link is stored and its
    mail queued only after the response, by a job; throttled requests (too many for one
    account or from one address) answer the same but send nothing.
    """
    form = RequestResetForm()
    if not mail_configured():
        return render_template("auth/request_reset.html", form=None, sent=False)
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("auth/request_reset.html", form=form, sent=False), status
    user_id = links.request_password_reset(
        cast(str, form.email.data), address=request.remote_addr or ""
    )
    # Made for every request alike; the address is built in the request, which names the
    # site when no BASE_URL is set.
    token = new_token()
    url = external_url("auth.reset_password", token=token)
    language = current_language()
    enqueue_after_response(mail.mail_requested_reset, user_id, token, url, language)
    return render_template("auth/request_reset.html", form=form, sent=True)


@auth_blueprint.route("/password-reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    """Choose a new password with a one-time link; every session of the user ends."""
    link = links.find_usable_link(token, LinkPurpose.PASSWORD_RESET)
    if link is None:
        return _unusable_page()
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template(
            "auth/reset_password.html", form=form, link=link, token=token
        ), status
    try:
        links.reset_password(link, cast(str, form.new_password.data))
    except links.LinkUnusable:
        return _unusable_page()
    # The old sessions have ended; this browser starts afresh, keeping only its language.
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    flash(_("Your password has been changed. Log in with the new password."), "success")
    return redirect(url_for("auth.login"), 303)
