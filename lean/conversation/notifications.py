"""Who is told of what: subscribers of committed events that fill each person's inbox.

Everyone told is asked of the policy first: nobody hears of a card, A3 sheet or practice they
may not read. The actor is never told of their own doing, and one event gives a person at most
one notification (the most specific reason wins).
"""

from __future__ import annotations

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from lean.models import A3Sheet, CardFollow, Escalation, Improvement, Notification, Practice, User
from lean.shared import policy
from lean.shared.events import CommittedEvent, EventKind, subscribe


class Reason:
    """Why a person is told; the inbox and the digest word each one."""

    MADE_OWNER = "made_owner"
    MENTIONED = "mentioned"
    COMMENT_ON_MY_CARD = "comment_on_my_card"
    COMMENT_ON_FOLLOWED = "comment_on_followed"
    ESCALATION_ANSWERED = "escalation_answered"
    A3_COMMENT = "a3_comment"
    CARD_MOVED = "card_moved"
    MOVE_UNDONE = "move_undone"
    PRACTICE_COMMENTED = "practice_commented"
    PRACTICE_ADOPTED = "practice_adopted"
    DUE_TOMORROW = "due_tomorrow"


def card_path(improvement_id: int, comment_id: int | None = None) -> str:
    anchor = f"#comment-{comment_id}" if comment_id else ""
    return f"/improvements/{improvement_id}{anchor}"


def _tell(
    session: Session,
    event: CommittedEvent,
    recipients: list[tuple[int | None, str]],
    title: str,
    path: str,
    may_read,
) -> None:
    """Notify each recipient (first reason per person wins) who may read the thing."""
    reasons: dict[int, str] = {}
    for user_id, reason in recipients:
        if user_id is not None and user_id != event.actor_id:
            reasons.setdefault(user_id, reason)
    if not reasons:
        return
    # One statement reads the people and one writes their notifications, however many they
    # are; may_read asks the policy of objects already loaded, never the database per person.
    users = session.scalars(select(User).where(User.id.in_(reasons)))
    rows = [
        {
            "user_id": user.id,
            "key": f"event:{event.id}",
            "event_id": event.id,
            "reason": reasons[user.id],
            "actor_id": event.actor_id,
            "title": title[:200],
            "path": path,
            "created_at": event.at,
        }
        for user in users
        if user.active and may_read(user)
    ]
    if rows:
        session.execute(insert(Notification), rows)


def _card(session: Session, event: CommittedEvent) -> Improvement | None:
    if event.subject_type != "improvement":
        return None
    return session.get(Improvement, event.subject_id)


def on_card_comment(session: Session, event: CommittedEvent) -> None:
    """The people mentioned, the card's owner and its followers."""
    card = _card(session, event)
    if card is None:
        return
    comment_id = event.data.get("comment_id")
    mentioned = list(event.data.get("mentions", []))
    if event.kind == EventKind.COMMENT_EDITED:
        # An edit tells only the people newly mentioned in it.
        path = card_path(card.id, comment_id)
        told = set(
            session.scalars(
                select(Notification.user_id).where(
                    Notification.path == path, Notification.reason == Reason.MENTIONED
                )
            )
        )
        recipients = [(user_id, Reason.MENTIONED) for user_id in mentioned if user_id not in told]
    else:
        followers = session.scalars(
            select(CardFollow.user_id).where(CardFollow.improvement_id == card.id)
        )
        recipients = [(user_id, Reason.MENTIONED) for user_id in mentioned]
        recipients.append((card.owner_id, Reason.COMMENT_ON_MY_CARD))
        recipients += [(user_id, Reason.COMMENT_ON_FOLLOWED) for user_id in followers]
    _tell(
        session,
        event,
        recipients,
        card.title,
        card_path(card.id, comment_id),
        lambda user: policy.can_read_improvement(user, card),
    )


def on_card_moved(session: Session, event: CommittedEvent) -> None:
    """The owner hears that someone moved their card, or took such a move back."""
    card = _card(session, event)
    if card is not None:
        reason = Reason.MOVE_UNDONE if event.kind == EventKind.MOVE_UNDONE else Reason.CARD_MOVED
        _tell(
            session,
            event,
            [(card.owner_id, reason)],
            card.title,
            card_path(card.id),
            lambda user: policy.can_read_improvement(user, card),
        )


def on_card_edited(session: Session, event: CommittedEvent) -> None:
    """A new owner hears that the card is now theirs."""
    owner_change = event.data.get("fields", {}).get("owner_id")
    card = _card(session, event)
    if card is None or not owner_change or owner_change[1] is None:
        return
    _tell(
        session,
        event,
        [(owner_change[1], Reason.MADE_OWNER)],
        card.title,
        card_path(card.id),
        lambda user: policy.can_read_improvement(user, card),
    )


def on_escalation_answered(session: Session, event: CommittedEvent) -> None:
    card = _card(session, event)
    escalation = session.get(Escalation, event.data.get("escalation") or 0)
    if card is None or escalation is None:
        return
    _tell(
        session,
        event,
        [(escalation.asked_by_id, Reason.ESCALATION_ANSWERED)],
        card.title,
        card_path(card.id),
        lambda user: policy.can_read_improvement(user, card),
    )


def on_a3_comment(session: Session, event: CommittedEvent) -> None:
    """The owner and the coach of the sheet hear of a coaching comment or answer."""
    card = _card(session, event)
    sheet = session.scalar(select(A3Sheet).where(A3Sheet.improvement_id == event.subject_id))
    if card is None or sheet is None:
        return
    _tell(
        session,
        event,
        [(card.owner_id, Reason.A3_COMMENT), (sheet.coach_id, Reason.A3_COMMENT)],
        sheet.title or card.title,
        f"/improvements/{card.id}/a3",
        lambda user: policy.can_read_a3(user, sheet),
    )


def on_practice_event(session: Session, event: CommittedEvent) -> None:
    """The publisher of a practice hears of its comments and adoptions."""
    if event.subject_type != "practice":
        return
    practice = session.get(Practice, event.subject_id)
    if practice is None:
        return
    reason = (
        Reason.PRACTICE_COMMENTED if event.kind == EventKind.COMMENTED else Reason.PRACTICE_ADOPTED
    )
    _tell(
        session,
        event,
        [(practice.published_by_id, reason)],
        practice.title,
        f"/network/practices/{practice.id}",
        lambda user: policy.can_read_practice(user, practice),
    )


def init_app(_app=None) -> None:
    subscribe(EventKind.COMMENTED, on_card_comment)
    subscribe(EventKind.COMMENT_EDITED, on_card_comment)
    subscribe(EventKind.MOVED, on_card_moved)
    subscribe(EventKind.MOVE_UNDONE, on_card_moved)
    subscribe(EventKind.EDITED, on_card_edited)
    subscribe(EventKind.ESCALATION_ANSWERED, on_escalation_answered)
    subscribe(EventKind.A3_COMMENTED, on_a3_comment)
    subscribe(EventKind.A3_ANSWERED, on_a3_comment)
    subscribe(EventKind.COMMENTED, on_practice_event)
    subscribe(EventKind.ADOPTED, on_practice_event)
