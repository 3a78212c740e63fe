"""Who an @mention names: people of the card's organization, picked from a list or typed."""

from __future__ import annotations

from sqlalchemy import func, select

from lean.core.extensions import db
from lean.models import Improvement, Team, User
from lean.shared import policy

SUGGESTIONS = 8


def suggestions(improvement: Improvement, typed: str) -> list[User]:
    """People of the card's organization whose name starts with (or has a word starting with)
    what was typed after the @."""
    typed = typed.strip().lower()
    query = (
        select(User)
        .where(User.organization_id == improvement.team.organization_id, User.active.is_(True))
        .order_by(User.name)
        .limit(SUGGESTIONS)
    )
    if typed:
        name = func.lower(User.name)
        query = query.where(
            name.like(f"{_escape(typed)}%", escape="\\")
            | name.like(f"% {_escape(typed)}%", escape="\\")
        )
    return list(db.session.scalars(query))


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class MentionRefused(Exception):
    """Someone mentioned may not read the card."""

    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names


def resolve(improvement: Improvement, body: str, picked_ids: list[int]) -> list[User]:
    """The people a comment mentions: those picked from the list, and every '@Full Name' of
    the card's organization typed in the text (the way to mention without JavaScript).

    Raises MentionRefused when a picked person of the organization may not read the card;
    anyone picked from outside it is left out unnamed, as an unknown id is.
    """
    team: Team = improvement.team
    picked = [
        user
        for user in (
            db.session.scalars(select(User).where(User.id.in_(picked_ids))) if picked_ids else []
        )
        if policy.may_be_mentioned_on(user, improvement)
    ]
    refused = [user.name for user in picked if not policy.can_read_improvement(user, improvement)]
    if refused:
        raise MentionRefused(refused)
    mentioned = {user.id: user for user in picked if f"@{user.name}" in body}
    if "@" in body:
        people = db.session.scalars(
            select(User).where(User.organization_id == team.organization_id, User.active.is_(True))
        )
        lowered = body.lower()
        for user in people:
            typed = f"@{user.name.lower()}" in lowered
            if typed and policy.can_read_improvement(user, improvement):
                mentioned.setdefault(user.id, user)
    return sorted(mentioned.values(), key=lambda user: user.name)
