"""Delivering committed events to the organizations' webhook endpoints: at least once, and
in order per endpoint.

A subscriber of every event kind enqueues "deliver to this organization's endpoints" once the
change is committed (a rolled-back change sends nothing). The job walks each endpoint's events
after its cursor (`last_event_id`), oldest first: a kind the endpoint does not want moves the
cursor on; a wanted one gets its WebhookDelivery row and is POSTed. A 2xx answer marks it
delivered and moves the cursor past it, committed at once. Any other answer, or none, records
the attempt, sets when the next one is due (Standard Webhooks' schedule, with jitter) and
stops for this endpoint: the later events wait, so the order is kept. A 410 Gone, or failures
without a success for three days, take the endpoint out of use and tell its organization's
admins.

Only one worker sends to an endpoint at a time: a lease in the queue's storage names the
process that holds it and lasts LEASE_SECONDS, renewed before each request; a lease whose
process is gone (a worker killed on this host) or whose time has run out is taken over. A
periodic job every minute, and each worker as it starts, pick up every endpoint with work
left, so a worker killed mid-delivery loses nothing: the cursor moves only after a success,
and the event is sent again with the same `webhook-id`.
"""

from __future__ import annotations

import json
import logging
import os
import random
import socket
import threading
import time
from datetime import datetime, timedelta
from typing import Any

import requests
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from huey import crontab
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from lean.core import jobs
from lean.core.extensions import db
from lean.core.i18n import locale_for
from lean.core.keys import decrypt_secret
from lean.core.mail import mail_configured, send_mail
from lean.core.unit_of_work import commit, rollback
from lean.core.urls import external_url
from lean.models import Event, Notification, User
from lean.models.base import utcnow
from lean.models.connect import (
    DeliveryStatus,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookFormat,
)
from lean.shared import policy
from lean.shared.events import (
    CommittedEvent,
    EventKind,
    record_admin_event,
    subscribe_to_commits,
)
from lean.webhooks import guard, labels, payloads

log = logging.getLogger(__name__)

USER_AGENT = "Vertaa-Webhooks/1"
# Seconds to connect, and to wait for the answer.
TIMEOUT = (5, 10)
# The delays after the 1st, 2nd, … failed attempt (Standard Webhooks' suggestion, spread over
# about a day); the last one repeats until the endpoint is taken out of use.
RETRY_SCHEDULE = (5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600)
JITTER = 0.2
# Failing without a success this long takes the endpoint out of use.
GIVE_UP_AFTER = timedelta(days=3)
# Events read at a time, and deliveries one job makes to one endpoint before it lets others go.
BATCH = 200
SENDS_PER_RUN = 100
LEASE_SECONDS = 120
# How old an event must be before the cursor passes it (see _next): a transaction that
# commits later than this after writing its event would be passed by.
SETTLE = timedelta(seconds=60)
# How long a delivered event stays in its endpoint's log.
KEEP_DELIVERED = timedelta(days=30)
# Why an endpoint was taken out of use (WebhookEndpoint.disabled_reason).
GONE = labels.GONE
FAILING = labels.FAILING
# The inbox's reason for telling the admins (templates/conversation/_reason.html).
DISABLED_REASON = "webhook_disabled"


def retry_delay(attempts: int, rng: random.Random | None = None) -> timedelta:
    """How long after the `attempts`-th failed attempt the next one is due, with ±20 % jitter."""
    base = RETRY_SCHEDULE[min(max(attempts, 1), len(RETRY_SCHEDULE)) - 1]
    factor = (rng or random).uniform(1 - JITTER, 1 + JITTER)
    return timedelta(seconds=base * factor)


def wanted_kinds(endpoint: WebhookEndpoint) -> set[str]:
    return {line.strip() for line in (endpoint.kinds or "").splitlines() if line.strip()}


# ---- the lease: one sender per endpoint ----------------------------------------------------


def _me() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _lease_key(endpoint_id: int) -> str:
    return f"webhook-endpoint-lease-{endpoint_id}"


def _process_gone(holder: str) -> bool:
    host, _, rest = holder.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False  # another host's process: only its lease's time tells
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def _stale(lease: Any) -> bool:
    if not isinstance(lease, dict):
        return True
    return float(lease.get("until", 0)) < time.time() or _process_gone(str(lease.get("holder")))


def _take_lease(endpoint_id: int) -> bool:
    key = _lease_key(endpoint_id)
    mine = {"holder": _me(), "until": time.time() + LEASE_SECONDS}
    queue = jobs.queue
    if queue.put_if_empty(key, mine):
        return True
    current = queue.get(key, peek=True)
    if current is None:  # released meanwhile
        return bool(queue.put_if_empty(key, mine))
    if not _stale(current):
        return False
    taken = queue.get(key)  # removes it
    if taken != current:  # renewed or taken over by someone else meanwhile: theirs
        if taken is not None:
            queue.put_if_empty(key, taken)
        return False
    log.warning("taking over the stale lease of webhook endpoint %s from %s", endpoint_id, current)
    return bool(queue.put_if_empty(key, mine))


