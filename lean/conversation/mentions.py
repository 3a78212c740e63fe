"""Who an @mention names: people of the card's organization, picked from a list or typed."""

from __future__ import annotations

import re
from collections.abc import Iterable

from flask_babel import gettext as _
from markupsafe import Markup, escape
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


class MentionIncomplete(Exception):
    """An @ followed by only part of someone's name ("@Sanna"): nobody would be told."""

    def __init__(self, typed: str, names: list[str]):
        super().__init__(typed)
        self.typed = typed
        self.names = names

    def message(self) -> str:
        return _(
            "“%(typed)s” is not a whole name, so nobody would be told. Write the full name "
            "(%(names)s) or pick the person from the list that opens as you type after @.",
            typed=self.typed,
            names=", ".join(self.names),
        )


class MentionRefused(Exception):
    """Someone mentioned may not read the card."""

    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names

    def message(self) -> str:
        return _(
            "%(names)s cannot read this card, so they cannot be mentioned on it.",
            names=", ".join(self.names),
        )


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
    people_mentioned = sorted(mentioned.values(), key=lambda user: user.name)
    _refuse_partial_names(team.organization_id, body, people_mentioned)
    return people_mentioned


# An @ that starts the text or follows a space (not an e-mail address), and the word after it.
AT_WORD = re.compile(r"(?:^|(?<=\s))@(\w[\w'-]*)")
NAMES_SHOWN = 3


def _refuse_partial_names(organization_id: int, body: str, mentioned: list[User]) -> None:
    """Raise MentionIncomplete for an "@Word" that mentions nobody although Word starts the
    name of someone of the organization: they meant a person, and would think them told. An
    "@" before a word that is nobody's name stays text."""
    for match in AT_WORD.finditer(body):
        rest = body[match.start() + 1 :].lower()
        if any(rest.startswith(user.name.lower()) for user in mentioned):
            continue
        word = match.group(1).lower()
        name = func.lower(User.name)
        # The whole name of someone who cannot be told (who left, or of another organization)
        # is no half-written mention: they are left out as before.
        whole_names = db.session.scalars(
            select(name).where(name.like(f"{_escape(word)}%", escape="\\")).limit(50)
        )
        if any(rest.startswith(whole) for whole in whole_names):
            continue
        names = list(
            db.session.scalars(
                select(User.name)
                .where(
                    User.organization_id == organization_id,
                    User.active.is_(True),
                    name.like(f"{_escape(word)}%", escape="\\")
                    | name.like(f"% {_escape(word)}%", escape="\\"),
                )
                .order_by(User.name)
                .limit(NAMES_SHOWN)
            )
        )
        if names:
            raise MentionIncomplete(f"@{match.group(1)}", names)


def highlighted(body: str, names: Iterable[str]) -> Markup:
    """A comment's text, escaped, with each "@Name" of the people it mentioned marked (not a
    link: a person has no page a reader of another organization may open)."""
    text = str(escape(body))
    written = sorted({str(escape(name)) for name in names if name}, key=len, reverse=True)
    if written:
        # One pass, longest name first: "@Anna Virtanen" is not also marked as "@Anna".
        pattern = re.compile("@(?:" + "|".join(re.escape(name) for name in written) + ")")
        text = pattern.sub(lambda found: f'<strong class="mention">{found.group(0)}</strong>', text)
    return Markup(text)  # noqa: S704  # nosec B704 (escaped above; the names escaped too)
