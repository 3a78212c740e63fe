"""Extensions, created unbound here and bound to the app in create_app().

The database object itself lives with the models (lean/models/database.py), which import
nothing of the app; it is named here too so that the app code finds every extension in one place.
"""

import re
import sqlite3
from collections.abc import Mapping
from typing import Any

from flask import current_app, g, has_request_context, request
from flask_babel import Babel
from flask_caching import Cache
from flask_login import LoginManager
from flask_migrate import Migrate
from sqlalchemy import Executable, Result, Row, event
from sqlalchemy.engine import Engine

from lean.core.csrf import MaskedCSRFProtect
from lean.core.headers import SteadyTalisman
from lean.models.database import db
from lean.models.search_indexes import SEARCH_SCHEMA


def include_in_migrations(object_, name, type_, reflected, compare_to) -> bool:
    """Autogenerate neither drops nor re-creates the full-text search structures, which the
    migrations create by hand per database (lean/models/search_indexes.py declares them)."""
    return not (name and name in SEARCH_SCHEMA)


# SQLite alters tables by copying them ("batch" mode).
migrate = Migrate(render_as_batch=True, include_object=include_in_migrations)
login_manager = LoginManager()
# Flask-WTF's CSRF protection, each token in a page masked afresh (BREACH; lean/core/csrf.py).
csrf = MaskedCSRFProtect()
babel = Babel()
# The security headers, the same on every response, made once (lean/core/headers.py).
talisman = SteadyTalisman()
# Rendered fragments kept across requests (lean/core/fragments.py); configured in config.py.
cache = Cache()

__all__ = ["babel", "cache", "csrf", "db", "login_manager", "migrate", "talisman"]


def read_columns(statement: Executable, parameters: Mapping[str, Any]) -> Result:
    """A statement that reads columns, not ORM objects, run on the session's connection: in the
    same transaction, without the session's handling of an ORM statement, which costs some
    50 µs (a hundred calls) for each of the few statements that every page runs."""
    return db.session.connection().execute(statement, parameters)


def read_row_alone(statement: Executable, parameters: Mapping[str, Any]) -> Row | None:
    """The first row of one statement, read on a connection of its own, outside the session:
    for a read that is the whole of its request (an open page's quick check). On PostgreSQL the
    statement is its own transaction (autocommit), sparing the BEGIN and ROLLBACK round trips;
    SQLite's one-statement transaction is begun by the hook below, which is cheaper there
    than switching the connection's isolation level and back."""
    connection = db.engine.connect()
    if connection.dialect.name == "postgresql":
        connection = connection.execution_options(isolation_level="AUTOCOMMIT")
    with connection:
        return connection.execute(statement, parameters).first()


# Requests that only read: on SQLite they start a plain (deferred) transaction and so run
# beside a writer instead of queueing for its lock.
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
WRITE_STATEMENT = re.compile(r"\s*(INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    """WAL and foreign keys on every SQLite connection.

    The driver's own transaction handling is switched off (isolation_level=None) so that
    the "begin" hook below decides how a transaction starts. The busy timeout comes from the
    app's configuration (SQLITE_BUSY_TIMEOUT, passed to the driver as its `timeout`).
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL is safe against corruption and makes each commit much cheaper.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


# Set on `g` while a request keeps its bookkeeping (lean/core/unit_of_work.py: bookkeeping).
BOOKKEEPING = "lean_bookkeeping"


def in_read_only_request() -> bool:
    """A GET, HEAD or OPTIONS request: it must not change anything (but its bookkeeping)."""
    return (
        has_request_context()
        and request.method in READ_ONLY_METHODS
        and not g.get(BOOKKEEPING, False)
    )


@event.listens_for(Engine, "begin")
def _begin_sqlite_transaction(connection) -> None:
    """On SQLite, take the write lock when a transaction that may write starts.

    A deferred transaction in WAL mode that reads and later writes fails at once
    (SQLITE_BUSY_SNAPSHOT) or loses an update when another process wrote in between, so
    every request that may write (POST and the other unsafe methods), every CLI command and
    all work outside a request start with BEGIN IMMEDIATE and queue for the lock. Read-only
    requests start a plain BEGIN: they read a snapshot and never wait for a writer.
    """
    if connection.dialect.name != "sqlite":
        return
    if in_read_only_request():
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


@event.listens_for(Engine, "before_cursor_execute")
def _refuse_writes_in_read_only_requests(connection, cursor, statement, *_args) -> None:
    """Under test, a write inside a GET request fails loudly.

    Such a request runs in a deferred transaction on SQLite, where a write can fail with
    SQLITE_BUSY_SNAPSHOT under load; a safe method should not change anything anyway. Every
    statement passes here: its text is looked at first, which costs least (most are reads).
    """
    if (
        WRITE_STATEMENT.match(statement)
        and in_read_only_request()
        and current_app.config.get("TESTING")
    ):
        raise RuntimeError(
            f"{request.method} {request.path} writes to the database ({statement.split()[0]}); "
            "only POST and the other unsafe methods may change data"
        )
