"""Reads that several areas' forms need: the active themes and a team's people."""

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lean.core.extensions import db
from lean.models import Membership, Theme, User


def team_members(team_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.team_id == team_id)
            .order_by(User.name)
        )
    )


def active_themes() -> list[Theme]:
    return list(
        db.session.scalars(
            select(Theme)
            .where(Theme.retired.is_(False))
            .options(joinedload(Theme.focus_areas))
            .order_by(Theme.position, Theme.id)
        ).unique()
    )
