"""The messages of sign-in: invitations and password resets, sent by lean/core/mail.py.

Each message is written in the request and queued once its change is committed; the job
worker sends it. A self-service reset's link is made by a job too, enqueued after the
response (`mail_requested_reset`), so that the request does the same work for every address.
"""

from __future__ import annotations

from contextlib import nullcontext
from email.message import EmailMessage

from flask_babel import force_locale
from flask_babel import gettext as _

from lean.auth import links
from lean.core.i18n import format_moment, locale_for
from lean.core.jobs import job
from lean.core.mail import compose, queue_mail
from lean.models import OneTimeLink, User


def invitation_message(link: OneTimeLink, url: str, inviter: User) -> EmailMessage:
    """The invitation with its one-time link, in the inviter's language."""
    lines = [
        _(
            "%(name)s has invited you to Vertaa, the improvement tracker of %(organization)s.",
            name=inviter.name,
            organization=link.organization.name,
        ),
        "",
        _("Open this link to choose your password and start:"),
        url,
        "",
        _(
            "The link works once, until %(time)s. If it has expired, ask %(name)s for a new one.",
            time=format_moment(link.expires_at),
            name=inviter.name,
        ),
    ]
    return compose(link.email, _("Invitation to Vertaa"), "\n".join(lines) + "\n")


def password_reset_message(
    link: OneTimeLink, url: str, language: str | None = None
) -> EmailMessage:
    """The password reset e-mail, in the user's language when they have chosen one, else in
    `language` (else the request's)."""
    language = (link.user.language if link.user is not None else None) or language
    with force_locale(locale_for(language)) if language else nullcontext():
        subject, body = _password_reset_text(link, url)
    return compose(link.email, subject, body)


def _password_reset_text(link: OneTimeLink, url: str) -> tuple[str, str]:
    lines = [
        _("A new password has been requested for your Vertaa account %(email)s.", email=link.email),
        "",
        _("Open this link to choose a new password:"),
        url,
        "",
        _(
            "The link works once, until %(time)s. If you did not ask for it, ignore this message;"
            " your password stays as it is.",
            time=format_moment(link.expires_at),
        ),
    ]
    return _("New password for Vertaa"), "\n".join(lines) + "\n"


@job()
def mail_requested_reset(user_id: int | None, token: str, url: str, language: str) -> None:
    """The job a self-service reset request enqueues after its response: the link stored,
    then its mail queued, when the address has an account (None: nothing to do)."""
    link = links.create_requested_reset(user_id, token) if user_id is not None else None
    if link is not None:
        queue_mail(password_reset_message(link, url, language), link.organization_id)