def _renew_lease(endpoint_id: int) -> None:
    jobs.queue.put(_lease_key(endpoint_id), {"holder": _me(), "until": time.time() + LEASE_SECONDS})


def _release_lease(endpoint_id: int) -> None:
    key = _lease_key(endpoint_id)
    current = jobs.queue.get(key, peek=True)
    if isinstance(current, dict) and current.get("holder") == _me():
        jobs.queue.delete(key)


# ---- sending one event ---------------------------------------------------------------------


def message_id(endpoint_id: int, event_id: int) -> str:
    """The `webhook-id`: the same for every attempt of one event to one endpoint."""
    return f"msg_{endpoint_id}_{event_id}"


def signed_request(
    endpoint: WebhookEndpoint, event: Event, now: datetime
) -> tuple[bytes, dict[str, str]]:
    """The body and headers of the event for the endpoint, signed with its secret."""
    body = json.dumps(
        payloads.body(endpoint.format, event), ensure_ascii=False, separators=(",", ":")
    )
    msg_id = message_id(endpoint.id, event.id)
    secret = decrypt_secret(endpoint.secret_encrypted)
    signature = Webhook(secret).sign(msg_id=msg_id, timestamp=now, data=body)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }
    return body.encode(), headers


def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    """POST to the URL if the guard lets it, to the address it checked; (status, error)."""
    allowed = jobs.app().config.get("WEBHOOK_ALLOWED_HOSTS") or ()
    try:
        target = guard.check(url, allowed)
    except guard.Refused as refused:
        detail = f" ({refused.detail})" if refused.detail else ""
        return None, f"refused: {refused.reason}{detail}"
    session, pinned_url, host = guard.pinned_request(target)
    try:
        with session:
            response = session.post(
                pinned_url,
                data=body,
                headers={**headers, **host},
                timeout=TIMEOUT,
                allow_redirects=False,
            )
            response.close()
    except requests.RequestException as error:
        return None, f"{type(error).__name__}: {error}"[:300]
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"HTTP {response.status_code} {response.reason or ''}".strip()


# ---- the endpoint's stream -----------------------------------------------------------------

SENT, WAITING, DONE, STOPPED = "sent", "waiting", "done", "stopped"


def _events_after(endpoint: WebhookEndpoint, after: int) -> list[Event]:
    query = (
        select(Event)
        .where(Event.id > after, Event.organization_id == endpoint.organization_id)
        .order_by(Event.id)
        .limit(BATCH)
    )
    if endpoint.team_id is not None:
        query = query.where(Event.team_id == endpoint.team_id)
    return list(db.session.scalars(query))


def _wanted(endpoint: WebhookEndpoint, kinds: set[str], event: Event) -> bool:
    if event.kind not in kinds:
        return False
    return endpoint.format != WebhookFormat.TEAMS or payloads.wanted_by_teams(event)


def _next(endpoint_id: int) -> tuple[str, int | None]:
    """Find the endpoint's next event to send. Commits; returns (what to do, the delivery's
    id).

    The cursor (`last_event_id`) moves only over events that are handled (delivered, or of a
    kind not wanted) and settled (older than SETTLE): on PostgreSQL an event's id is drawn
    when its change is written, not when it commits, so a change that commits a moment after
    a later one would otherwise fall behind a cursor that had moved on. Recent events are
    read again, and those delivered already passed by their delivery row.
    """
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or not endpoint.active:
        commit()
        return STOPPED, None
    kinds = wanted_kinds(endpoint)
    now = utcnow()
    settled = now - SETTLE
    after = endpoint.last_event_id
    # Whether every event read so far is handled and settled: the cursor may follow.
    movable = True
    while True:
        events = _events_after(endpoint, after)
        if not events:
            commit()
            return DONE, None
        wanted = {event.id for event in events if _wanted(endpoint, kinds, event)}
        rows = {
            row.event_id: row
            for row in db.session.scalars(
                select(WebhookDelivery).where(
                    WebhookDelivery.endpoint_id == endpoint.id,
                    WebhookDelivery.event_id.in_(wanted),
                )
            )
        }
        for event in events:
            after = event.id
            delivery = rows.get(event.id)
            handled = event.id not in wanted or (
                delivery is not None and delivery.status == DeliveryStatus.DELIVERED
            )
            if handled:
                movable = movable and event.at <= settled
                if movable:
                    endpoint.last_event_id = event.id
                continue
            if delivery is None:
                delivery = WebhookDelivery(endpoint_id=endpoint.id, event_id=event.id)
                db.session.add(delivery)
            elif delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
                commit()
                return WAITING, delivery.id
            db.session.flush()
            delivery_id = delivery.id
            commit()
            return SENT, delivery_id


