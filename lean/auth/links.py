"""One-time links: invitations that create an account, and password resets.

The token is shown (or e-mailed) once; only its SHA-256 is stored, so a copy of the
database opens nothing. Each change is one function that records an event; the request
commits it (lean/core/unit_of_work.py).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from flask import current_app
from sqlalchemy import CursorResult, delete, func, or_, select, update
from sqlalchemy.orm import joinedload

from lean.auth.services import (
    counted_address,
    email_taken,
    end_all_sessions,
    normalize_email,
    serialize,
)
from lean.core.extensions import db
from lean.core.keys import new_token, token_hash
from lean.models import (
    LinkPurpose,
    LoginFailure,
    Membership,
    OneTimeLink,
    Organization,
    PasswordResetRequest,
    Team,
    TeamRole,
    User,
)
from lean.models.base import utcnow
from lean.shared.events import EventKind, record_admin_event

# Longer than any token we hand out; anything longer is not worth hashing.
MAX_TOKEN_LENGTH = 100


class EmailAlreadyRegistered(Exception):
    """An invitation to an address that already has an account."""

    def __init__(self, email: str):
        super().__init__(email)
        self.email = email


class LinkUnusable(Exception):
    """The link was used (or expired) between loading it and using it."""


def _new_link(
    purpose: LinkPurpose, lifetime: timedelta, token: str | None = None, **fields
) -> tuple[OneTimeLink, str]:
    token = token or new_token()
    now = utcnow()
    link = OneTimeLink(
        purpose=purpose,
        token_hash=token_hash(token),
        created_at=now,
        expires_at=now + lifetime,
        **fields,
    )
    db.session.add(link)
    db.session.flush()
    return link, token


def _claim(link: OneTimeLink, now: datetime) -> None:
    """Mark the link used, unless another request did so first: a link works exactly once."""
    claimed = cast(
        CursorResult,
        db.session.execute(
            update(OneTimeLink)
            .where(
                OneTimeLink.id == link.id,
                OneTimeLink.used_at.is_(None),
                OneTimeLink.revoked_at.is_(None),
                OneTimeLink.expires_at > now,
            )
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        ),
    )
    if claimed.rowcount != 1:
        raise LinkUnusable
    link.used_at = now


def _end_pending_links(purpose: LinkPurpose, now: datetime, *conditions) -> None:
    """Other pending links of the same kind end with this one, so none is left lying around."""
    db.session.execute(
        update(OneTimeLink)
        .where(
            OneTimeLink.purpose == purpose,
            OneTimeLink.used_at.is_(None),
            OneTimeLink.expires_at > now,
            *conditions,
        )
        .values(expires_at=now)
        .execution_options(synchronize_session=False)
    )


def find_usable_link(token: str, purpose: LinkPurpose) -> OneTimeLink | None:
    """The unused, unexpired link of this token; unknown, used and expired all give None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    link = db.session.scalar(
        select(OneTimeLink)
        .where(OneTimeLink.token_hash == token_hash(token), OneTimeLink.purpose == purpose)
        .options(joinedload(OneTimeLink.organization), joinedload(OneTimeLink.team))
    )
    if link is None or not link.is_usable(utcnow()) or not link.organization.active:
        return None
    if purpose == LinkPurpose.PASSWORD_RESET and link.user is None:
        return None
    return link


def pending_invitations(organization: Organization) -> list[OneTimeLink]:
    """The organization's invitations that can still be accepted, soonest to expire first."""
    return list(
        db.session.scalars(
            select(OneTimeLink)
            .where(
                OneTimeLink.organization_id == organization.id,
                OneTimeLink.purpose == LinkPurpose.INVITATION,
                OneTimeLink.used_at.is_(None),
                OneTimeLink.revoked_at.is_(None),
                OneTimeLink.expires_at > utcnow(),
            )
            .options(
                joinedload(OneTimeLink.created_by),
                joinedload(OneTimeLink.team),
                joinedload(OneTimeLink.user),
            )
            .order_by(OneTimeLink.expires_at, OneTimeLink.id)
        )
    )


def create_invitation(
    actor: User,
    organization: Organization,
    email: str,
    team: Team | None = None,
    role: TeamRole = TeamRole.MEMBER,
) -> tuple[OneTimeLink, str]:
    """An invitation into the organization (and a team); returns the link and its token."""
    email = normalize_email(email)
    if email_taken(email):
        raise EmailAlreadyRegistered(email)
    if team is not None and (team.organization_id != organization.id or team.archived):
        raise ValueError("an invitation's team must be an active team of its organization")
    link, token = _new_link(
        LinkPurpose.INVITATION,
        timedelta(days=current_app.config["INVITATION_DAYS"]),
        email=email,
        organization_id=organization.id,
        team=team,
        role=TeamRole(role) if team is not None else None,
        created_by=actor,
    )
    record_admin_event(
        actor,
        EventKind.INVITATION_CREATED,
        "one_time_link",
        link.id,
        organization.id,
        team_id=team.id if team is not None else None,
        email=email,
        role=link.role.value if link.role else None,
        expires_at=link.expires_at.isoformat(),
    )
    return link, token


def create_user_invitation(actor: User, user: User) -> tuple[OneTimeLink, str]:
    """An invitation for a person who has an account but no password yet (one imported): its
    link sets their password. Their earlier invitations stop working."""
    revoke_user_invitations(actor, user)
    link, token = _new_link(
        LinkPurpose.INVITATION,
        timedelta(days=current_app.config["INVITATION_DAYS"]),
        email=user.email,
        organization_id=user.organization_id,
        user=user,
        created_by=actor,
    )
    record_admin_event(
        actor,
        EventKind.INVITATION_CREATED,
        "one_time_link",
        link.id,
        user.organization_id,
        user_id=user.id,
        email=user.email,
        expires_at=link.expires_at.isoformat(),
    )
    return link, token


def revoke_user_invitations(actor: User, user: User) -> None:
    """Take back every invitation of the person that could still be used."""
    pending = db.session.scalars(
        select(OneTimeLink).where(
            OneTimeLink.user_id == user.id,
            OneTimeLink.purpose == LinkPurpose.INVITATION,
            OneTimeLink.used_at.is_(None),
            OneTimeLink.revoked_at.is_(None),
            OneTimeLink.expires_at > utcnow(),
        )
    )
    for link in pending:
        revoke_invitation(actor, link)


def revoke_invitation(actor: User, link: OneTimeLink) -> None:
    """Take back an invitation: its link answers as one that no longer works."""
    link.revoked_at = utcnow()
    record_admin_event(
        actor,
        EventKind.INVITATION_REVOKED,
        "one_time_link",
        link.id,
        link.organization_id,
        user_id=link.user_id,
        email=link.email,
    )
    db.session.flush()


def accept_user_invitation(link: OneTimeLink, password: str) -> User:
    """The invited person chooses their password; the link is used up, their other
    invitations end with it."""
    now = utcnow()
    user = cast(User, link.user)  # an invitation of a person who has an account
    _claim(link, now)
    user.set_password(password)
    _end_pending_links(LinkPurpose.INVITATION, now, OneTimeLink.user_id == user.id)
    record_admin_event(
        user,
        EventKind.INVITATION_ACCEPTED,
        "user",
        user.id,
        user.organization_id,
        link_id=link.id,
        email=user.email,
    )
    return user


def create_password_reset(
    actor: User, user: User, token: str | None = None
) -> tuple[OneTimeLink, str]:
    """A link that sets a new password for the user (with `token`, else a new one); the
    actor is the user when self-served."""
    link, token = _new_link(
        LinkPurpose.PASSWORD_RESET,
        timedelta(hours=current_app.config["PASSWORD_RESET_HOURS"]),
        token,
        email=user.email,
        organization_id=user.organization_id,
        user=user,
        created_by=actor,
    )
    record_admin_event(
        actor,
        EventKind.PASSWORD_RESET_CREATED,
        "user",
        user.id,
        user.organization_id,
        link_id=link.id,
        expires_at=link.expires_at.isoformat(),
    )
    return link, token


