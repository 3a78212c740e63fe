"""Authentication: checking passwords, locking after repeated failures, ending sessions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import delete, func, select

from lean.extensions import db
from lean.models import LoginFailure, User
from lean.models.base import utcnow
from lean.models.user import new_session_token


@dataclass
class LoginLocked(Exception):
    """Too many failed logins for this account, or from this address; try again after `until`."""

    until: datetime
    by_address: bool = False


def normalize_email(email: str) -> str:
    return email.strip().lower()


def email_taken(email: str, except_user: User | None = None) -> bool:
    """Whether someone (other than except_user) already has this address."""
    query = select(User.id).where(User.email == normalize_email(email))
    if except_user is not None:
        query = query.where(User.id != except_user.id)
    return db.session.scalar(query) is not None


def authenticate(email: str, password: str, address: str = "") -> User | None:
    """The active user with this email and password, or None; raise LoginLocked when locked.

    Failures are counted per account and per network address in the database, so the limits
    hold however many app processes serve the logins. A correct password does not open a
    locked account.
    """
    email = normalize_email(email)
    window = current_app.config["LOGIN_FAILURE_WINDOW"]
    now = utcnow()
    for by_address, column, value, limit in (
        (False, LoginFailure.email, email, current_app.config["LOGIN_MAX_FAILURES"]),
        (True, LoginFailure.address, address, current_app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
    ):
        if not value:
            continue
        recent, oldest = db.session.execute(
            select(func.count(LoginFailure.id), func.min(LoginFailure.at)).where(
                column == value, LoginFailure.at > now - window
            )
        ).one()
        if recent >= limit:
            db.session.rollback()
            raise LoginLocked(until=oldest + window, by_address=by_address)

    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None and user.is_active and user.check_password(password):
        db.session.execute(delete(LoginFailure).where(LoginFailure.email == email))
        db.session.commit()
        return user
    db.session.add(LoginFailure(email=email, address=address, at=now))
    db.session.commit()
    return None


def end_all_sessions(user: User) -> None:
    """Every cookie that carries the old token stops working, remember-me cookies included."""
    user.session_token = new_session_token()
    db.session.commit()


def change_password(user: User, new_password: str) -> None:
    """Set a new password and end every session; the caller logs this browser in again."""
    user.set_password(new_password)
    end_all_sessions(user)


def set_language(user: User, language: str) -> None:
    user.language = language
    db.session.commit()