def _attempt(delivery_id: int, *, in_order: bool = True) -> bool:
    """One attempt of a delivery: sent with no transaction open, the outcome committed.
    `in_order`: a failure schedules the next attempt and may take the endpoint out of use (a
    resend on its own does neither). Whether it was delivered."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return False
    endpoint = delivery.endpoint
    event = db.session.get(Event, delivery.event_id)
    if event is None:
        return False
    now = utcnow()
    body, headers = signed_request(endpoint, event, now)
    url, endpoint_id = endpoint.url, endpoint.id
    commit()  # nothing is held while the other server answers
    status, error = post(url, body, headers)
    delivery = db.session.get(WebhookDelivery, delivery_id)
    current = db.session.get(WebhookEndpoint, endpoint_id)
    if delivery is None or current is None:  # removed while it was being sent
        rollback()
        return False
    endpoint = current
    now = utcnow()
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = status
    delivery.last_error = error[:300]
    if not error:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
        endpoint.failing_since = None
        commit()  # the cursor follows once the event has settled (see _next)
        return True
    if in_order and delivery.status != DeliveryStatus.DELIVERED:
        endpoint.failing_since = endpoint.failing_since or now
        if status == 410:
            _disable(endpoint, delivery, GONE)
        elif now - endpoint.failing_since >= GIVE_UP_AFTER:
            _disable(endpoint, delivery, FAILING)
        else:
            delivery.next_attempt_at = now + retry_delay(delivery.attempts)
            _schedule_retry(endpoint.id, delivery.next_attempt_at)
    commit()
    return False


def _disable(endpoint: WebhookEndpoint, delivery: WebhookDelivery, reason: str) -> None:
    """Take the endpoint out of use on this delivery, and tell its organization's admins."""
    now = utcnow()
    endpoint.active = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = reason
    delivery.status = DeliveryStatus.FAILED
    delivery.next_attempt_at = None
    admins = list(
        db.session.scalars(
            select(User).where(
                policy.told_of_webhooks(endpoint.organization_id), User.active.is_(True)
            )
        )
    )
    key = f"webhook:{endpoint.id}:{int(now.timestamp())}"
    for admin in admins:
        db.session.add(
            Notification(
                user_id=admin.id,
                key=key,
                reason=DISABLED_REASON,
                title=endpoint.name[:200],
                path=f"/admin/webhooks/{endpoint.id}",
                created_at=now,
            )
        )
        _mail_admin(admin, endpoint, reason)
    record_admin_event(
        None,
        EventKind.WEBHOOK_DISABLED,
        "webhook_endpoint",
        endpoint.id,
        endpoint.organization_id,
        name=endpoint.name,
        reason=reason,
    )
    log.warning("webhook endpoint %s taken out of use: %s", endpoint.id, reason)


def _mail_admin(admin: User, endpoint: WebhookEndpoint, reason: str) -> None:
    """An e-mail in the admin's language, sent by the job queue once this is committed."""
    if not mail_configured() or not admin.email:
        return
    language = admin.language or current_app.config["BABEL_DEFAULT_LOCALE"]
    with force_locale(locale_for(language)):
        subject = _("Vertaa: the webhook “%(name)s” was taken out of use", name=endpoint.name)
        body = "\n\n".join(
            [
                labels.disabled_text(reason),
                _(
                    "Nothing more is sent to it. When its receiver works again, put it back in "
                    "use on its page; the event it stopped on is sent first:"
                ),
                external_url("webhooks.endpoint", endpoint_id=endpoint.id),
            ]
        )
    send_mail(admin.email, subject, body, endpoint.organization_id)


def _schedule_retry(endpoint_id: int, at: datetime) -> None:
    """A job at the moment the retry is due (the minute's job would find it too)."""
    if jobs.runs_immediately():
        return  # nothing would run it: the tests move the clock and ask again
    try:
        deliver_to_endpoint.schedule((endpoint_id,), eta=at)
    except Exception:  # the minute's job picks it up all the same
        log.exception("scheduling the retry of webhook endpoint %s failed", endpoint_id)


def _wish_key(endpoint_id: int) -> str:
    return f"webhook-endpoint-wish-{endpoint_id}"