def request_password_reset(email: str, address: str = "") -> int | None:
    """Record and count a self-service reset request: the id of the active user with this
    address, to make a link for (create_requested_reset); None when there is no such user,
    or when the account or the network address asked too often within the window.

    Known and unknown addresses do the same work, statement for statement: the request is
    recorded and counted, and the user looked up with their organization, whatever the
    outcome. The link is made only after the response has gone, so that what the page takes
    to come tells nobody whether the address has an account.
    """
    config = current_app.config
    email = normalize_email(email)
    address = counted_address(address)
    now = utcnow()
    since = now - config["PASSWORD_RESET_WINDOW"]
    # Counted one request at a time per key (see serialize), so parallel requests cannot
    # all slip under a limit; this request is recorded before it is counted.
    serialize(f"reset:email:{email}", f"reset:address:{address}")
    db.session.add(PasswordResetRequest(email=email, address=address, at=now))
    db.session.flush()
    recent_for_account, recent_from_address = db.session.execute(
        select(
            func.count(PasswordResetRequest.id).filter(PasswordResetRequest.email == email),
            func.count(PasswordResetRequest.id).filter(PasswordResetRequest.address == address),
        ).where(
            PasswordResetRequest.at > since,
            or_(PasswordResetRequest.email == email, PasswordResetRequest.address == address),
        )
    ).one()
    throttled = (
        recent_for_account > config["PASSWORD_RESET_MAX_PER_ACCOUNT"]
        or recent_from_address > config["PASSWORD_RESET_MAX_PER_ADDRESS"]
    )
    user = db.session.scalar(
        select(User).where(User.email == email).options(joinedload(User.organization))
    )
    user_id = None if throttled or user is None or not user.is_active else user.id
    return user_id


def create_requested_reset(user_id: int, token: str) -> OneTimeLink | None:
    """The link a self-service request was granted (request_password_reset), with the token
    its mail carries; None when the account closed meanwhile."""
    user = db.session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    return create_password_reset(user, user, token)[0]


def accept_invitation(link: OneTimeLink, name: str, password: str, language: str) -> User:
    """Create the invited user (and their membership) and use up the link, all at once."""
    now = utcnow()
    if email_taken(link.email):
        raise EmailAlreadyRegistered(link.email)
    _claim(link, now)
    user = User(
        email=link.email,
        name=name.strip(),
        organization_id=link.organization_id,
        language=language,
    )
    user.set_password(password)
    db.session.add(user)
    team = link.team if link.team is not None and not link.team.archived else None
    if team is not None:
        db.session.add(Membership(user=user, team=team, role=link.role or TeamRole.MEMBER))
    # One address, one account: the address's other invitations cannot be used any more.
    _end_pending_links(LinkPurpose.INVITATION, now, OneTimeLink.email == link.email)
    db.session.flush()
    record_admin_event(
        user,
        EventKind.INVITATION_ACCEPTED,
        "user",
        user.id,
        link.organization_id,
        team_id=team.id if team is not None else None,
        link_id=link.id,
        email=user.email,
        role=(link.role or TeamRole.MEMBER).value if team is not None else None,
    )
    return user


def reset_password(link: OneTimeLink, password: str) -> User:
    """Set the new password, use up the link and end every session of the user."""
    now = utcnow()
    user = cast(User, link.user)  # only an invitation has no user yet
    _claim(link, now)
    user.set_password(password)
    _end_pending_links(LinkPurpose.PASSWORD_RESET, now, OneTimeLink.user_id == user.id)
    # Whoever locked the account by guessing is shut out by the new password anyway.
    db.session.execute(delete(LoginFailure).where(LoginFailure.email == user.email))
    record_admin_event(
        user, EventKind.PASSWORD_RESET, "user", user.id, user.organization_id, link_id=link.id
    )
    end_all_sessions(user)
    return user
