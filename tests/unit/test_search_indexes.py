"""The search indexes are declared in one place, whatever the order modules are imported in."""

import subprocess
import sys

from lean.core.extensions import include_in_migrations
from lean.models import search_indexes
from lean.shared import search

# Every name the migrations create for the search, on SQLite (FTS5 tables and their shadow
# tables) and on PostgreSQL (GIN indexes).
CREATED_BY_THE_MIGRATIONS = [
    f"{fts}{suffix}"
    for fts in (
        "kaizen_search",
        "practice_search",
        "improvement_search",
        "a3_search",
        "card_comment_search",
    )
    for suffix in ("", "_data", "_idx", "_content", "_docsize", "_config")
] + [
    "ix_kaizen_entry_search",
    "ix_practice_search",
    "ix_improvement_search",
    "ix_a3_sheet_search",
    "ix_card_comment_search",
]


def test_autogenerate_leaves_every_search_structure_alone_without_the_search_imported():
    """Only the extensions imported, as a migration command may: nothing of the search is
    missing from the filter (it used to learn half of its names when lean.shared.search loaded)."""
    program = (
        "import sys\n"
        "from lean.core.extensions import include_in_migrations\n"
        "assert 'lean.shared.search' not in sys.modules\n"
        f"names = {CREATED_BY_THE_MIGRATIONS!r}\n"
        "print([n for n in names if include_in_migrations(None, n, 'table', True, None)])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"


def test_the_models_tables_are_still_compared():
    for name in ("improvement", "a3_sheet", "kaizen_entry", "practice", "ix_notification_inbox"):
        assert include_in_migrations(None, name, "table", True, None)


def test_the_search_searches_the_declared_indexes():
    assert search_indexes.SEARCH_INDEXES == (
        search.KAIZEN,
        search.PRACTICE,
        search.IMPROVEMENT,
        search.A3_SHEET,
        search.CARD_COMMENT,
    )
