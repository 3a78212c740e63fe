"""The messages of sign-in: invitations and password resets, sent by lean/core/mail.py."""

from __future__ import annotations

from contextlib import nullcontext
from email.message import EmailMessage

from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _

from lean.core.i18n import locale_for
from lean.core.mail import compose, deliver, send_mail
from lean.models import OneTimeLink, User


def send_invitation(link: OneTimeLink, url: str, inviter: User) -> None:
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
            time=format_datetime(link.expires_at, "short"),
            name=inviter.name,
        ),
    ]
    send_mail(link.email, _("Invitation to Vertaa"), "\n".join(lines) + "\n")


def send_password_reset(link: OneTimeLink, url: str, language: str | None = None) -> None:
    """The password reset link, in the user's language when they have chosen one, else in
    `language` (else the request's)."""
    deliver(password_reset_message(link, url, language))


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
            time=format_datetime(link.expires_at, "short"),
        ),
    ]
    return _("New password for Vertaa"), "\n".join(lines) + "\n"
