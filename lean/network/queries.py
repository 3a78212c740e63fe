"""Reads behind the network's pages, a fixed number of queries each whatever the data size.

Only published fields leave an organization: adoptions show the adopting card's stage and,
once Done, its measured result; people's names only where they agreed (see policy.display_name).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache

from sqlalchemy import Integer, Select, and_, bindparam, func, literal, or_, select
from sqlalchemy.orm import aliased, joinedload

from lean.core.extensions import db, read_columns
from lean.models import (
    Adoption,
    Improvement,
    Notice,
    Organization,
    Practice,
    PracticeComment,
    PracticeKind,
    Stage,
    Team,
    Theme,
    User,
)
from lean.models.base import utcnow
from lean.shared import search
from lean.shared.policy import can_read_teams_of, display_name
from lean.shared.web import page_count

ORDERINGS = ("newest", "adopted", "discussed")


# ---- the library ---------------------------------------------------------------------------


@dataclass
class LibraryFilters:
    text: str = ""
    theme_id: int | None = None
    focus_area_id: int | None = None
    organization_id: int | None = None
    kind: str | None = None
    order: str = "newest"

    def as_args(self) -> dict:
        args = {
            "q": self.text or None,
            "theme": self.theme_id,
            "focus_area": self.focus_area_id,
            "organization": self.organization_id,
            "kind": self.kind,
            "order": self.order if self.order != "newest" else None,
        }
        return {key: value for key, value in args.items() if value}


@dataclass
class LibraryRow:
    practice: Practice
    organization_name: str
    adoptions: int
    comments: int


def _text_condition(words: list[tuple[str, ...]]):
    """Practices containing every word as the start of a word (lean/shared/search.py)."""
    return search.matching(search.PRACTICE, Practice.id, words)


def _adoption_counts():
    return (
        select(Adoption.practice_id, func.count(Adoption.id).label("adoptions"))
        .group_by(Adoption.practice_id)
        .subquery()
    )


def _comment_counts():
    return (
        select(PracticeComment.practice_id, func.count(PracticeComment.id).label("comments"))
        .group_by(PracticeComment.practice_id)
        .subquery()
    )


def _published(filters: LibraryFilters) -> Select:
    query = select(Practice.id).where(Practice.withdrawn_at.is_(None))
    if filters.theme_id:
        query = query.where(Practice.theme_id == filters.theme_id)
    if filters.focus_area_id:
        query = query.where(Practice.focus_area_id == filters.focus_area_id)
    if filters.organization_id:
        query = query.where(Practice.organization_id == filters.organization_id)
    if filters.kind:
        query = query.where(Practice.kind == filters.kind)
    words = search.search_words(filters.text)
    if words:
        query = query.where(_text_condition(words))
    return query


def library_page(filters: LibraryFilters, page: int, size: int) -> tuple[list[LibraryRow], int]:
    """One page of published practices with their counts (the last page when asked for one
    beyond it), and how many match: two queries."""
    matching = _published(filters)
    total = db.session.scalars(select(func.count()).select_from(matching.subquery())).one()
    page = min(page, page_count(total, size))
    adoptions, comments = _adoption_counts(), _comment_counts()
    adoption_count = func.coalesce(adoptions.c.adoptions, 0)
    comment_count = func.coalesce(comments.c.comments, 0)
    order = {
        "newest": (Practice.published_at.desc(), Practice.id.desc()),
        "adopted": (adoption_count.desc(), Practice.published_at.desc(), Practice.id.desc()),
        "discussed": (comment_count.desc(), Practice.published_at.desc(), Practice.id.desc()),
    }[filters.order if filters.order in ORDERINGS else "newest"]
    rows = db.session.execute(
        select(Practice, Organization.name, adoption_count, comment_count)
        .join(Organization, Organization.id == Practice.organization_id)
        .outerjoin(adoptions, adoptions.c.practice_id == Practice.id)
        .outerjoin(comments, comments.c.practice_id == Practice.id)
        .where(Practice.id.in_(matching))
        .options(joinedload(Practice.theme), joinedload(Practice.focus_area))
        .order_by(*order)
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    return [LibraryRow(*row) for row in rows], total


def publishing_organizations() -> list[Organization]:
    """Organizations with at least one published practice, for the library's filter."""
    return list(
        db.session.scalars(
            select(Organization)
            .where(
                Organization.id.in_(
                    select(Practice.organization_id).where(Practice.withdrawn_at.is_(None))
                )
            )
            .order_by(Organization.name)
        )
    )


# ---- one practice --------------------------------------------------------------------------


@dataclass
class LineageStep:
    practice_id: int
    title: str
    organization_name: str
    published: bool


