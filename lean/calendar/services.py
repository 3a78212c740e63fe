"""The secrets in the calendar feeds' addresses: made when first asked for, renewed on request.

A renewed secret retires the old address at once (it answers 404), so a person who shared
their address by mistake, or a team whose former member kept its address, takes it back.
"""

from __future__ import annotations

from lean.core.extensions import db
from lean.core.keys import new_token
from lean.models import Team, User


def person_token(person: User) -> str:
    """The person's feed secret, made now if they have none yet."""
    if person.calendar_token is None:
        person.calendar_token = new_token()
        db.session.flush()
    return person.calendar_token


def renew_person_token(person: User) -> str:
    """A new secret for the person's feed; the old address stops working."""
    person.calendar_token = new_token()
    db.session.flush()
    return person.calendar_token


def team_token(team: Team) -> str:
    """The team's feed secret, made now if it has none yet."""
    if team.calendar_token is None:
        team.calendar_token = new_token()
        db.session.flush()
    return team.calendar_token


def renew_team_token(team: Team) -> str:
    """A new secret for the team's feed; the old address stops working."""
    team.calendar_token = new_token()
    db.session.flush()
    return team.calendar_token
