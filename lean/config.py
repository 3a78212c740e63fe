"""Configuration: defaults, then instance/config.py, then LEAN_* environment variables."""

import os
import secrets
from datetime import timedelta
from pathlib import Path

# Values that must never protect a production installation.
WEAK_SECRETS = {"", "dev", "change-me", "changeme", "secret", "development"}


class Defaults:
    ENV = "development"
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = None  # set from the instance path when left empty
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    LANGUAGES = ("fi", "sv", "en")
    BABEL_DEFAULT_LOCALE = "fi"
    BABEL_DEFAULT_TIMEZONE = "Europe/Helsinki"
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    LOGIN_MAX_FAILURES = 5
    LOGIN_FAILURE_WINDOW = timedelta(minutes=15)
    # Failed logins from one network address (any accounts) before it must wait: it stops
    # password spraying across many accounts, yet leaves room for a school's shared address.
    LOGIN_MAX_FAILURES_PER_ADDRESS = 50
    # Reverse proxies in front of the app that set X-Forwarded-For/-Proto/-Host; 0 trusts none.
    PROXY_COUNT = 0
    # Compress responses (lean/static.py); turn off where the proxy in front compresses.
    COMPRESS_RESPONSES = True
    DONE_COLUMN_LIMIT = 10
    HTMX_CDN_URL = None
    HTMX_CDN_INTEGRITY = None
    # A kaizen may carry 3 files of 1 MB each; the whole request gets room for them and the form.
    ATTACHMENT_MAX_BYTES = 1024 * 1024
    ATTACHMENTS_PER_ENTRY = 3
    MAX_CONTENT_LENGTH = 3 * 1024 * 1024 + 256 * 1024
    UPLOAD_FOLDER = None  # instance/uploads when left empty
    KAIZEN_PAGE_SIZE = 50
    KAIZEN_RECOVERY_DAYS = 30
    # Outgoing e-mail for invitations and password resets; without a server the links are
    # shown to be copied by hand, and the self-service password reset is off.
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_USE_TLS = False  # STARTTLS on the plain port
    MAIL_SENDER = None  # the From address, e.g. "Vertaa <vertaa@example.fi>"
    MAIL_TIMEOUT = 10  # seconds; a slow server must not hang the page for long
    INVITATION_DAYS = 7
    PASSWORD_RESET_HOURS = 24


def parse_bool(value: str) -> bool:
    """An environment variable's yes or no; anything unclear stops the start."""
    text = value.strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"", "0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


# LEAN_<NAME> environment variables that override a setting, and how to parse them.
ENVIRONMENT_SETTINGS = {
    "ENV": str,
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "UPLOAD_FOLDER": str,
    "HTMX_CDN_URL": str,
    "HTMX_CDN_INTEGRITY": str,
    "MAIL_SERVER": str,
    "MAIL_PORT": int,
    "MAIL_USERNAME": str,
    "MAIL_PASSWORD": str,
    "MAIL_USE_TLS": parse_bool,
    "MAIL_SENDER": str,
    "MAIL_TIMEOUT": int,
    "INVITATION_DAYS": int,
    "PASSWORD_RESET_HOURS": int,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": int,
    "PROXY_COUNT": int,
    "COMPRESS_RESPONSES": parse_bool,
}


def load(app, overrides: dict | None) -> None:
    """Fill app.config from the three layers, then from the test's overrides."""
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    for name, parse in ENVIRONMENT_SETTINGS.items():
        value = os.environ.get(f"LEAN_{name}")
        if value is not None:
            try:
                app.config[name] = parse(value)
            except ValueError as error:
                raise RuntimeError(f"LEAN_{name}: {error}") from error
    if overrides:
        app.config.update(overrides)

    if app.config.get("DATABASE_URL"):
        app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    if not app.config["SQLALCHEMY_DATABASE_URI"]:
        path = Path(app.instance_path) / "lean.sqlite"
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"

    if not app.config["UPLOAD_FOLDER"]:
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")

    production = app.config["ENV"] == "production"
    app.config["SESSION_COOKIE_SECURE"] = production
    app.config["REMEMBER_COOKIE_SECURE"] = production
    app.config["SECRET_KEY"] = _secret_key(app, production)


def _secret_key(app, production: bool) -> str:
    """The configured key; outside production a key generated once into instance/."""
    key = app.config.get("SECRET_KEY")
    if production:
        if not key or key in WEAK_SECRETS or len(key) < 32:
            raise RuntimeError(
                "Production needs LEAN_SECRET_KEY (or SECRET_KEY in instance/config.py): "
                "at least 32 random characters, the same on every app server."
            )
        return key
    if key:
        return key
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
