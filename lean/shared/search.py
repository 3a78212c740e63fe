"""One full-text search for every area: the same rules on SQLite and PostgreSQL.

Every word of a search must start a word of the document (prefix search). SQLite searches an
FTS5 table kept by triggers, PostgreSQL a GIN index on to_tsvector('simple', document); both
keep diacritics (ä is not a), so plain words give the same results on either. The migrations
create the tables, triggers and indexes of the documents declared in lean/models/search_indexes.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import InstrumentedAttribute, joinedload

from lean.core.extensions import db
from lean.models import A3Sheet, Improvement, KaizenEntry, Practice

# The kaizen log and the practice library search their own index through matching() too.
from lean.models.search_indexes import A3_SHEET, IMPROVEMENT, KAIZEN, PRACTICE, SearchIndex
from lean.shared import policy

SEARCH_WORDS = 8


def search_words(query: str) -> list[str]:
    """Plain words of a search, lower-cased; punctuation and operators are dropped."""
    return [word.lower() for word in re.findall(r"\w+", query)][:SEARCH_WORDS]


def matching(index: SearchIndex, id_column: InstrumentedAttribute, words: list[str]):
    """Rows whose document contains every word as the start of a word, on either database."""
    if db.engine.dialect.name == "postgresql":
        query = " & ".join(f"{word}:*" for word in words)
        document = index.document()
        return text(
            f"to_tsvector('simple', {document}) @@ to_tsquery('simple', :search)"  # nosec B608
        ).bindparams(search=query)
    query = " ".join(f'"{word}"*' for word in words)
    # The table name is one of the constants above, never user input; the words are bound.
    fts = index.fts_table
    return id_column.in_(
        text(f"SELECT rowid FROM {fts} WHERE {fts} MATCH :search").bindparams(search=query)  # noqa: S608  # nosec B608
    )


# ---- the top bar's search --------------------------------------------------------------

RESULTS_PER_KIND = 20


@dataclass
class Found:
    cards: list
    kaizens: list
    a3_sheets: list
    practices: list

    @property
    def count(self) -> int:
        return len(self.cards) + len(self.kaizens) + len(self.a3_sheets) + len(self.practices)


def find_everything(user, query: str) -> Found | None:
    """Cards, kaizens, A3 sheets and practices the user may read (the policy's conditions)
    that match every word: four statements, or none for a search without words."""
    words = search_words(query)
    if not words:
        return None
    cards = (
        select(Improvement)
        .where(matching(IMPROVEMENT, Improvement.id, words))
        .where(policy.readable_teams(user, Improvement.team_id))
        .options(joinedload(Improvement.team))
        .order_by(Improvement.updated_at.desc(), Improvement.id.desc())
    )
    kaizens = (
        select(KaizenEntry)
        .where(matching(KAIZEN, KaizenEntry.id, words), KaizenEntry.deleted_at.is_(None))
        .where(policy.readable_teams(user, KaizenEntry.team_id))
        .options(joinedload(KaizenEntry.team))
        .order_by(KaizenEntry.done_on.desc(), KaizenEntry.id.desc())
    )
    sheets = (
        select(A3Sheet, Improvement)
        .join(Improvement, Improvement.id == A3Sheet.improvement_id)
        .where(matching(A3_SHEET, A3Sheet.id, words), policy.readable_a3_sheets(user))
        .order_by(A3Sheet.revised_at.desc(), A3Sheet.id.desc())
    )
    practices = (
        select(Practice)
        .where(matching(PRACTICE, Practice.id, words), policy.readable_practices(user))
        .order_by(Practice.published_at.desc(), Practice.id.desc())
    )
    return Found(
        cards=list(db.session.scalars(cards.limit(RESULTS_PER_KIND)).unique()),
        kaizens=list(db.session.scalars(kaizens.limit(RESULTS_PER_KIND)).unique()),
        a3_sheets=[tuple(row) for row in db.session.execute(sheets.limit(RESULTS_PER_KIND))],
        practices=list(db.session.scalars(practices.limit(RESULTS_PER_KIND))),
    )
