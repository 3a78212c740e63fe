"""How a person can sign in, as administration pages tell it: read only, for every area."""

from __future__ import annotations

import enum
from collections.abc import Iterable

from sqlalchemy import select

from lean.core.extensions import db
from lean.models import LinkPurpose, OneTimeLink, Organization, User
from lean.models.base import utcnow
from lean.models.sign_on import SignOnProvider
from lean.shared import policy

# The hash an imported person gets (lean/admin/imports.py unusable_password_hash): a secret
# no one knows, stretched once. A password a person chose is never hashed with one round.
_UNUSABLE_HASH_PREFIX = "pbkdf2:sha256:1$"


class SignInState(enum.StrEnum):
    DEACTIVATED = "deactivated"
    HAS_PASSWORD = "has_password"  # noqa: S105 (a state, not a password)
    SIGN_ON = "sign_on"
    INVITED = "invited"
    NO_WAY_IN = "no_way_in"


def people_param(ids: Iterable[int]) -> str:
    """Ids as short ranges for an address: one import's people are mostly consecutive."""
    ranges: list[list[int]] = []
    for number in sorted(set(ids)):
        if ranges and number == ranges[-1][1] + 1:
            ranges[-1][1] = number
        else:
            ranges.append([number, number])
    return ",".join(f"{a}" if a == b else f"{a}-{b}" for a, b in ranges)


def has_usable_password(user: User) -> bool:
    """Whether the person has chosen a password (an imported person has none until then)."""
    return bool(user.password_hash) and not user.password_hash.startswith(_UNUSABLE_HASH_PREFIX)


def email_domain(email: str) -> str:
    return email.rpartition("@")[2].strip().lower()


def sign_on_domains(organization_id: int) -> set[str]:
    """The e-mail domains the organization's active sign-on providers sign in."""
    rows = db.session.scalars(
        select(SignOnProvider.domains).where(
            SignOnProvider.organization_id == organization_id, SignOnProvider.active.is_(True)
        )
    )
    return {
        line.strip().lstrip("@").lower()
        for text in rows
        for line in (text or "").splitlines()
        if line.strip()
    }


def signs_on(user: User, organization: Organization, domains: Iterable[str]) -> bool:
    """Whether the person is welcomed to sign in with their work account rather than given a
    password link: their domain is signed in by a provider, or passwords are off for them."""
    if email_domain(user.email) in set(domains):
        return True
    return not policy.may_log_in_with_password(user)


def pending_invitation(user: User) -> OneTimeLink | None:
    """The person's usable invitation link (the newest), if one is waiting."""
    return db.session.scalar(
        select(OneTimeLink)
        .where(
            OneTimeLink.user_id == user.id,
            OneTimeLink.purpose == LinkPurpose.INVITATION,
            OneTimeLink.used_at.is_(None),
            OneTimeLink.revoked_at.is_(None),
            OneTimeLink.expires_at > utcnow(),
        )
        .order_by(OneTimeLink.id.desc())
        .limit(1)
    )


def sign_in_states(user: User) -> list[SignInState]:
    """What is true of the person's ways in, for their administration page."""
    if not user.active:
        return [SignInState.DEACTIVATED]
    states = []
    if has_usable_password(user):
        states.append(SignInState.HAS_PASSWORD)
    if email_domain(user.email) in sign_on_domains(user.organization_id):
        states.append(SignInState.SIGN_ON)
    if not states and pending_invitation(user) is not None:
        states.append(SignInState.INVITED)
    return states or [SignInState.NO_WAY_IN]
