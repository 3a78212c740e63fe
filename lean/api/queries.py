"""Reads of personal access tokens: a person's own, and those of an organization's people."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from lean.core.extensions import db
from lean.models import Organization, User
from lean.models.connect import ApiToken


def tokens_of(user: User) -> list[ApiToken]:
    """The person's tokens, revoked and expired ones too, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def tokens_of_organization(organization: Organization) -> list[ApiToken]:
    """The tokens of the organization's people (a person belongs to the organization whose
    teams they are members of: User.organization_id), revoked and expired ones too, with each
    token's person loaded; newest first. One statement whatever their number."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .join(ApiToken.user)
            .where(User.organization_id == organization.id)
            .options(contains_eager(ApiToken.user))
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )
