"""Outgoing e-mail through the configured SMTP server, for every area.

Plain text in UTF-8 with the standard library only. Sending raises on any failure; the
pages then tell the person to copy the link and send it by hand.
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from flask import after_this_request, current_app

from lean.core.unit_of_work import after_commit


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
    app's context, failures only logged; only when the request's changes were committed.

    The page answers as fast whether or not a mail goes, so its timing tells nobody whether
    an address has an account. Runs when the server closes the response; there is no
    request then, so `send` takes along what it needs of it, and commits what it writes
    itself (lean/core/unit_of_work.py's `transaction`).
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # a proxy, typed as its object

    def run() -> None:
        with app.app_context():
            try:
                send()
            except Exception:  # any database, SMTP, network or TLS failure: nobody waits
                app.logger.exception("sending an e-mail after the response failed")

    def once_committed() -> None:
        @after_this_request
        def run_when_closed(response):
            response.call_on_close(run)
            return response

    # The request's commit comes before its response is sent (lean/core/unit_of_work.py).
    after_commit(once_committed)