def lineage(practice: Practice) -> list[LineageStep]:
    """The practices this one descends from through adoptions, the first origin first: one query."""
    if practice.origin_practice_id is None:
        return []
    return _ancestors(practice.origin_practice_id)


def _ancestors(first_id: int) -> list[LineageStep]:
    chain = (
        select(Practice.id, Practice.origin_practice_id, literal(0).label("depth"))
        .where(Practice.id == first_id)
        .cte("chain", recursive=True)
    )
    # A depth limit keeps a (never expected) cycle from running forever.
    chain = chain.union_all(
        select(Practice.id, Practice.origin_practice_id, chain.c.depth + 1)
        .join(chain, Practice.id == chain.c.origin_practice_id)
        .where(chain.c.depth < 50)
    )
    rows = db.session.execute(
        select(Practice.id, Practice.title, Organization.name, Practice.withdrawn_at)
        .join(chain, chain.c.id == Practice.id)
        .join(Organization, Organization.id == Practice.organization_id)
        .order_by(chain.c.depth.desc())
    ).all()
    return [LineageStep(row[0], row[1], row[2], row[3] is None) for row in rows]


@dataclass
class CommentView:
    comment: PracticeComment
    author_label: str
    organization_name: str
    similar: Practice | None
    answers: list[CommentView] = field(default_factory=list)


def comments_of(practice: Practice, viewer: User) -> list[CommentView]:
    """The practice's comments, oldest first, answers under their comment: one query.

    A comment's "similar practice" is shown only while it is published.
    """
    rows = db.session.scalars(
        select(PracticeComment)
        .where(PracticeComment.practice_id == practice.id)
        .options(
            joinedload(PracticeComment.author),
            joinedload(PracticeComment.organization),
            joinedload(PracticeComment.similar_practice),
        )
        .order_by(PracticeComment.created_at, PracticeComment.id)
    ).all()
    views: dict[int, CommentView] = {}
    top: list[CommentView] = []
    for comment in rows:
        similar = comment.similar_practice
        view = CommentView(
            comment,
            display_name(
                comment.author.name,
                comment.author.show_name_to_network,
                comment.organization.name,
                comment.organization_id == viewer.organization_id,
            ),
            comment.organization.name,
            similar if similar is not None and similar.is_published else None,
        )
        views[comment.id] = view
        parent = views.get(comment.parent_id) if comment.parent_id else None
        (parent.answers if parent else top).append(view)
    return top


@dataclass
class AdoptionView:
    adopted_at: datetime
    organization_name: str
    team_name: str | None  # only for the adopter's own organization
    stage: Stage
    measured_result: str  # only once the adopting card is Done
    improvement_id: int | None  # only for readers of the adopting card
    republished_id: int | None  # the adopter's own practice, published from that card


def adoptions_of(practice: Practice, viewer: User) -> list[AdoptionView]:
    """Who adopted the practice, when and how far they got: one query.

    Only the adopting card's stage and, once Done, its measured result cross to others.
    """
    republished = aliased(Practice)
    rows = db.session.execute(
        select(
            Adoption.created_at,
            Adoption.organization_id,
            Organization.name,
            Team.name,
            Improvement.id,
            Improvement.stage,
            Improvement.measured_result,
            func.min(republished.id),
        )
        .join(Organization, Organization.id == Adoption.organization_id)
        .join(Team, Team.id == Adoption.team_id)
        .join(Improvement, Improvement.id == Adoption.improvement_id)
        .outerjoin(
            republished,
            and_(
                republished.source_improvement_id == Improvement.id,
                republished.withdrawn_at.is_(None),
            ),
        )
        .where(Adoption.practice_id == practice.id)
        .group_by(
            Adoption.id,
            Adoption.created_at,
            Adoption.organization_id,
            Organization.name,
            Team.name,
            Improvement.id,
            Improvement.stage,
            Improvement.measured_result,
        )
        .order_by(Adoption.created_at, Adoption.id)
    ).all()
    views = []
    for at, organization_id, organization_name, team_name, card_id, stage, result, again in rows:
        own = can_read_teams_of(viewer, organization_id)
        views.append(
            AdoptionView(
                adopted_at=at,
                organization_name=organization_name,
                team_name=team_name if own else None,
                stage=Stage(stage),
                measured_result=result if stage == Stage.DONE.value else "",
                improvement_id=card_id if own else None,
                republished_id=again,
            )
        )
    return views


def own_practices_for_similar(viewer: User, practice: Practice) -> list[tuple[int, str]]:
    """The viewer's organization's published practices, to link as "we tried something similar"."""
    return list(
        db.session.execute(
            select(Practice.id, Practice.title)
            .where(
                Practice.organization_id == viewer.organization_id,
                Practice.withdrawn_at.is_(None),
                Practice.id != practice.id,
            )
            .order_by(Practice.title)
        )
        .tuples()
        .all()
    )


