"""Authentication: checking passwords, locking after repeated failures, ending sessions."""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import cast

from flask import current_app
from sqlalchemy import CursorResult, delete, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from lean.core import unit_of_work
from lean.core.extensions import db
from lean.models import LoginFailure, PasswordResetRequest, User
from lean.models.base import utcnow
from lean.models.user import new_session_token


@dataclass
class LoginLocked(Exception):
    """Too many failed logins for this account, or from this address; try again after `until`."""

    until: datetime
    by_address: bool = False


# An IPv6 client is counted by its /64: one subscriber or site gets a whole /64, so an
# attacker could otherwise take a fresh address for every guess.
IPV6_COUNTED_PREFIX = 64


def normalize_email(email: str) -> str:
    return email.strip().lower()


def counted_address(address: str) -> str:
    """The key a network address is counted under by the per-address limits.

    IPv4 addresses count one by one (an IPv4-mapped IPv6 address as its IPv4 address), IPv6
    addresses by their /64 network, e.g. "2001:db8:1:2::/64". Anything else counts as it is.
    """
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if ip.version == 4:
        return str(ip)
    return str(ipaddress.ip_network(f"{ip}/{IPV6_COUNTED_PREFIX}", strict=False))


def email_taken(email: str, except_user: User | None = None) -> bool:
    """Whether someone (other than except_user) already has this address."""
    query = select(User.id).where(User.email == normalize_email(email))
    if except_user is not None:
        query = query.where(User.id != except_user.id)
    return db.session.scalar(query) is not None


def authenticate(email: str, password: str, address: str = "") -> User | None:
    """The active user with this email and password, or None; raise LoginLocked when locked.

    Failures are counted per account and per network address in the database, so the limits
    hold however many app processes serve the logins. The slow hash is checked first, with no
    transaction open (on SQLite, not holding the one write lock). Then, in one locked step,
    the attempt is recorded as a failure and counted, and only after that is its answer
    decided: an attempt over a limit is refused whatever its password, so parallel guesses
    get no more answers than the limits allow. A right password forgets the account's
    failures; a wrong one stays recorded, which the caller keeps although it refuses the
    login (unit_of_work.commit_even_if_refused). A correct password does not open a locked
    account.
    """
    email = normalize_email(email)
    user = db.session.scalar(select(User).where(User.email == email))
    stored_hash = user.password_hash if user is not None else None
    may_log_in = user is not None and user.is_active
    user_id = user.id if user is not None else None
    unit_of_work.end_read_only_transaction()
    matches = password_matches(stored_hash, password)
    _reserve_attempt(email, counted_address(address))
    if not (matches and may_log_in):
        return None
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))
    return db.session.get(User, user_id)


def _reserve_attempt(email: str, address: str) -> None:
    """Record this attempt as a failure, then count; raise LoginLocked over either limit.

    The request's transaction ends with the lock: a refused (locked) attempt is rolled back
    with it, so a locked account's guesses do not keep it locked longer.

    On PostgreSQL an advisory lock per account and per address (held until the transaction
    ends) makes concurrent attempts on the same key count one after another; on SQLite the
    insert takes the database's single write lock, which does the same.
    """
    config = current_app.config
    window = config["LOGIN_FAILURE_WINDOW"]
    now = utcnow()
    limits = [(False, LoginFailure.email, email, config["LOGIN_MAX_FAILURES"])]
    if address:
        limits.append(
            (True, LoginFailure.address, address, config["LOGIN_MAX_FAILURES_PER_ADDRESS"])
        )
    serialize(*(f"login:{column.key}:{value}" for _, column, value, _ in limits))
    db.session.add(LoginFailure(email=email, address=address, at=now))
    db.session.flush()
    for by_address, column, value, limit in limits:
        recent, oldest = db.session.execute(
            select(func.count(LoginFailure.id), func.min(LoginFailure.at)).where(
                column == value, LoginFailure.at > now - window
            )
        ).one()
        if recent > limit:  # this attempt is one of them
            raise LoginLocked(until=oldest + window, by_address=by_address)


def prune_throttle_records() -> tuple[int, int]:
    """Remove failed logins and reset requests older than the window they are counted over.

    Such rows can no longer count against anyone (every count looks only inside its window,
    and a lock ends with its oldest counted row), but without this the tables grow for ever.
    Run daily by `flask prune`. Returns how many failed logins and reset requests went.
    """
    config = current_app.config
    now = utcnow()
    login_failures = cast(
        CursorResult,
        db.session.execute(
            delete(LoginFailure).where(LoginFailure.at <= now - config["LOGIN_FAILURE_WINDOW"])
        ),
    ).rowcount
    reset_requests = cast(
        CursorResult,
        db.session.execute(
            delete(PasswordResetRequest).where(
                PasswordResetRequest.at <= now - config["PASSWORD_RESET_WINDOW"]
            )
        ),
    ).rowcount
    return login_failures, reset_requests


def serialize(*keys: str) -> None:
    """Until this transaction ends, make other transactions serializing on a key wait.

    PostgreSQL takes a transaction-scoped advisory lock per key (in one order, so two
    transactions never wait for each other). SQLite needs nothing: its transactions write
    one at a time, so a caller that writes before it reads is serialized already.
    """
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for key in sorted(set(keys)):
        digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
        db.session.execute(
            select(func.pg_advisory_xact_lock(int.from_bytes(digest, "big", signed=True)))
        )


@cache
def _dummy_password_hash() -> str:
    """A hash of the method new passwords get, to check when there is no account."""
    return generate_password_hash(secrets.token_urlsafe(16))


def password_matches(stored_hash: str | None, password: str) -> bool:
    """Whether the password fits the stored hash; as slow when there is no account.

    Without an account a dummy hash of the method new passwords get is checked, so the
    time an answer takes does not tell whether an address has an account.
    """
    if stored_hash is None:
        check_password_hash(_dummy_password_hash(), password)
        return False
    return check_password_hash(stored_hash, password)


def end_all_sessions(user: User) -> None:
    """Every cookie that carries the old token stops working, remember-me cookies included."""
    user.session_token = new_session_token()


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every session; the caller logs this browser in again."""
    user.set_password(new_password)
    end_all_sessions(user)


def set_language(user: User, language: str) -> None:
    user.language = language
