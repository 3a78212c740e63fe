"""Extensions, created unbound here and bound to the app in create_app()."""

import sqlite3

from flask_babel import Babel
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names, so that migrations can alter and drop them by name.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
# Full-text search structures that the migrations create by hand, per database; the models
# do not describe them, so autogenerate must neither drop nor re-create them.
SEARCH_SCHEMA = {"kaizen_search", "ix_kaizen_entry_search", "practice_search", "ix_practice_search"}
SEARCH_TABLE_PREFIXES = ("kaizen_search_", "practice_search_")


def include_in_migrations(object_, name, type_, reflected, compare_to) -> bool:
    return not (name and (name in SEARCH_SCHEMA or name.startswith(SEARCH_TABLE_PREFIXES)))


# SQLite alters tables by copying them ("batch" mode).
migrate = Migrate(render_as_batch=True, include_object=include_in_migrations)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
talisman = Talisman()


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    """WAL, foreign keys and a busy timeout on every SQLite connection.

    The driver's own transaction handling is switched off (isolation_level=None) so that
    the "begin" hook below decides how a transaction starts.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    # In WAL mode NORMAL is safe against corruption and makes each commit much cheaper.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


@event.listens_for(Engine, "begin")
def _begin_immediate(connection) -> None:
    """Take SQLite's write lock when a transaction starts, not at its first write.

    A deferred transaction reads, then fails or loses an update when another process
    wrote in between; BEGIN IMMEDIATE makes read-modify-write transactions queue instead.
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
