"""Inviting the people an import made, the organization's pending invitations, and the page
an invited person chooses their password on."""

from __future__ import annotations

from typing import cast

from flask import flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import current_user, login_required, login_user

from lean.auth import invitations, links
from lean.auth.forms import ResetPasswordForm
from lean.auth.invitations import Invitation
from lean.auth.queries import people_param
from lean.auth.views import auth_blueprint
from lean.core.i18n import current_language
from lean.core.mail import mail_configured, queue_mail
from lean.models import LinkPurpose, Organization
from lean.models.base import utcnow
from lean.shared import policy

# On its way (by the job queue), or e-mail is off.
MAIL_QUEUED, MAIL_OFF = "queued", "off"


def _queue_all(sent: list[Invitation], mail: bool, organization: Organization) -> None:
    """Queue each composed mail, to go once the links are stored (the request's commit).
    Whether it arrives the page cannot know: it keeps each link to copy, and a mail that
    cannot be sent is listed in administration's failed e-mails."""
    for invitation in sent:
        if not invitation.sends:
            continue
        if not mail or invitation.message is None:
            invitation.mail_state = MAIL_OFF
            continue
        queue_mail(invitation.message, organization.id)
        invitation.mail_state = MAIL_QUEUED


def _sent_page(organization: Organization, sent: list[Invitation]):
    body = render_template("admin/invitations_sent.html", organization=organization, sent=sent)
    # The page may show links that open an account: never cached.
    return body, 200, {"Cache-Control": "no-store"}


@auth_blueprint.get("/organizations/<int:organization_id>/invitations/new")
@login_required
def new_people(organization_id: int):
    """The people an import made, and the one action of inviting them all."""
    organization = policy.organization_for_management(current_user, organization_id)
    people_text = request.args.get("people", "")
    people = invitations.people_of(organization, invitations.parse_people(people_text))
    return render_template(
        "admin/new_people.html",
        organization=organization,
        planned=invitations.ways_in(organization, people),
        people=people_param(person.id for person in people),
    )


@auth_blueprint.post("/organizations/<int:organization_id>/invitations/send")
@login_required
def send_invitations(organization_id: int):
    """Send each listed person their invitation or welcome; the page says how each went."""
    organization = policy.organization_for_management(current_user, organization_id)
    people = invitations.people_of(
        organization, invitations.parse_people(request.form.get("people"))
    )
    mail = mail_configured()
    sent = invitations.invite_people(
        current_user, organization, people, mail=mail, language=current_language()
    )
    _queue_all(sent, mail, organization)
    return _sent_page(organization, sent)


@auth_blueprint.get("/organizations/<int:organization_id>/invitations/pending")
@login_required
def pending_invitations(organization_id: int):
    """The organization's invitations not yet used: resend or take back each."""
    organization = policy.organization_for_management(current_user, organization_id)
    return render_template(
        "admin/pending_invitations.html",
        organization=organization,
        pending=invitations.pending(organization),
    )


def _no_longer_pending(organization_id: int):
    flash(_("That invitation has already been used or taken back."), "error")
    return redirect(url_for("auth.pending_invitations", organization_id=organization_id), 303)


@auth_blueprint.post("/invitations/<int:link_id>/resend")
@login_required
def resend_invitation(link_id: int):
    """A new link in place of the old, which stops working."""
    link = policy.invitation_for_management(current_user, link_id)
    organization = link.organization
    if not link.is_usable(utcnow()):
        return _no_longer_pending(organization.id)
    mail = mail_configured()
    invitation = invitations.resend(current_user, link, mail=mail, language=current_language())
    if invitation is None:
        flash(_("%(email)s has an account now; the invitation was taken back.", email=link.email))
        return redirect(url_for("auth.pending_invitations", organization_id=organization.id), 303)
    _queue_all([invitation], mail, organization)
    # The page keeps the new link to copy, should the mail not arrive.
    return _sent_page(organization, [invitation])


@auth_blueprint.post("/invitations/<int:link_id>/revoke")
@login_required
def revoke_invitation(link_id: int):
    """Take an invitation back: its link no longer works."""
    link = policy.invitation_for_management(current_user, link_id)
    if not link.is_usable(utcnow()):
        return _no_longer_pending(link.organization_id)
    links.revoke_invitation(current_user, link)
    flash(_("The invitation of %(email)s was taken back.", email=link.email), "success")
    return redirect(url_for("auth.pending_invitations", organization_id=link.organization_id), 303)


@auth_blueprint.route("/welcome/<token>", methods=["GET", "POST"])
def welcome(token: str):
    """An invited person who has an account chooses their password, and is logged in."""
    link = links.find_usable_link(token, LinkPurpose.INVITATION)
    if link is None or link.user is None or not link.user.active:
        return render_template("auth/link_unusable.html"), 404
    if link.user.language and "language" not in session:
        # The page speaks the language the invitation was written in, until they choose.
        session["language"] = link.user.language
        refresh()
    form = ResetPasswordForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template(
            "auth/choose_password.html", form=form, link=link, token=token
        ), status
    try:
        user = links.accept_user_invitation(link, cast(str, form.new_password.data))
    except links.LinkUnusable:
        return render_template("auth/link_unusable.html"), 404
    language = session.get("language")
    session.clear()
    if language:
        session["language"] = language
    login_user(user)
    flash(_("Welcome to Vertaa!"), "success")
    return redirect(url_for("boards.index"), 303)
