"""A card is found by its comments: card comments get a full-text search index

Revision ID: 0015_comment_search
Revises: 0014_board_features
Create Date: 2026-12-07 02:40:00

"""

from alembic import op

revision = "0015_comment_search"
down_revision = "0014_board_features"
branch_labels = None
depends_on = None

# The document lean/shared/search.py searches (a copy: a migration must not change later).
TABLE, FTS_TABLE, COLUMN = "card_comment", "card_comment_search", "body"


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            f"CREATE INDEX ix_{TABLE}_search ON {TABLE} USING gin (to_tsvector('simple', {COLUMN}))"
        )
        return
    # SQLite: an FTS5 copy of the text, kept in step by triggers, filled from the rows there.
    op.execute(
        f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(document, "
        "tokenize='unicode61 remove_diacritics 0')"
    )
    op.execute(f"INSERT INTO {FTS_TABLE}(rowid, document) SELECT id, {COLUMN} FROM {TABLE}")
    insert = f"INSERT INTO {FTS_TABLE}(rowid, document) VALUES (new.id, new.{COLUMN});"
    delete = f"DELETE FROM {FTS_TABLE} WHERE rowid = old.id;"
    triggers = {"insert": insert, "update": delete + " " + insert, "delete": delete}
    for event, body in triggers.items():
        op.execute(
            f"CREATE TRIGGER {FTS_TABLE}_{event} AFTER {event.upper()} ON {TABLE} BEGIN {body} END"
        )


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"DROP INDEX ix_{TABLE}_search")
        return
    for event in ("insert", "update", "delete"):
        op.execute(f"DROP TRIGGER {FTS_TABLE}_{event}")
    op.execute(f"DROP TABLE {FTS_TABLE}")
