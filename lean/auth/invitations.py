"""Invitations for people who already have an account (those imported from a CSV file).

Each person gets, in their language, either a one-time link that sets their password (valid
INVITATION_DAYS) or, where their organization signs them in with its own accounts, a welcome
that sends them to the login page. The links and events are written in the request; the
mails are composed then and sent after its commit (see invitation_views).
"""

from __future__ import annotations

import enum
import re
from contextlib import nullcontext
from dataclasses import dataclass
from email.message import EmailMessage

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from lean.auth import links
from lean.auth import mail as auth_mail
from lean.auth.queries import has_usable_password, sign_on_domains, signs_on
from lean.core.extensions import db
from lean.core.i18n import format_moment, locale_for
from lean.core.mail import compose
from lean.core.urls import external_url
from lean.models import Membership, OneTimeLink, Organization, TeamRole, User
from lean.shared.events import EventKind, record_admin_event

# At most this many people in one list of ids ("12-5011,5020").
MAX_PEOPLE = 5000
_RANGE = re.compile(r"^(\d{1,10})(?:-(\d{1,10}))?$")


class Way(enum.StrEnum):
    INVITATION = "invitation"
    WELCOME = "welcome"
    HAS_PASSWORD = "has_password"  # noqa: S105 (a way in, not a password)
    DEACTIVATED = "deactivated"


@dataclass
class Invitation:
    """What one person is sent: a link to set their password, a welcome, or nothing."""

    person: User | None  # None: an invitation by address only, its account not made yet
    way: Way
    email: str = ""
    link: OneTimeLink | None = None
    url: str | None = None
    message: EmailMessage | None = None
    mail_state: str = ""

    def __post_init__(self) -> None:
        if self.person is not None:
            self.email = self.person.email

    @property
    def sends(self) -> bool:
        return self.way in (Way.INVITATION, Way.WELCOME)


# ---- which people ------------------------------------------------------------------------


def parse_people(text: str | None) -> list[int]:
    """The ids of people_param's text; what does not read as ids is left out."""
    ids: list[int] = []
    for part in (text or "").split(",")[:MAX_PEOPLE]:
        match = _RANGE.match(part.strip())
        if match is None:
            continue
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if last < first or last - first >= MAX_PEOPLE - len(ids):
            continue
        ids.extend(range(first, last + 1))
    return ids[:MAX_PEOPLE]


def people_of(organization: Organization, ids: list[int]) -> list[User]:
    """The organization's people among the ids (others' are left out), with their teams."""
    if not ids:
        return []
    return list(
        db.session.scalars(
            select(User)
            .where(User.organization_id == organization.id, User.id.in_(ids))
            .options(selectinload(User.memberships).joinedload(Membership.team))
            .order_by(User.stored_name, User.id)
        )
    )


def ways_in(organization: Organization, people: list[User]) -> list[Invitation]:
    """What sending would do for each person, before anything is sent."""
    domains = sign_on_domains(organization.id)
    result = []
    for person in people:
        if not person.active:
            way = Way.DEACTIVATED
        elif has_usable_password(person):
            way = Way.HAS_PASSWORD
        elif signs_on(person, organization, domains):
            way = Way.WELCOME
        else:
            way = Way.INVITATION
        result.append(Invitation(person, way))
    return result


# ---- sending -----------------------------------------------------------------------------


def invite_people(
    actor: User, organization: Organization, people: list[User], mail: bool, language: str
) -> list[Invitation]:
    """Make each person's invitation link (or note their welcome) and compose its mail when
    `mail` is on, in the person's language, else in `language`; the caller sends after the
    commit."""
    invitations = ways_in(organization, people)
    for invitation in invitations:
        prepare(actor, invitation, mail, language)
    return invitations


def prepare(actor: User, invitation: Invitation, mail: bool, language: str) -> None:
    person = invitation.person
    if person is None:
        return
    if invitation.way == Way.INVITATION:
        link, token = links.create_user_invitation(actor, person)
        invitation.link = link
        invitation.url = external_url("auth.welcome", token=token)
        if mail:
            invitation.message = invitation_message(link, invitation.url, actor, language)
    elif invitation.way == Way.WELCOME:
        links.revoke_user_invitations(actor, person)
        record_admin_event(actor, EventKind.WELCOME_SENT, "user", person.id, person.organization_id)
        if mail:
            invitation.message = welcome_message(person, actor, language)


def resend(actor: User, link: OneTimeLink, mail: bool, language: str) -> Invitation | None:
    """A new invitation in place of `link`, which stops working; None when the address has
    an account now (an invitation by address only)."""
    if link.user is not None:
        invitation = Invitation(link.user, Way.INVITATION)
        prepare(actor, invitation, mail, language)
        return invitation
    links.revoke_invitation(actor, link)
    try:
        new_link, token = links.create_invitation(
            actor, link.organization, link.email, team=link.team, role=link.role or TeamRole.MEMBER
        )
    except links.EmailAlreadyRegistered:
        return None
    url = external_url("auth.accept_invitation", token=token)
    invitation = Invitation(None, Way.INVITATION, link.email, new_link, url)
    if mail:
        invitation.message = auth_mail.invitation_message(new_link, url, actor)
    return invitation


def pending(organization: Organization) -> list[OneTimeLink]:
    """The organization's invitations that can still be used, soonest to expire first."""
    return links.pending_invitations(organization)


# ---- the mails ---------------------------------------------------------------------------


def _in_language(person: User, language: str):
    chosen = person.language or language
    return force_locale(locale_for(chosen)) if chosen else nullcontext()


def invitation_message(link: OneTimeLink, url: str, inviter: User, language: str) -> EmailMessage:
    """The invitation with the link that sets the person's password, in their language."""
    person = link.user
    assert person is not None  # an invitation of a person who has an account
    with _in_language(person, language):
        lines = [
            _(
                "%(name)s has invited you to Vertaa, the improvement tracker of %(organization)s.",
                name=inviter.name,
                organization=link.organization.name,
            ),
            _("Your account is %(email)s.", email=person.email),
            "",
            _("Open this link to choose your password and start:"),
            url,
            "",
            _(
                "The link works once, until %(time)s. If it has expired, ask %(name)s for a new"
                " one.",
                time=format_moment(link.expires_at),
                name=inviter.name,
            ),
        ]
        subject = _("Invitation to Vertaa")
    return compose(person.email, subject, "\n".join(lines) + "\n")


def welcome_message(person: User, inviter: User, language: str) -> EmailMessage:
    """The welcome of a person who signs in with their organization's own account."""
    with _in_language(person, language):
        login_url = external_url("auth.login")
        lines = [
            _(
                "%(name)s has added you to Vertaa, the improvement tracker of %(organization)s.",
                name=inviter.name,
                organization=person.organization.name,
            ),
            "",
            _(
                "Sign in with your work account (%(email)s) on the login page; Vertaa needs no"
                " password of its own:",
                email=person.email,
            ),
            login_url,
        ]
        subject = _("Welcome to Vertaa")
    return compose(person.email, subject, "\n".join(lines) + "\n")
