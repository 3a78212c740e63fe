"""The full-text search indexes, declared in one place: what each kind of row is found by.

lean/shared/search.py searches them; lean/core/extensions.py keeps Alembic's autogenerate
away from the tables and indexes the migrations create for them by hand (the models do not
describe them). This module imports nothing of the app, so that both can read it whatever is
imported first. The migrations keep their own copy of the documents, as a migration must not
change later.
"""

from __future__ import annotations

from dataclasses import dataclass

# The shadow tables SQLite keeps for each FTS5 table.
FTS5_SHADOW_TABLES = ("data", "idx", "content", "docsize", "config")


@dataclass(frozen=True)
class SearchIndex:
    """What one kind of row is found by: its FTS5 table (SQLite) and its document (SQL)."""

    table: str  # the searched table, e.g. "kaizen_entry"
    fts_table: str  # the SQLite FTS5 table, with the row's id as its rowid
    columns: tuple[str, ...]  # the document: these text columns, joined by spaces

    def document(self, prefix: str | None = None) -> str:
        """The document as SQL; prefix "new" gives the trigger's form."""
        owner = prefix or self.table
        return " || ' ' || ".join(f"{owner}.{column}" for column in self.columns)

    @property
    def pg_index(self) -> str:
        """PostgreSQL's GIN index on to_tsvector('simple', document)."""
        return f"ix_{self.table}_search"

    def schema_names(self) -> frozenset[str]:
        """Tables and indexes the models do not describe: autogenerate leaves them alone."""
        shadows = (f"{self.fts_table}_{part}" for part in FTS5_SHADOW_TABLES)
        return frozenset({self.fts_table, self.pg_index, *shadows})


KAIZEN = SearchIndex("kaizen_entry", "kaizen_search", ("title", "before", "after", "effect"))
PRACTICE = SearchIndex("practice", "practice_search", ("search_document",))
IMPROVEMENT = SearchIndex(
    "improvement",
    "improvement_search",
    ("title", "problem", "expected_effect", "what_was_tried", "measured_result", "standard"),
)
A3_SHEET = SearchIndex(
    "a3_sheet",
    "a3_search",
    (
        "title",
        "background",
        "current_condition",
        "target_condition",
        "effect_note",
        "standard",
        "learned",
        "applies_elsewhere",
    ),
)

# A card is found by its comments too.
CARD_COMMENT = SearchIndex("card_comment", "card_comment_search", ("body",))

SEARCH_INDEXES = (KAIZEN, PRACTICE, IMPROVEMENT, A3_SHEET, CARD_COMMENT)
# Every name of the search structures, for the migrations' include_object filter.
SEARCH_SCHEMA = frozenset().union(*(index.schema_names() for index in SEARCH_INDEXES))
