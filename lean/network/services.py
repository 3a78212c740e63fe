"""Changes in the peer network, one function per change, each recording its Event.

Events of the network have the subject type "practice", so they stay out of a card's history
and the audit log, and still tell who published, changed, commented on or adopted what.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.exc import IntegrityError

from lean.boards.services import create_improvement
from lean.core.extensions import db
from lean.models import (
    Adoption,
    FocusArea,
    Improvement,
    KaizenEntry,
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
from lean.network import snapshot
from lean.shared.conflicts import EditConflict
from lean.shared.events import EventKind, record_admin_event


@dataclass
class PracticeText:
    """What the publisher writes for outsiders, and the parts of the source they share."""

    title: str
    summary: str
    learnings: str
    theme: Theme
    focus_area: FocusArea | None
    shares: snapshot.Shares


class AlreadyAdopted(Exception):
    """The team has already adopted this practice."""


def _record(actor: User, kind: EventKind, practice: Practice, team_id: int | None = None, **data):
    record_admin_event(actor, kind, "practice", practice.id, actor.organization_id, team_id, **data)


def _content(source: Improvement | KaizenEntry, shares: snapshot.Shares, a3: dict | None) -> dict:
    if isinstance(source, KaizenEntry):
        return snapshot.kaizen_content(source, shares)
    return snapshot.improvement_content(source, shares, a3)


def _kind(source: Improvement | KaizenEntry, content: dict) -> str:
    if isinstance(source, KaizenEntry):
        return PracticeKind.KAIZEN.value
    return PracticeKind.A3.value if "a3" in content else PracticeKind.IMPROVEMENT.value


def _apply_text(practice: Practice, text: PracticeText, content: dict) -> None:
    practice.title = text.title.strip()
    practice.summary = text.summary.strip()
    practice.learnings = (text.learnings or "").strip()
    practice.theme = text.theme
    practice.focus_area = text.focus_area
    practice.content = content
    practice.search_document = snapshot.search_document(
        practice.title, practice.summary, practice.learnings, content
    )


def preview_practice(
    actor: User, source: Improvement | KaizenEntry, text: PracticeText, a3: dict | None = None
) -> Practice:
    """The practice as it would be published, never saved: what the preview shows."""
    content = _content(source, text.shares, a3)
    practice = Practice(
        organization=actor.organization,
        published_by=actor,
        kind=_kind(source, content),
        published_at=utcnow(),
        origin_practice_id=getattr(source, "origin_practice_id", None),
    )
    _apply_text(practice, text, content)
    return practice


def publish_practice(
    actor: User, source: Improvement | KaizenEntry, text: PracticeText, a3: dict | None = None
) -> Practice:
    """Publish a finished card (with its A3 sheet if shared) or a kaizen as a practice."""
    content = _content(source, text.shares, a3)
    practice = Practice(
        organization_id=actor.organization_id,
        published_by=actor,
        kind=_kind(source, content),
    )
    if isinstance(source, KaizenEntry):
        practice.source_kaizen_id = source.id
    else:
        practice.source_improvement_id = source.id
        # A card adopted from another practice carries the lineage on.
        practice.origin_practice_id = source.origin_practice_id
    _apply_text(practice, text, content)
    db.session.add(practice)
    db.session.flush()
    _record(actor, EventKind.PUBLISHED, practice, source.team_id, practice_kind=practice.kind)
    return practice


def practice_source(practice: Practice) -> Improvement | KaizenEntry | None:
    if practice.source_improvement_id is not None:
        return db.session.get(Improvement, practice.source_improvement_id)
    if practice.source_kaizen_id is not None:
        return db.session.get(KaizenEntry, practice.source_kaizen_id)
    return None


def update_practice(
    actor: User,
    practice: Practice,
    expected_version: int,
    text: PracticeText,
    a3: dict | None = None,
) -> None:
    """Take a new snapshot of the source, deliberately; a withdrawn practice is published again.

    Raises EditConflict when someone else updated the practice after the form was loaded.
    """
    if practice.version != expected_version:
        raise EditConflict(practice)
    source = practice_source(practice)
    content = _content(source, text.shares, a3) if source is not None else practice.content
    _apply_text(practice, text, content)
    if source is not None:
        practice.kind = _kind(source, content)
    practice.updated_at = utcnow()
    practice.withdrawn_at = None
    _record(actor, EventKind.UPDATED, practice)


def withdraw_practice(actor: User, practice: Practice) -> None:
    """Take a practice out of the library; its adoptions keep their cards."""
    if practice.withdrawn_at is not None:
        return
    practice.withdrawn_at = utcnow()
    _record(actor, EventKind.WITHDRAWN, practice)


def comment_on_practice(
    actor: User,
    practice: Practice,
    body: str,
    *,
    answer_to: PracticeComment | None = None,
    similar: Practice | None = None,
) -> PracticeComment:
    """A comment, a question or an answer; the publishing organization gets a notice
    (lean/network/notices.py, after the request's commit)."""
    comment = PracticeComment(
        practice_id=practice.id,
        parent_id=answer_to.id if answer_to is not None else None,
        author=actor,
        organization_id=actor.organization_id,
        body=body.strip(),
        similar_practice_id=similar.id if similar is not None else None,
    )
    db.session.add(comment)
    db.session.flush()
    _record(actor, EventKind.COMMENTED, practice, comment_id=comment.id)
    return comment


def adopt_practice(actor: User, practice: Practice, team: Team) -> Improvement:
    """A new card in Plan on the team's board, prefilled from the practice and linked to it."""
    taken = db.session.scalar(
        select(Adoption.id).where(Adoption.practice_id == practice.id, Adoption.team_id == team.id)
    )
    if taken is not None:
        raise AlreadyAdopted
    content = practice.content or {}
    improvement = create_improvement(
        actor,
        team,
        title=practice.title,
        theme=practice.theme,
        stage=Stage.PLAN,
        problem=practice.summary,
        focus_area=practice.focus_area,
        expected_effect=content.get("result", ""),
        origin_practice_id=practice.id,
    )
    adoption = Adoption(
        practice_id=practice.id,
        improvement_id=improvement.id,
        organization_id=actor.organization_id,
        team_id=team.id,
        adopted_by_id=actor.id,
    )
    db.session.add(adoption)
    try:
        db.session.flush()
    except IntegrityError:
        # The same team adopted it in a concurrent request: the new card goes with it, and the
        # refusal's page reads the practice as it stands.
        db.session.rollback()
        raise AlreadyAdopted from None
    _record(actor, EventKind.ADOPTED, practice, team.id, improvement_id=improvement.id)
    return improvement


def mark_notices_read(actor: User, organization_id: int) -> int:
    """Mark every unread notice of the organization read; returns how many there were."""
    result = cast(
        CursorResult,
        db.session.execute(
            update(Notice)
            .where(Notice.organization_id == organization_id, Notice.read_at.is_(None))
            .values(read_at=utcnow())
        ),
    )
    record_admin_event(
        actor, EventKind.READ, "notice", organization_id, organization_id, count=result.rowcount
    )
    return result.rowcount


def set_supervisors_may_publish(actor: User, organization: Organization, allowed: bool) -> None:
    if organization.supervisors_may_publish == allowed:
        return
    organization.supervisors_may_publish = allowed
    record_admin_event(
        actor,
        EventKind.EDITED,
        "organization",
        organization.id,
        organization.id,
        fields={"supervisors_may_publish": [not allowed, allowed]},
    )


def set_name_shown_to_network(user: User, shown: bool) -> None:
    """The person's own choice: other organizations see their name, or only their organization."""
    if user.show_name_to_network == shown:
        return
    user.show_name_to_network = shown
    record_admin_event(
        user,
        EventKind.EDITED,
        "user",
        user.id,
        user.organization_id,
        fields={"show_name_to_network": [not shown, shown]},
    )
