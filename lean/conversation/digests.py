"""Reminders and e-mail digests: the work `flask notify-due` and `flask send-digests` do.

A digest carries a person's notifications newer than the last one their previous digest
carried (User.digest_cursor), so no item comes twice and a second run sends nothing; an empty
digest sends no mail. Links are absolute, built from the configured base URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import cast

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lean.conversation.notifications import Reason, card_path
from lean.core import unit_of_work
from lean.core.extensions import db
from lean.core.i18n import locale_for
from lean.core.mail import send_mail
from lean.core.urls import external_url
from lean.models import Improvement, Notification, User
from lean.models.base import utcnow
from lean.shared import policy
from lean.shared.events import EventKind, record_admin_event

FREQUENCIES = ("none", "daily", "weekly")
PERIOD = {"daily": timedelta(days=1), "weekly": timedelta(days=7)}
# A digest run a little early (cron at 06:00, the last one sent at 06:00:30) still counts.
SLACK = timedelta(hours=1)
MOST_ITEMS = 50


def notify_due_tomorrow(today: date) -> int:
    """Tell each owner of an open card due tomorrow, once per card and due date."""
    tomorrow = today + timedelta(days=1)
    cards = list(
        db.session.scalars(
            select(Improvement)
            .where(
                Improvement.due_date == tomorrow,
                Improvement.archived.is_(False),
                Improvement.stage != "done",
                Improvement.owner_id.is_not(None),
            )
            .options(joinedload(Improvement.owner), joinedload(Improvement.team))
        )
    )
    keys = {card.id: f"due:{card.id}:{tomorrow.isoformat()}" for card in cards}
    told = set(
        db.session.execute(
            select(Notification.user_id, Notification.key).where(
                Notification.key.in_(keys.values())
            )
        )
        .tuples()
        .all()
    )
    added = 0
    for card in cards:
        owner = cast(User, card.owner)  # the query takes owned cards only
        if (owner.id, keys[card.id]) in told or not policy.can_read_improvement(owner, card):
            continue
        db.session.add(
            Notification(
                user_id=owner.id,
                key=keys[card.id],
                reason=Reason.DUE_TOMORROW,
                title=card.title[:200],
                path=card_path(card.id),
            )
        )
        added += 1
    return added


def base_url() -> str:
    """The site's address for links in e-mail, from the configured BASE_URL (lean/core/urls.py)."""
    return external_url("boards.index").rstrip("/")


@dataclass
class Digest:
    user: User
    items: list[Notification]


def _is_due(user: User, now: datetime) -> bool:
    if user.digest_frequency not in PERIOD:
        return False
    return (
        user.digest_sent_at is None
        or now - user.digest_sent_at >= PERIOD[user.digest_frequency] - SLACK
    )


def pending_digests(now: datetime) -> list[Digest]:
    """Who gets a digest now, with what: two statements whatever the number of people."""
    users = [
        user
        for user in db.session.scalars(
            select(User).where(User.active.is_(True), User.digest_frequency != "none")
        )
        if _is_due(user, now)
    ]
    if not users:
        return []
    by_user: dict[int, list[Notification]] = {user.id: [] for user in users}
    rows = db.session.scalars(
        select(Notification)
        .join(User, User.id == Notification.user_id)
        .where(Notification.user_id.in_(by_user), Notification.id > User.digest_cursor)
        .options(joinedload(Notification.actor).joinedload(User.organization))
        .order_by(Notification.id)
    )
    for row in rows:
        by_user[row.user_id].append(row)
    return [Digest(user, by_user[user.id]) for user in users if by_user[user.id]]


def send_digests(now: datetime | None = None) -> int:
    """One mail per person whose digest is due and not empty; returns how many were queued.

    Each person's mail is queued (lean/core/mail.py) with their cursor saved in the same
    commit, so a failure halfway leaves the others to the next run and sends nobody the same
    items twice; the worker sends it, trying again while the mail server is away.
    """
    now = now or utcnow()
    sent = 0
    for digest in pending_digests(now):
        user = digest.user
        language = user.language or current_app.config["BABEL_DEFAULT_LOCALE"]
        with force_locale(locale_for(language)):
            subject = _("Vertaa: what happened since your last digest")
            body = render_template(
                "conversation/digest.txt",
                user=user,
                items=digest.items[-MOST_ITEMS:],
                more=max(0, len(digest.items) - MOST_ITEMS),
                base_url=base_url(),
                name_shown_to=policy.name_shown_to,
            )
        send_mail(user.email, subject, body, user.organization_id)
        user.digest_cursor = digest.items[-1].id
        user.digest_sent_at = now
        # Each mail is queued with its cursor at once: a later failure must not send these
        # items again. (The command's own unit of work commits what is left at its end.)
        unit_of_work.commit()
        sent += 1
    return sent


def set_digest_frequency(user: User, frequency: str) -> None:
    """The person's own choice of digest: none, daily or weekly."""
    if frequency not in FREQUENCIES or user.digest_frequency == frequency:
        return
    before, user.digest_frequency = user.digest_frequency, frequency
    record_admin_event(
        user,
        EventKind.EDITED,
        "user",
        user.id,
        user.organization_id,
        fields={"digest_frequency": [before, frequency]},
    )
