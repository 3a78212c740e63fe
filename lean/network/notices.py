"""The publishing organization's notices: a subscriber of the practices' committed events.

A peer's comment on a practice, or an adoption of it, tells the organization that published
it; its own people's comments and adoptions do not.
"""

from sqlalchemy import select
from sqlalchemy.orm import Session

from lean.models import Adoption, Notice, NoticeKind, Practice
from lean.shared.events import CommittedEvent, EventKind, subscribe


def notify_publisher(session: Session, event: CommittedEvent) -> None:
    """One notice to the practice's organization for a peer's comment or adoption."""
    if event.subject_type != "practice" or event.actor_id is None:
        return
    publisher = session.scalar(
        select(Practice.organization_id).where(Practice.id == event.subject_id)
    )
    if publisher is None or publisher == event.organization_id:
        return
    links = {}
    if event.kind == EventKind.COMMENTED:
        kind = NoticeKind.COMMENT
        links["comment_id"] = event.data.get("comment_id")
    else:
        kind = NoticeKind.ADOPTION
        links["adoption_id"] = session.scalar(
            select(Adoption.id).where(Adoption.improvement_id == event.data.get("improvement_id"))
        )
    session.add(
        Notice(
            organization_id=publisher,
            practice_id=event.subject_id,
            kind=kind.value,
            actor_id=event.actor_id,
            actor_organization_id=event.organization_id,
            created_at=event.at,
            **links,
        )
    )


def init_app(_app=None) -> None:
    subscribe(EventKind.COMMENTED, notify_publisher)
    subscribe(EventKind.ADOPTED, notify_publisher)