def published_from(improvement_id: int | None = None, kaizen_id: int | None = None) -> list:
    """Practices already published from a card or a kaizen, newest first."""
    condition = (
        Practice.source_improvement_id == improvement_id
        if improvement_id is not None
        else Practice.source_kaizen_id == kaizen_id
    )
    return list(db.session.scalars(select(Practice).where(condition).order_by(Practice.id.desc())))


# ---- the card page -------------------------------------------------------------------------


@dataclass
class CardNetworkLinks:
    lineage: list[LineageStep]  # where the card came from, the first origin first
    published: list[tuple[int, str, bool]]  # practices published from it: id, title, published


def card_network_links(improvement: Improvement) -> CardNetworkLinks:
    """Where an adopted card came from and what was published from it: one query."""
    chain = (
        select(Practice.id, Practice.origin_practice_id, literal(0).label("depth"))
        .where(Practice.id == improvement.origin_practice_id)
        .cte("chain", recursive=True)
    )
    chain = chain.union_all(
        select(Practice.id, Practice.origin_practice_id, chain.c.depth + 1)
        .join(chain, Practice.id == chain.c.origin_practice_id)
        .where(chain.c.depth < 50)
    )
    rows = db.session.execute(
        select(
            Practice.id,
            Practice.title,
            Organization.name,
            Practice.withdrawn_at,
            Practice.source_improvement_id,
            chain.c.depth,
        )
        .join(Organization, Organization.id == Practice.organization_id)
        .outerjoin(chain, chain.c.id == Practice.id)
        .where(or_(chain.c.id.is_not(None), Practice.source_improvement_id == improvement.id))
        .order_by(chain.c.depth.desc(), Practice.id)
    ).all()
    links = CardNetworkLinks([], [])
    for practice_id, title, organization_name, withdrawn_at, source_id, depth in rows:
        if depth is not None:
            links.lineage.append(
                LineageStep(practice_id, title, organization_name, withdrawn_at is None)
            )
        if source_id == improvement.id:
            links.published.append((practice_id, title, withdrawn_at is None))
    return links


# ---- notices -------------------------------------------------------------------------------


@dataclass
class NoticeView:
    id: int
    kind: str
    created_at: datetime
    read: bool
    practice_id: int
    practice_title: str
    actor_label: str


@dataclass
class Notices:
    items: list[NoticeView]
    unread: int


@cache
def _notices_statement(unread_only: bool) -> Select:
    """The notices' query, built once per worker (building it cost more than running it,
    and the board runs it on every request); the organization and the page are bound."""
    actor_organization = aliased(Organization)
    unread = func.count().filter(Notice.read_at.is_(None)).over()
    query = (
        select(
            Notice.id,
            Notice.kind,
            Notice.created_at,
            Notice.read_at,
            Practice.id,
            Practice.title,
            User.name,
            User.show_name_to_network,
            actor_organization.name,
            unread,
        )
        .join(Practice, Practice.id == Notice.practice_id)
        .join(User, User.id == Notice.actor_id)
        .join(actor_organization, actor_organization.id == Notice.actor_organization_id)
        .where(Notice.organization_id == bindparam("organization_id"))
        .order_by(Notice.created_at.desc(), Notice.id.desc())
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )
    if unread_only:
        query = query.where(Notice.read_at.is_(None))
    return query


def notices_for_organization(
    organization_id: int, *, unread_only: bool, limit: int, offset: int = 0
) -> Notices:
    """The organization's notices, newest first, with the number of unread ones: one query."""
    query = _notices_statement(unread_only)
    values = {"organization_id": organization_id, "limit": limit, "offset": offset}
    rows = read_columns(query, values).all()
    items = [
        NoticeView(
            id=row[0],
            kind=row[1],
            created_at=row[2],
            read=row[3] is not None,
            practice_id=row[4],
            practice_title=row[5],
            actor_label=display_name(row[6], row[7], row[8], same_organization=False),
        )
        for row in rows
    ]
    return Notices(items, rows[0][9] if rows else 0)


def count_notices(organization_id: int) -> int:
    return db.session.scalars(
        select(func.count(Notice.id)).where(Notice.organization_id == organization_id)
    ).one()


# ---- the network dashboard -----------------------------------------------------------------


@dataclass
class OrganizationThemeCounts:
    organization_name: str
    theme: Theme
    published: int = 0
    adoptions_given: int = 0
    adoptions_taken: int = 0
    comments_received: int = 0
    comments_written: int = 0


@dataclass
class SpreadRow:
    practice_id: int
    title: str
    organization_name: str
    adoptions: int
    organizations: int


@dataclass
class MonthPoint:
    month: date
    published: int
    adoptions: int
    total_adoptions: int = 0


