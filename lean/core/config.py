"""Configuration: defaults, then instance/config.py, then LEAN_* environment variables."""

import os
import secrets
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from lean.core import urls

# Values that must never protect a production installation.
WEAK_SECRETS = {"", "dev", "change-me", "changeme", "secret", "development"}


class Defaults:
    ENV = "development"
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = None  # set from the instance path when left empty
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    # Seconds an SQLite writer waits for another one's lock before the user gets "try again".
    SQLITE_BUSY_TIMEOUT = 15.0
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
    # Compress responses (lean/core/static.py); turn off where the proxy in front compresses.
    COMPRESS_RESPONSES = True
    DONE_COLUMN_LIMIT = 10
    HTMX_CDN_URL = None
    HTMX_CDN_INTEGRITY = None
    # A kaizen may carry 3 files: photos of up to 10 MB as phones take them (stored shrunk to
    # at most 2,048 px and under 1 MB), PDFs of up to 1 MB. Only the kaizen entry and edit
    # take requests of that size; every other request keeps the smaller MAX_CONTENT_LENGTH.
    ATTACHMENT_MAX_BYTES = 1024 * 1024
    IMAGE_MAX_BYTES = 10 * 1024 * 1024
    # Refused from the image's header, before decoding: a small file can hold a huge picture.
    IMAGE_MAX_PIXELS = 40_000_000
    IMAGE_MAX_SIDE = 2048
    # Decoding costs a worker time and memory by the pixel, whatever the file weighs: the
    # pictures of one save are refused from their headers beyond this many pixels together
    # (three phone photos of 20 megapixels), and one picture whose work takes longer than
    # IMAGE_MAX_SECONDS is refused instead of keeping its worker.
    KAIZEN_REQUEST_MAX_PIXELS = 60_000_000
    IMAGE_MAX_SECONDS = 8.0
    # A stored photo weighs at most this much; one that cannot be made to fit is refused.
    IMAGE_STORED_MAX_BYTES = 1024 * 1024
    ATTACHMENTS_PER_ENTRY = 3
    KAIZEN_REQUEST_MAX_BYTES = 3 * 10 * 1024 * 1024 + 256 * 1024
    # A board card takes its files one at a time, under the same limits, up to CARD_FILES_MAX.
    # Its request may weigh twice a photo's limit, so that a photo a little too big is
    # refused by name rather than by the 413 page.
    CARD_FILES_MAX = 20
    CARD_FILE_REQUEST_MAX_BYTES = 2 * 10 * 1024 * 1024 + 256 * 1024
    MAX_CONTENT_LENGTH = 3 * 1024 * 1024 + 256 * 1024
    # Fields per form (multipart and urlencoded alike) and bytes per field: no form of ours
    # comes near them, and a form of 200,000 fields would cost a worker seconds to parse.
    MAX_FORM_PARTS = 1000
    MAX_FORM_MEMORY_SIZE = 500_000
    UPLOAD_FOLDER = None  # instance/uploads when left empty
    KAIZEN_PAGE_SIZE = 25
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
    # Self-service reset requests within PASSWORD_RESET_WINDOW before more are quietly ignored
    # (the page answers as always; no mail goes): per account, and per network address.
    PASSWORD_RESET_MAX_PER_ACCOUNT = 5
    PASSWORD_RESET_MAX_PER_ADDRESS = 20
    PASSWORD_RESET_WINDOW = timedelta(hours=1)
    # The origin of every link that leaves the site (e-mails), e.g. "https://vertaa.example.fi";
    # required in production. See lean/core/urls.py.
    BASE_URL = None
    # Host names the app answers to; others get 400. Empty: loopback outside production.
    TRUSTED_HOSTS: list[str] = []
    # Where people send feedback on accessibility (an address or a web form), shown on the
    # accessibility statement; empty: the statement sends them to their coordinator.
    ACCESSIBILITY_CONTACT = None
    # Rendered fragments kept across requests (lean/core/fragments.py): in each worker's memory,
    # at most CACHE_THRESHOLD of them (a 200-card board is some 140 KB), or in Redis for every
    # worker and app server when CACHE_REDIS_URL is set. Keys change with the data, so entries
    # only age out; a day is as long as any is used.
    CACHE_TYPE = "SimpleCache"
    CACHE_THRESHOLD = 200
    CACHE_DEFAULT_TIMEOUT = 24 * 3600
    CACHE_KEY_PREFIX = "vertaa:"
    CACHE_REDIS_URL = None
    # The Fernet key that encrypts the sign-on providers' client secrets (lean/auth/sign_on.py):
    # `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`.
    # Required in production once an organization connects a provider; outside production a key
    # generated once into instance/ is used when it is left empty.
    SIGN_ON_KEY = None
    # The job queue (lean/core/jobs.py): in instance/jobs.sqlite (or JOBS_FILE) by default, in
    # Redis when REDIS_URL is set. JOBS_IMMEDIATE runs each job at once in the process that
    # enqueued it, after the commit, with no worker (the tests and a demo).
    REDIS_URL = None
    JOBS_FILE = None
    JOBS_IMMEDIATE = False
    # The worker looks into a queue in SQLite at most this many seconds apart (Redis wakes it
    # at once); on SIGTERM it lets the jobs running finish for up to JOBS_SHUTDOWN_SECONDS.
    JOBS_POLL_SECONDS = 1.0
    JOBS_SHUTDOWN_SECONDS = 30
    # A mail the SMTP server refuses or does not answer is tried again MAIL_RETRIES times, the
    # first after MAIL_RETRY_DELAY seconds and each later one after twice the delay before it
    # (1, 2, 4, 8, 16 minutes); then it is logged and listed for the admins (MailFailure).
    MAIL_RETRIES = 5
    MAIL_RETRY_DELAY = 60
    # A worker killed while it sends: the mail is tried again this many seconds later (longer
    # than any SMTP session lasts; it may then arrive twice, rather than never).
    MAIL_GUARD_SECONDS = 300
    # Webhooks go only over https to public addresses (lean/webhooks/guard.py); these hosts
    # ("name" or "name:port") may be reached anyway, over http too: an intranet's service.
    WEBHOOK_ALLOWED_HOSTS: tuple[str, ...] = ()
    # The JSON API (lean/api): requests each personal access token may make per window of
    # API_RATE_WINDOW seconds before it is told to wait (429 with Retry-After).
    API_RATE_LIMIT = 600
    API_RATE_WINDOW = 60
    # Paths whose answers are in the language the request asks for (Accept-Language) rather
    # than a logged-in person's: the API's.
    HEADER_LANGUAGE_PATHS = ("/api/",)
    # Paths whose JSON bodies are read by schemas of their own (lean/core/input_checks.py).
    OWN_JSON_PATHS = ("/api/",)


