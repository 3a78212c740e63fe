"""Personal access tokens: made, revoked, recognised on a request, and counted for the rate limit.

A token is "vta_" and 256 random bits; only its SHA-256 is stored, with its first characters
so that a person can tell their tokens apart. Like every service these flush and never
commit. `authenticate` and `count_request` write to the token's row (when it was last used,
the rate limit's window): the API commits those writes at once, before its view runs, so that
a read (GET) that only reads keeps them and two workers' requests are counted together.
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import case, literal, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from lean.core.extensions import db
from lean.core.keys import new_token, token_hash
from lean.models import User
from lean.models.base import UTCDateTime, utcnow
from lean.models.connect import ApiToken
from lean.shared.events import EventKind, record_admin_event

TOKEN_PREFIX = "vta_"  # noqa: S105 (the marker every token starts with, not a secret)
SHOWN_PREFIX_LENGTH = 12


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE", "Europe/Helsinki"))


def expiry_of(expires_on: date) -> datetime:
    """The moment a token chosen to last until `expires_on` stops working: the end of that day
    in the installation's time (Helsinki), i.e. the next day's midnight there, in UTC."""
    midnight = datetime.combine(expires_on + timedelta(days=1), time(0), tzinfo=_zone())
    return midnight.astimezone(UTC)


def create_token(owner: User, name: str, can_write: bool, expires_on: date) -> tuple[ApiToken, str]:
    """A new token of `owner`'s and the token itself, which is shown once and never stored.
    The token lasts until the end of `expires_on` in Helsinki time (the installation's)."""
    raw = new_token(TOKEN_PREFIX)
    token = ApiToken(
        user=owner,
        name=name.strip(),
        token_hash=token_hash(raw),
        prefix=raw[:SHOWN_PREFIX_LENGTH],
        can_write=can_write,
        created_at=utcnow(),
        expires_at=expiry_of(expires_on),
    )
    db.session.add(token)
    db.session.flush()
    record_admin_event(
        owner,
        EventKind.TOKEN_CREATED,
        "user",
        owner.id,
        owner.organization_id,
        token=token.id,
        name=token.name,
        can_write=can_write,
        expires_on=expires_on,
    )
    db.session.flush()
    return token, raw


def revoke_token(actor: User, token: ApiToken) -> None:
    """The token stops working at once; revoking a revoked token changes nothing."""
    if token.revoked_at is not None:
        return
    token.revoked_at = utcnow()
    record_admin_event(
        actor,
        EventKind.TOKEN_REVOKED,
        "user",
        token.user_id,
        token.user.organization_id,
        token=token.id,
        name=token.name,
    )
    db.session.flush()


def authenticate(raw: str, now: datetime, *, mark_used: bool = True) -> ApiToken | None:
    """The token a request's `Authorization: Bearer` names, with its person loaded, when it is
    one that works at `now`; None when it is unknown, revoked or expired, or when its person is
    deactivated (or their organization is) or anonymised. Marks the token used at `now`, unless
    `mark_used` is off because count_request's one update will."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    # The token is found by its SHA-256 through a unique index, not compared with a secret
    # byte by byte: how long a lookup takes can tell at most how much of a stored *hash* an
    # attempt's hash shares, and no one can make a token whose hash starts as they wish, so
    # timing reveals nothing that brings a guess closer to a real token.
    token = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == token_hash(raw))
        .options(joinedload(ApiToken.user).joinedload(User.organization))
    )
    if token is None or token.revoked_at is not None or token.expires_at <= now:
        return None
    if not token.user.is_active or token.user.anonymised:
        return None
    if mark_used:
        token.last_used_at = now
        db.session.flush()
    return token


def count_request(token: ApiToken, now: datetime, limit: int, window_seconds: int) -> int | None:
    """Count one request of `token` in its fixed window of `window_seconds`, and mark the token
    used at `now`; when the window has more than `limit` requests, the whole seconds until it
    ends (for Retry-After), else None.

    The count is ONE update of the token's row that starts a new window or adds one to the
    current, returning the result: requests served by several workers (processes or servers)
    count together, as no counter held in a worker's memory would."""
    window = timedelta(seconds=window_seconds)
    at = literal(now, UTCDateTime)
    new_window = ApiToken.window_started_at.is_(None) | (
        ApiToken.window_started_at <= literal(now - window, UTCDateTime)
    )
    # Both assignments read the row as it was (SQL evaluates every SET expression before
    # assigning any), so the window's start and its count change together.
    statement = (
        update(ApiToken)
        .where(ApiToken.id == token.id)
        .values(
            window_started_at=case((new_window, at), else_=ApiToken.window_started_at),
            window_requests=case((new_window, 1), else_=ApiToken.window_requests + 1),
            last_used_at=at,
        )
        .returning(ApiToken.window_started_at, ApiToken.window_requests)
        .execution_options(synchronize_session=False)
    )
    started_at, requests = db.session.execute(statement).one()
    set_committed_value(token, "window_started_at", started_at)
    set_committed_value(token, "window_requests", requests)
    set_committed_value(token, "last_used_at", now)
    if requests <= limit:
        return None
    remaining = (started_at + window - now).total_seconds()
    return max(1, math.ceil(remaining))


def last_day_of(token: ApiToken) -> date:
    """The day a token was chosen to last until: the day before its expiry's midnight."""
    return (token.expires_at.astimezone(_zone()) - timedelta(microseconds=1)).date()
