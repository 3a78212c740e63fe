"""One full-text search for every area: the same rules on SQLite and PostgreSQL.

Every word of a search must start a word of the document (prefix search), in one of its
forms: the word as typed, or its stem by Snowball's stemmer of the reader's language, so that
"paperilokeroa" finds "paperilokero" and "skolornas" finds "skolan". The stem is taken here,
in Python, and matched as a prefix on both databases — rather than stemming the documents
with PostgreSQL's `finnish` configuration and some other stemmer for SQLite, which would give
the two databases different answers. SQLite searches an FTS5 table kept by triggers,
PostgreSQL a GIN index on to_tsvector('simple', document); both keep diacritics (ä is not a).
The migrations create the tables, triggers and indexes of the documents declared in
lean/models/search_indexes.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

import snowballstemmer
from flask_babel import get_locale
from sqlalchemy import or_, select, text
from sqlalchemy.orm import InstrumentedAttribute, joinedload

from lean.core.extensions import db
from lean.models import A3Sheet, CardComment, Improvement, KaizenEntry, Practice

# The kaizen log and the practice library search their own index through matching() too.
from lean.models.search_indexes import (
    A3_SHEET,
    CARD_COMMENT,
    IMPROVEMENT,
    KAIZEN,
    PRACTICE,
    SearchIndex,
)
from lean.shared import policy

SEARCH_WORDS = 8

# The stemmers of each page language. The network writes Finnish and Swedish, so a reader of
# the English pages gets both; a word then matches in either language's forms.
STEMMERS = {"fi": ("finnish",), "sv": ("swedish",), "en": ("finnish", "swedish")}
# A shorter stem than this would match too much ("ka" of "kassa"): the word stays as typed.
SHORTEST_STEM = 3
FINNISH_S = re.compile(r"\w{2}[uyoö]s$")
FINNISH_KS = re.compile(r"\w{2}[uyoö]ks$")


@cache
def _stemmer(language: str):
    return snowballstemmer.stemmer(language)


def word_forms(word: str, language: str) -> tuple[str, ...]:
    """The prefixes a search word matches by: the word itself, and its stems in the language's
    stemmers that are shorter than it (a stem longer or equal adds nothing to a prefix)."""
    forms = [word]
    for name in STEMMERS.get(language, STEMMERS["en"]):
        stem = _stemmer(name).stemWord(word)
        if SHORTEST_STEM <= len(stem) < len(word) and stem not in forms:
            forms.append(stem)
        # Finnish nouns in -us, -ys, -os, -ös take -ks- when inflected ("ohjaus", "ohjauksen";
        # "tulos", "tulokset"), and Snowball gives the two forms two stems: match both.
        if name == "finnish" and FINNISH_S.search(stem):
            forms.append(stem[:-1] + "k")
        elif name == "finnish" and FINNISH_KS.search(stem):
            forms.append(stem[:-2] + "s")
    # A stem that is a prefix of another form makes that form redundant.
    return tuple(form for form in forms if not any(o != form and form.startswith(o) for o in forms))


def search_words(query: str) -> list[tuple[str, ...]]:
    """The words of a search, lower-cased, each with its forms in the reader's language;
    punctuation and operators are dropped."""
    language = str(get_locale() or "fi")[:2]
    words = [word.lower() for word in re.findall(r"\w+", query)][:SEARCH_WORDS]
    return [word_forms(word, language) for word in words]


def matching(index: SearchIndex, id_column: InstrumentedAttribute, words: list[tuple[str, ...]]):
    """Rows whose document has, for every word, one of its forms as the start of a word, on
    either database. The forms are letters and digits only (search_words), so they cannot
    carry the query languages' operators."""
    if db.engine.dialect.name == "postgresql":
        query = " & ".join("(" + " | ".join(f"{form}:*" for form in forms) + ")" for forms in words)
        document = index.document()
        return text(
            f"to_tsvector('simple', {document}) @@ to_tsquery('simple', :search)"  # nosec B608
        ).bindparams(search=query)
    query = " AND ".join("(" + " OR ".join(f'"{form}"*' for form in forms) + ")" for forms in words)
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
    # A card is found by its own text or by what was said in its comments.
    commented = select(CardComment.improvement_id).where(
        matching(CARD_COMMENT, CardComment.id, words)
    )
    cards = (
        select(Improvement)
        .where(or_(matching(IMPROVEMENT, Improvement.id, words), Improvement.id.in_(commented)))
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