def parse_list(value: str) -> list[str]:
    """A comma-separated environment variable as a list, blanks left out."""
    return [item.strip() for item in value.split(",") if item.strip()]


def parse_bool(value: str) -> bool:
    """An environment variable's yes or no; anything unclear stops the start."""
    text = value.strip().lower()
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"", "0", "false", "no", "off"}:
        return False
    raise ValueError(f"expected true or false, got {value!r}")


# LEAN_<NAME> environment variables that override a setting, and how to parse them.
ENVIRONMENT_SETTINGS: dict[str, Callable[[str], Any]] = {
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
    "PASSWORD_RESET_MAX_PER_ACCOUNT": int,
    "PASSWORD_RESET_MAX_PER_ADDRESS": int,
    "BASE_URL": str,
    "TRUSTED_HOSTS": parse_list,
    "LOGIN_MAX_FAILURES_PER_ADDRESS": int,
    "PROXY_COUNT": int,
    "SQLITE_BUSY_TIMEOUT": float,
    "ACCESSIBILITY_CONTACT": str,
    "COMPRESS_RESPONSES": parse_bool,
    "CACHE_REDIS_URL": str,
    "SIGN_ON_KEY": str,
    "REDIS_URL": str,
    "JOBS_FILE": str,
    "JOBS_IMMEDIATE": parse_bool,
    "JOBS_POLL_SECONDS": float,
    "JOBS_SHUTDOWN_SECONDS": int,
    "MAIL_RETRIES": int,
    "MAIL_RETRY_DELAY": int,
    "MAIL_GUARD_SECONDS": int,
    "WEBHOOK_ALLOWED_HOSTS": parse_list,
    "API_RATE_LIMIT": int,
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

    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(app.config)

    if app.config.get("CACHE_REDIS_URL"):
        app.config["CACHE_TYPE"] = "RedisCache"

    if not app.config["UPLOAD_FOLDER"]:
        app.config["UPLOAD_FOLDER"] = str(Path(app.instance_path) / "uploads")

    production = app.config["ENV"] == "production"
    app.config["SESSION_COOKIE_SECURE"] = production
    app.config["REMEMBER_COOKIE_SECURE"] = production
    app.config["SECRET_KEY"] = _secret_key(app, production)
    _check_base_url(app, production)
    _check_sign_on_key(app)
    app.config["TRUSTED_HOSTS"] = urls.trusted_hosts(app.config)


def _check_base_url(app, production: bool) -> None:
    """Links in e-mails need a configured origin in production, never the request's Host."""
    base_url = app.config.get("BASE_URL")
    if not base_url:
        if production:
            raise RuntimeError(
                "Production needs LEAN_BASE_URL (or BASE_URL in instance/config.py): the origin "
                "users open, e.g. https://vertaa.example.fi, for the links in e-mails."
            )
        return
    problem = urls.base_url_problem(base_url)
    if problem:
        raise RuntimeError(f"LEAN_BASE_URL: {problem}, got {base_url!r}")


def _check_sign_on_key(app) -> None:
    """A configured sign-on key must be a Fernet key; whether one is needed at all, the
    database tells (lean/auth/sign_on.py checks it when the app starts in production)."""
    key = app.config.get("SIGN_ON_KEY")
    if not key:
        return
    from cryptography.fernet import Fernet

    try:
        Fernet(key)
    except ValueError as error:
        raise RuntimeError(
            "LEAN_SIGN_ON_KEY must be a Fernet key (32 url-safe base64-encoded bytes); make one "
            'with: python -c "from cryptography.fernet import Fernet; '
            'print(Fernet.generate_key().decode())"'
        ) from error


def _engine_options(config) -> dict:
    """SQLite waits its busy timeout for a lock; PostgreSQL tests a pooled connection before
    use, so that the first requests after a database restart do not fail on a dead one."""
    options = dict(config["SQLALCHEMY_ENGINE_OPTIONS"])
    if config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        connect_args = dict(options.get("connect_args", {}))
        connect_args.setdefault("timeout", config["SQLITE_BUSY_TIMEOUT"])
        options["connect_args"] = connect_args
    else:
        options.setdefault("pool_pre_ping", True)
    return options


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
