"""Outgoing e-mail through the configured SMTP server, for every area, by the job queue.

Plain text in UTF-8 with the standard library only. A page or command never talks to the
mail server itself: `queue_mail` (or `send_mail`) hands the message to the job queue once the
change that made it is committed, and the worker sends it (lean/core/jobs.py). A message the
server refuses, or a server that does not answer, is tried again MAIL_RETRIES times with a
growing delay; after the last try the failure is logged and kept as a MailFailure, which the
organization's admins see in administration (Failed e-mails).
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from datetime import timedelta
from email import message_from_bytes
from email import policy as email_policy
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from flask import current_app
from sqlalchemy import delete

from lean.core.extensions import db
from lean.core.jobs import job, queue, runs_immediately
from lean.core.unit_of_work import after_commit
from lean.models import MailFailure
from lean.models.base import utcnow

log = logging.getLogger(__name__)


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


def queue_mail(message: EmailMessage, organization_id: int | None = None) -> None:
    """Send the message by the job queue once the current unit of work has committed.

    `organization_id` names whose admins see the mail if it cannot be sent (None: only the
    installation's admins)."""
    config = current_app.config
    retries, delay = int(config["MAIL_RETRIES"]), int(config["MAIL_RETRY_DELAY"])
    raw, to = message.as_bytes(), str(message["To"])

    def enqueue() -> None:
        try:
            send_queued_mail(
                raw, organization_id, retries, retries=retries, retry_delay=delay, retry_backoff=2
            )
        except Exception:  # the queue's storage (Redis, the SQLite file) cannot be reached
            log.exception("queueing an e-mail to %s failed: it is not sent", to)

    after_commit(enqueue)


def send_mail(to: str, subject: str, body: str, organization_id: int | None = None) -> None:
    """Compose one plain-text message and queue it (see `queue_mail`)."""
    queue_mail(compose(to, subject, body), organization_id)


@job(context=True)
def send_queued_mail(
    raw: bytes, organization_id: int | None, retries: int, task: Any = None
) -> None:
    """The job: hand the message to the SMTP server; on failure huey tries again after its
    delay, and after the last try the failure is kept for the admins.

    A worker killed while it sends (SIGKILL, a crash, the machine gone) loses the job it had
    taken from the queue; so each try first schedules a copy of itself, MAIL_GUARD_SECONDS
    later, and takes it back once the try has ended either way. A killed try's copy goes
    when its time comes: the mail may then arrive twice, but never not at all."""
    message = message_from_bytes(raw, policy=email_policy.default)
    guard = _guard(task, raw, organization_id, retries)
    try:
        deliver(message)
    except Exception as error:  # any SMTP, network or TLS failure
        left = task.retries if task is not None else 0
        if left and not runs_immediately():
            log.warning(
                "sending an e-mail to %s failed (%s); %d tries left", message["To"], error, left
            )
            raise  # huey runs the job again after its retry delay
        attempts = retries - left + 1 if not runs_immediately() else 1
        _record_failure(message, organization_id, error, attempts)
    finally:
        if guard is not None:
            # Taken back: its one run is skipped (and the mark removed then).
            queue.revoke_by_id(guard, revoke_once=True)


def _guard(task: Any, raw: bytes, organization_id: int | None, retries: int) -> str | None:
    """Schedule this try again for later, in case the worker dies during it; its task id."""
    if task is None or runs_immediately():
        return None
    guard_id = f"{task.id}.{task.retries}"
    copy = send_queued_mail.s(
        raw,
        organization_id,
        retries,
        delay=int(current_app.config["MAIL_GUARD_SECONDS"]),
        id=guard_id,
        retries=task.retries,
        retry_delay=task.retry_delay,
        retry_backoff=task.retry_backoff,
    )
    queue.add_schedule(copy)  # straight into the schedule, where the worker's scheduler looks
    return guard_id


def _record_failure(
    message: EmailMessage, organization_id: int | None, error: Exception, attempts: int
) -> None:
    to, subject = str(message["To"] or ""), str(message["Subject"] or "")
    log.error("sending an e-mail to %s failed for good after %d tries: %s", to, attempts, error)
    text = f"{type(error).__name__}: {error}"
    db.session.add(
        MailFailure(
            organization_id=organization_id,
            to_address=to[:255],
            subject=subject[:300],
            error=text[:500],
            attempts=attempts,
        )
    )


# Failed mails are listed for admins this long, then forgotten (`flask prune`, daily).
FAILURES_KEPT = timedelta(days=90)


def forget_old_failures() -> int:
    """Remove the failed mails older than FAILURES_KEPT; how many."""
    result = db.session.execute(
        delete(MailFailure).where(MailFailure.at < utcnow() - FAILURES_KEPT)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]  # a DML statement's result


def deliver(message: EmailMessage) -> None:
    """Hand the message to the SMTP server; raises (OSError, smtplib.SMTPException) on failure.

    Only the mail job calls it: a request never waits for the mail server."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        raise smtplib.SMTPException("no mail server is set (LEAN_MAIL_SERVER)")
    with smtplib.SMTP(
        config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=config["MAIL_TIMEOUT"]
    ) as smtp:
        if config["MAIL_USE_TLS"]:
            smtp.starttls(context=ssl.create_default_context())
        if config["MAIL_USERNAME"]:
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
        smtp.send_message(message)
