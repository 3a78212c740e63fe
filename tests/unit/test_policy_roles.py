"""The policy's questions behind the links, the start page and the lists, for each role."""

import pytest
from sqlalchemy import select

from lean.boards import queries as boards
from lean.core.extensions import db
from lean.models import Team
from lean.shared import policy
from tests.conftest import make_user

ROLES = ["member", "supervisor", "coordinator", "admin", "foreign_member"]


@pytest.mark.parametrize(
    ("role", "everywhere", "administration", "coordinates"),
    [
        ("member", False, False, False),
        ("supervisor", False, False, False),
        ("coordinator", False, True, True),
        ("admin", True, True, False),
        ("foreign_member", False, False, False),
    ],
)
def test_questions_of_a_role(world, role, everywhere, administration, coordinates):
    user = world.users[role]
    assert policy.can_read_every_organization(user) is everywhere
    assert policy.can_open_administration(user) is administration
    assert policy.coordinates_organization(user) is coordinates


def test_an_admin_who_coordinates_too_has_both_roles_links(world):
    both = make_user(world.organization, is_admin=True, is_coordinator=True)
    assert policy.can_read_every_organization(both)
    assert policy.can_open_administration(both)
    assert policy.coordinates_organization(both)


@pytest.mark.parametrize("role", ROLES)
def test_teams_of_an_organization_are_read_as_each_of_its_teams_is(world, role):
    user = world.users[role]
    for team in (world.team, world.foreign_team):
        assert policy.can_read_teams_of(user, team.organization_id) is policy.can_read_team(
            user, team
        )


@pytest.mark.parametrize("role", ROLES)
def test_the_team_picker_lists_the_teams_the_user_reads(world, role):
    user = world.users[role]
    every_team = db.session.scalars(select(Team))
    readable = {team.id for team in every_team if policy.can_read_team(user, team)}
    assert {team.id for team in boards.organization_teams(user)} == readable


def test_only_an_admin_anonymises_and_never_themselves(world):
    admin, member = world.users["admin"], world.users["member"]
    assert policy.can_anonymise_user(admin, member)
    assert policy.can_anonymise_user(admin, world.users["foreign_member"])
    assert not policy.can_anonymise_user(admin, admin)
    assert not policy.can_anonymise_user(world.users["coordinator"], member)
    assert not policy.can_anonymise_user(member, member)