def _live_practice():
    return Practice.withdrawn_at.is_(None)


def counts_by_organization_and_theme() -> list[OrganizationThemeCounts]:
    """Per organization and theme: published practices, adoptions given and taken, comments.

    Five grouped counts, one query each; only published practices count.
    """
    table: dict[tuple[int, int], OrganizationThemeCounts] = {}
    organizations = dict(
        db.session.execute(select(Organization.id, Organization.name)).tuples().all()
    )
    themes = {theme.id: theme for theme in db.session.scalars(select(Theme))}

    def add(rows, attribute):
        for organization_id, theme_id, count in rows:
            key = (organization_id, theme_id)
            if key not in table:
                table[key] = OrganizationThemeCounts(
                    organizations[organization_id], themes[theme_id]
                )
            setattr(table[key], attribute, count)

    live = _live_practice()
    add(
        db.session.execute(
            select(Practice.organization_id, Practice.theme_id, func.count(Practice.id))
            .where(live)
            .group_by(Practice.organization_id, Practice.theme_id)
        ),
        "published",
    )
    by_practice = (Practice.id == Adoption.practice_id, live)
    add(
        db.session.execute(
            select(Practice.organization_id, Practice.theme_id, func.count(Adoption.id))
            .join(Practice, and_(*by_practice))
            .group_by(Practice.organization_id, Practice.theme_id)
        ),
        "adoptions_given",
    )
    add(
        db.session.execute(
            select(Adoption.organization_id, Practice.theme_id, func.count(Adoption.id))
            .join(Practice, and_(*by_practice))
            .group_by(Adoption.organization_id, Practice.theme_id)
        ),
        "adoptions_taken",
    )
    # Mirroring between organizations: a practice's own people answering it do not count.
    on_practice = (
        Practice.id == PracticeComment.practice_id,
        live,
        PracticeComment.organization_id != Practice.organization_id,
    )
    add(
        db.session.execute(
            select(Practice.organization_id, Practice.theme_id, func.count(PracticeComment.id))
            .join(Practice, and_(*on_practice))
            .group_by(Practice.organization_id, Practice.theme_id)
        ),
        "comments_received",
    )
    add(
        db.session.execute(
            select(
                PracticeComment.organization_id, Practice.theme_id, func.count(PracticeComment.id)
            )
            .join(Practice, and_(*on_practice))
            .group_by(PracticeComment.organization_id, Practice.theme_id)
        ),
        "comments_written",
    )
    return sorted(
        table.values(), key=lambda row: (row.organization_name, row.theme.position, row.theme.id)
    )


def most_spread(limit: int = 10) -> list[SpreadRow]:
    """Published practices by how many organizations and teams adopted them: one query."""
    adoptions = func.count(Adoption.id)
    rows = db.session.execute(
        select(
            Practice.id,
            Practice.title,
            Organization.name,
            adoptions,
            func.count(func.distinct(Adoption.organization_id)),
        )
        .join(Adoption, Adoption.practice_id == Practice.id)
        .join(Organization, Organization.id == Practice.organization_id)
        .where(_live_practice())
        .group_by(Practice.id, Practice.title, Organization.name)
        .order_by(adoptions.desc(), Practice.id)
        .limit(limit)
    ).all()
    return [SpreadRow(*row) for row in rows]


def _month_of(column):
    if db.engine.dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def spread_by_month(months: int = 12) -> list[MonthPoint]:
    """Practices published and adoptions made per month, the last `months` months: two queries."""
    now = utcnow()
    first = date(now.year, now.month, 1)
    for _step in range(months - 1):
        first = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    start = datetime(first.year, first.month, 1, tzinfo=now.tzinfo)
    live = _live_practice()
    published_month = _month_of(Practice.published_at)
    published: dict[str, int] = dict(
        db.session.execute(
            select(published_month, func.count(Practice.id))
            .where(live, Practice.published_at >= start)
            .group_by(published_month)
        )
        .tuples()
        .all()
    )
    adopted_month = _month_of(Adoption.created_at)
    adoption_rows = (
        db.session.execute(
            select(adopted_month, func.count(Adoption.id))
            .join(Practice, and_(Practice.id == Adoption.practice_id, live))
            .group_by(adopted_month)
        )
        .tuples()
        .all()
    )
    adopted: dict[str, int] = dict(adoption_rows)
    before = sum(count for month, count in adoption_rows if month < first.strftime("%Y-%m"))
    points, month, running = [], first, before
    for _step in range(months):
        key = month.strftime("%Y-%m")
        running += adopted.get(key, 0)
        points.append(MonthPoint(month, published.get(key, 0), adopted.get(key, 0), running))
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return points


def practice_kinds() -> list[str]:
    return [kind.value for kind in PracticeKind]
