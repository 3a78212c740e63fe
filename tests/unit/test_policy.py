"""The policy's questions, answered for each kind of user."""

import pytest
from werkzeug.exceptions import Forbidden, NotFound

from lean.shared import policy
from tests.conftest import make_team


@pytest.mark.parametrize(
    ("role", "read", "write", "supervise"),
    [
        ("member", True, True, False),
        ("supervisor", True, True, True),
        ("coordinator", True, False, True),
        ("admin", True, False, False),
        ("foreign_member", False, False, False),
    ],
)
def test_team_permissions_by_role(world, role, read, write, supervise):
    user = world.users[role]
    assert policy.can_read_team(user, world.team) is read
    assert policy.can_write_team(user, world.team) is write
    assert policy.can_supervise_team(user, world.team) is supervise


def test_member_reads_but_does_not_write_another_team_of_their_organization(world):
    member = world.users["member"]
    assert policy.can_read_team(member, world.other_team)
    assert not policy.can_write_team(member, world.other_team)


def test_archived_team_is_read_only(world):
    archived = make_team(world.organization, archived=True)
    supervisor = world.users["supervisor"]
    from lean.core.extensions import db
    from lean.models import Membership, TeamRole

    db.session.add(Membership(user=supervisor, team=archived, role=TeamRole.SUPERVISOR))
    db.session.commit()
    assert policy.can_read_team(supervisor, archived)
    assert not policy.can_write_team(supervisor, archived)
    assert not policy.can_supervise_team(supervisor, archived)


def test_loaders_hide_other_organizations_and_refuse_readers(world):
    member = world.users["member"]
    with pytest.raises(NotFound):
        policy.team_for_read(member, world.foreign_team.id)
    with pytest.raises(NotFound):
        policy.improvement_for_read(member, world.foreign_improvement.id)
    with pytest.raises(NotFound):
        policy.improvement_for_read(member, 999_999)
    with pytest.raises(Forbidden):
        policy.team_for_write(member, world.other_team.id)
    with pytest.raises(Forbidden):
        policy.improvement_for_supervision(member, world.improvement.id)
    assert policy.improvement_for_write(member, world.improvement.id) == world.improvement