def deliver_endpoint(endpoint_id: int) -> None:
    """Send the endpoint's pending events in order, until one fails or none is left.

    A job that finds the lease taken leaves a wish and goes: the holder, once it has let go,
    finds the wish and looks again, so an event committed while it was sending does not wait
    for the minute's job. (The wish is left before the second try for the lease: either that
    try succeeds, or the holder still held it and lets go after the wish was left.)
    """
    wish = _wish_key(endpoint_id)
    while True:
        if not _take_lease(endpoint_id):
            jobs.queue.put(wish, 1)
            if not _take_lease(endpoint_id):
                return
        jobs.queue.delete(wish)  # what it asked for is read now
        more = False
        try:
            more = _send_pending(endpoint_id)
        finally:
            rollback()
            _release_lease(endpoint_id)
        if more:  # a job of its own for the rest, so that other endpoints get their turn
            deliver_to_endpoint(endpoint_id)
            return
        if jobs.queue.get(wish) is None:  # none left while it sent
            return


def _send_pending(endpoint_id: int) -> bool:
    """Deliver in order while the lease is held; whether more is left after this run's share."""
    sent = 0
    while True:
        outcome, delivery_id = _next(endpoint_id)
        if outcome != SENT or delivery_id is None:
            return False
        _renew_lease(endpoint_id)
        if not _attempt(delivery_id):
            return False
        sent += 1
        if sent >= SENDS_PER_RUN and not jobs.runs_immediately():
            return True


def _active_endpoint_ids(organization_id: int | None = None) -> list[int]:
    query = select(WebhookEndpoint.id).where(WebhookEndpoint.active.is_(True))
    if organization_id is not None:
        query = query.where(WebhookEndpoint.organization_id == organization_id)
    ids = list(db.session.scalars(query.order_by(WebhookEndpoint.id)))
    rollback()
    return ids


def deliver_organization(organization_id: int) -> None:
    for endpoint_id in _active_endpoint_ids(organization_id):
        deliver_endpoint(endpoint_id)


def deliver_all_pending() -> None:
    for endpoint_id in _active_endpoint_ids():
        deliver_endpoint(endpoint_id)


def resend_delivery(delivery_id: int) -> None:
    """Send one delivery again now. A delivered one, or one of an endpoint out of use, is sent
    once more on its own (no retries follow); one that waits for its retry is tried now, in
    its place in the endpoint's order."""
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        return
    endpoint_id = delivery.endpoint_id
    if delivery.status == DeliveryStatus.DELIVERED or not delivery.endpoint.active:
        rollback()
        if _take_lease(endpoint_id):
            try:
                _attempt(delivery_id, in_order=False)
            finally:
                rollback()
                _release_lease(endpoint_id)
        return
    delivery.next_attempt_at = None
    commit()
    deliver_endpoint(endpoint_id)


# ---- the jobs ------------------------------------------------------------------------------
# Each runs in an app context and database session of its own (lean/core/jobs.py), also when
# JOBS_IMMEDIATE runs it at once from the subscriber below, while the change's commit ends.


@jobs.job()
def deliver_to_organization(organization_id: int) -> None:
    deliver_organization(organization_id)


@jobs.job()
def deliver_to_endpoint(endpoint_id: int) -> None:
    deliver_endpoint(endpoint_id)


@jobs.job()
def deliver_pending() -> None:
    deliver_all_pending()


@jobs.job()
def resend(delivery_id: int) -> None:
    resend_delivery(delivery_id)


@jobs.job(schedule=crontab())
def deliver_pending_every_minute() -> None:
    """Retries that are due, and whatever a worker killed mid-delivery left."""
    deliver_all_pending()


def prune_delivery_log(now: datetime | None = None) -> int:
    """Delivered deliveries older than KEEP_DELIVERED leave the log (the cursor is past them);
    pending and failed ones stay. Returns how many went."""
    cutoff = (now or utcnow()) - KEEP_DELIVERED
    result = db.session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.status == DeliveryStatus.DELIVERED,
            WebhookDelivery.delivered_at < cutoff,
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


@jobs.job(schedule=jobs.daily_at(4, 45))
def prune_delivery_log_nightly() -> None:
    prune_delivery_log()


def pick_up_at_start() -> None:
    """A worker starting enqueues the delivery of whatever is pending (a killed worker's)."""
    deliver_pending()


# ---- the subscriber ------------------------------------------------------------------------


def on_commit(session: Session, events: list[CommittedEvent]) -> None:
    """After each commit that recorded events: deliver to the endpoints of the organizations
    they belong to (one job per organization with endpoints, however many events)."""
    organizations = {event.organization_id for event in events if event.organization_id}
    if not organizations:
        return
    with_endpoints = list(
        session.scalars(
            select(WebhookEndpoint.organization_id)
            .where(
                WebhookEndpoint.organization_id.in_(organizations),
                WebhookEndpoint.active.is_(True),
            )
            .distinct()
        )
    )
    # Its transaction ends first: on SQLite it holds the write lock the job's own needs.
    session.rollback()
    for organization_id in sorted(with_endpoints):
        deliver_to_organization(organization_id)


def init_app(_app=None) -> None:
    subscribe_to_commits(on_commit)
    jobs.on_startup(pick_up_at_start)
