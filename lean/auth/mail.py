"""Outgoing e-mail through the configured SMTP server: invitations and password resets.

Plain text in UTF-8 with the standard library only. Sending raises on any failure; the
pages then tell the person to copy the link and send it by hand.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from contextlib import nullcontext
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import after_this_request, current_app
from flask_babel import force_locale, format_datetime
from flask_babel import gettext as _

from lean.core.i18n import locale_for
from lean.models import OneTimeLink, User


def mail_configured() -> bool:
    """E-mail is on when an SMTP server is set."""
    return bool(current_app.config.get("MAIL_SERVER"))


def _sender() -> str:
    config = current_app.config
    return config["MAIL_SENDER"] or f"vertaa@{config['MAIL_SERVER']}"


def compose(to: str, subject: str, body: str) -> EmailMessage:
    """One plain-text message from the configured sender."""
    sender = _sender()
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=parseaddr(sender)[1].rpartition("@")[2] or None)
    # Quoted-printable keeps the message 7-bit clean for servers without 8BITMIME.
    message.set_content(body, charset="utf-8", cte="quoted-printable")
    return message


def deliver(message: EmailMessage) -> None:
    """Hand the message to the SMTP server; raises (OSError, smtplib.SMTPException) on failure."""
    config = current_app.config
    with smtplib.SMTP(
        config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=config["MAIL_TIMEOUT"]
    ) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)


def send_mail(to: str, subject: str, body: str) -> None:
    """Send one plain-text message; raises (OSError, smtplib.SMTPException) when it fails."""
    deliver(compose(to, subject, body))


def send_after_response(send: Callable[[], None]) -> None:
    """Call `send` (which makes and sends a mail) once the response has gone out, in the
    app's context, failures only logged.

    The page answers as fast whether or not a mail goes, so its timing tells nobody whether
    an address has an account. Runs when the server closes the response; there is no
    request then, so `send` takes along what it needs of it.
    """
    app = current_app._get_current_object()

    def run() -> None:
        with app.app_context():
            try:
                send()
            except Exception:  # any database, SMTP, network or TLS failure: nobody waits
                app.logger.exception("sending an e-mail after the response failed")

    @after_this_request
    def run_when_closed(response):
        response.call_on_close(run)
        return response


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
