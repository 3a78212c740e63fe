"""Reads behind the kaizen log and its exports, a fixed number of queries per page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import joinedload, selectinload

from lean.core.extensions import db
from lean.models import KaizenEntry, Team
from lean.models.base import utcnow
from lean.shared import search
from lean.shared.web import page_count


@dataclass
class KaizenFilters:
    theme_id: int | None = None
    author_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    text: str = ""

    def as_args(self) -> dict:
        """The filters as query parameters, for links and exports of the same view."""
        args = {
            "theme": self.theme_id,
            "author": self.author_id,
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "q": self.text or None,
        }
        return {key: value for key, value in args.items() if value}


def _text_condition(words: list[tuple[str, ...]]):
    """Entries containing every word as the start of a word (lean/shared/search.py)."""
    return search.matching(search.KAIZEN, KaizenEntry.id, words)


def filtered(team_ids: Select | list[int], filters: KaizenFilters) -> Select:
    query = select(KaizenEntry).where(
        KaizenEntry.team_id.in_(team_ids), KaizenEntry.deleted_at.is_(None)
    )
    if filters.theme_id:
        query = query.where(KaizenEntry.theme_id == filters.theme_id)
    if filters.author_id:
        query = query.where(KaizenEntry.author_id == filters.author_id)
    if filters.date_from:
        query = query.where(KaizenEntry.done_on >= filters.date_from)
    if filters.date_to:
        query = query.where(KaizenEntry.done_on <= filters.date_to)
    words = search.search_words(filters.text)
    if words:
        query = query.where(_text_condition(words))
    return query


def newest_first(query: Select) -> Select:
    return query.order_by(KaizenEntry.done_on.desc(), KaizenEntry.id.desc())


def log_page(team: Team, filters: KaizenFilters, page: int, size: int):
    """One page of the log (the last one when asked for one beyond it) and the number of
    matching entries: three queries in all."""
    query = filtered([team.id], filters)
    total = db.session.scalars(select(func.count()).select_from(query.subquery())).one()
    page = min(page, page_count(total, size))
    entries = db.session.scalars(
        newest_first(query)
        .options(
            joinedload(KaizenEntry.author),
            joinedload(KaizenEntry.theme),
            selectinload(KaizenEntry.attachments),
        )
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    return entries, total


def for_export(team_ids, filters: KaizenFilters) -> list[KaizenEntry]:
    return list(
        db.session.scalars(
            newest_first(filtered(team_ids, filters)).options(
                joinedload(KaizenEntry.author),
                joinedload(KaizenEntry.theme),
                joinedload(KaizenEntry.team),
                selectinload(KaizenEntry.attachments),
            )
        ).unique()
    )


def deleted_entries(team: Team, since) -> list[KaizenEntry]:
    return list(
        db.session.scalars(
            select(KaizenEntry)
            .where(KaizenEntry.team_id == team.id, KaizenEntry.deleted_at > since)
            .options(joinedload(KaizenEntry.author))
            .order_by(KaizenEntry.deleted_at.desc())
        )
    )


@cache
def _count_since_statement() -> Select:
    """Built once per worker: the board asks for it on every request, and building it cost
    more than running it."""
    return select(func.count(KaizenEntry.id)).where(
        KaizenEntry.team_id == bindparam("team_id"),
        KaizenEntry.deleted_at.is_(None),
        KaizenEntry.done_on >= bindparam("first_day", type_=KaizenEntry.done_on.type),
    )


def count_this_month(team_id: int) -> int:
    first_day = utcnow().date().replace(day=1)
    return db.session.execute(
        _count_since_statement(), {"team_id": team_id, "first_day": first_day}
    ).scalar_one()


def promoted_from(improvement_id: int) -> KaizenEntry | None:
    """The kaizen a card was promoted from, if any."""
    return db.session.scalar(
        select(KaizenEntry).where(
            KaizenEntry.promoted_to_id == improvement_id, KaizenEntry.deleted_at.is_(None)
        )
    )
