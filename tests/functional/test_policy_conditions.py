"""The policy answers "may this user read it" the same way for one object and for a query.

A list or a search filters with the policy's SQL conditions; the page of one object asks the
policy's question. Both are read from one rule, so they can never disagree.
"""

import pytest
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from lean.a3 import services as a3
from lean.core.extensions import db
from lean.models import A3Sheet, Improvement, Practice
from lean.network.services import PracticeText, publish_practice, withdraw_practice
from lean.network.snapshot import Shares
from lean.shared import policy
from tests.conftest import make_improvement, make_user, theme

ROLES = ["member", "supervisor", "coordinator", "admin", "foreign_member"]


@pytest.fixture
def practices(world):
    """A published and a withdrawn practice of each organization, by title."""
    coordinators = {
        world.team: world.users["coordinator"],
        world.foreign_team: make_user(world.foreign_organization, is_coordinator=True),
    }
    made = {}
    for team, coordinator in coordinators.items():
        for state in ("published", "withdrawn"):
            done = make_improvement(team, coordinator, stage="done")
            title = f"{team.name} {state}"
            text = PracticeText(title, "Tiivis", "", theme(), None, Shares())
            practice = publish_practice(coordinator, done, text)
            if state == "withdrawn":
                withdraw_practice(coordinator, practice)
            made[title] = practice
    return made


# Who reads which: everyone the published ones; their own organization and admins the
# withdrawn ones too.
OWN_WITHDRAWN = "Opintotoimisto withdrawn"
FOREIGN_WITHDRAWN = "Opiskelijapalvelut withdrawn"
PUBLISHED = {"Opintotoimisto published", "Opiskelijapalvelut published"}
EXPECTED = {
    "member": PUBLISHED | {OWN_WITHDRAWN},
    "supervisor": PUBLISHED | {OWN_WITHDRAWN},
    "coordinator": PUBLISHED | {OWN_WITHDRAWN},
    "admin": PUBLISHED | {OWN_WITHDRAWN, FOREIGN_WITHDRAWN},
    "foreign_member": PUBLISHED | {FOREIGN_WITHDRAWN},
}


@pytest.mark.parametrize("role", ROLES)
def test_practices_readable_one_by_one_and_by_query_are_the_same(world, practices, role):
    user = world.users[role]
    by_question = {title for title, p in practices.items() if policy.can_read_practice(user, p)}
    by_query = set(
        db.session.scalars(select(Practice.title).where(policy.readable_practices(user)))
    )
    assert by_question == by_query == EXPECTED[role]
    for title, practice in practices.items():
        if title in EXPECTED[role]:
            assert policy.practice_for_read(user, practice.id) == practice
        else:
            with pytest.raises(NotFound):
                policy.practice_for_read(user, practice.id)


@pytest.mark.parametrize("role", ROLES)
def test_cards_and_a3_sheets_readable_one_by_one_and_by_query_are_the_same(world, role):
    user = world.users[role]
    coach = make_user()  # of a third organization
    sheets = {
        "own": a3.start_a3(world.users["member"], world.improvement),
        "foreign": a3.start_a3(world.users["foreign_member"], world.foreign_improvement),
    }
    a3.name_peer_coach(world.users["coordinator"], sheets["own"], coach)
    cards = [world.improvement, world.foreign_improvement]
    by_question = {c.id for c in cards if policy.can_read_team(user, c.team)}
    by_query = set(
        db.session.scalars(
            select(Improvement.id).where(policy.readable_teams(user, Improvement.team_id))
        )
    )
    assert by_question == by_query
    for reader in (user, coach):
        by_question = {s.id for s in sheets.values() if policy.can_read_a3(reader, s)}
        by_query = set(
            db.session.scalars(
                select(A3Sheet.id)
                .join(Improvement, Improvement.id == A3Sheet.improvement_id)
                .where(policy.readable_a3_sheets(reader))
            )
        )
        assert by_question == by_query
    assert policy.can_read_a3(coach, sheets["own"]) and not policy.can_read_a3(
        coach, sheets["foreign"]
    )
