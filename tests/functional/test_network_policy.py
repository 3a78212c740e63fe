"""The policy's network questions: who publishes, reads, manages and adopts a practice."""

import pytest
from werkzeug.exceptions import Forbidden, NotFound

from lean.boards.services import move_improvement
from lean.core.extensions import db
from lean.models import Membership, Stage, TeamRole
from lean.network import services
from lean.network.snapshot import Shares
from lean.shared import policy
from tests.conftest import make_team, theme


def published(world):
    move_improvement(world.users["member"], world.improvement, Stage.DONE)
    return services.publish_practice(
        world.users["coordinator"],
        world.improvement,
        services.PracticeText("Käytäntö", "Tiivistelmä", "", theme(), None, Shares()),
    )


@pytest.mark.parametrize(
    ("role", "publish", "manage", "adopt"),
    [
        ("member", False, False, False),
        ("supervisor", False, False, False),
        ("coordinator", True, True, False),
        ("admin", False, False, False),
        ("foreign_member", False, False, True),
    ],
)
def test_network_permissions_by_role(world, role, publish, manage, adopt):
    practice = published(world)
    user = world.users[role]
    assert policy.can_publish_improvement(user, world.improvement) is publish
    assert policy.can_manage_practice(user, practice) is manage
    assert policy.can_adopt_practice(user, practice) is adopt
    assert policy.can_read_practice(user, practice)


def test_supervisors_publish_and_manage_their_own_only_where_allowed(world):
    supervisor = world.users["supervisor"]
    world.organization.supervisors_may_publish = True
    db.session.commit()
    practice = published(world)
    assert policy.can_publish_improvement(supervisor, world.improvement)
    assert not policy.can_publish_from_team(supervisor, world.other_team)  # not their team
    assert not policy.can_manage_practice(supervisor, practice)  # the coordinator published it
    practice.published_by = supervisor
    db.session.commit()
    assert policy.can_manage_practice(supervisor, practice)


def test_withdrawn_practice_is_hidden_from_other_organizations(world):
    practice = published(world)
    services.withdraw_practice(world.users["coordinator"], practice)
    with pytest.raises(NotFound):
        policy.practice_for_read(world.users["foreign_member"], practice.id)
    assert policy.practice_for_read(world.users["member"], practice.id) == practice
    with pytest.raises(Forbidden):
        policy.practice_for_comment(world.users["member"], practice.id)


def test_adopting_teams_are_the_users_own_writable_teams(world):
    foreign = world.users["foreign_member"]
    archived = make_team(world.foreign_organization, archived=True)
    db.session.add(Membership(user=foreign, team=archived, role=TeamRole.MEMBER))
    db.session.commit()
    assert policy.adopting_teams(foreign) == [world.foreign_team]
    assert policy.team_for_adoption(foreign, world.team.id) is None
    assert policy.team_for_adoption(foreign, archived.id) is None
