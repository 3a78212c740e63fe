"""The messages of sign-in: invitations and password resets, sent by lean/core/mail.py.

Each message is written while the request's transaction still reads, and sent after its
commit, so that no transaction is open while the mail server answers.
"""

from __future__ import annotations

from contextlib import nullcontext
from email.message import EmailMessage

from flask_babel import force_locale
from flask_babel import gettext as _

from lean.core.i18n import format_moment, locale_for
from lean.core.mail import compose
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
