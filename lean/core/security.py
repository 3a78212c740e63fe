"""Login sessions, security headers and the content security policy."""

from secrets import compare_digest

from flask import Flask, session
from flask.sessions import SecureCookieSessionInterface
from flask_babel import lazy_gettext as _l
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from lean.core.extensions import db, login_manager, talisman
from lean.models import Membership, User


class SessionCookies(SecureCookieSessionInterface):
    """Flask's signed session cookie, with its signing serializer made once per key: Flask made
    it anew (its signers, its key list) every time it read or wrote the cookie."""

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        serializer = self._serializers.get(keys)
        if serializer is None:
            serializer = self._serializers[keys] = super().get_signing_serializer(app)
        return serializer


def init_app(app: Flask) -> None:
    app.session_interface = SessionCookies()
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"

    production = app.config["ENV"] == "production"
    scripts = ["'self'"]
    if app.config.get("HTMX_CDN_URL"):
        from urllib.parse import urlsplit

        parts = urlsplit(app.config["HTMX_CDN_URL"])
        scripts.append(f"{parts.scheme}://{parts.netloc}")
    talisman.init_app(
        app,
        force_https=False,  # TLS ends at the load balancer; HSTS still tells browsers.
        strict_transport_security=production,
        session_cookie_secure=production,
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        content_security_policy={
            "default-src": "'self'",
            "script-src": scripts,
            "style-src": "'self'",
            "img-src": ["'self'", "data:"],
            "object-src": "'none'",
            "base-uri": "'none'",
            "frame-ancestors": "'none'",
            "form-action": "'self'",
        },
        permissions_policy={"geolocation": "()", "camera": "()", "microphone": "()"},
    )


# Every request loads its user: one statement (a person has a few memberships, joined in),
# built once rather than per request.
_USER_WITH_TEAMS = (
    select(User)
    .where(User.id == bindparam("user_id"))
    .options(
        joinedload(User.organization),
        joinedload(User.memberships).joinedload(Membership.team),
    )
)


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user whose id and current session token the cookie carries."""
    login = parse_login(session_id)
    if login is None:
        return None
    user_id, token = login
    user = db.session.execute(_USER_WITH_TEAMS, {"user_id": user_id}).unique().scalar()
    if user is None or not is_current_login(user.is_active, user.session_token, token):
        return None
    return user


def parse_login(session_id: str | None) -> tuple[int, str] | None:
    """The user id and session token of a login's id ("42:token", User.get_id), or None."""
    user_id, _, token = (session_id or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    return int(user_id), token


def session_login() -> tuple[int, str] | None:
    """The user id and session token that this request's session names, before the user is
    loaded: for a check that answers from one statement (lean/core/conditional.py)."""
    return parse_login(session.get("_user_id"))  # where Flask-Login keeps the login's id


def is_current_login(is_active: bool, session_token: str, token: str) -> bool:
    """A login is current while its person is active and their session token is the one it
    was given: logging out everywhere, or a password changed, gives them a new one."""
    return bool(is_active) and compare_digest(session_token, token)
