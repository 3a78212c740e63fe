"""The card the stand-up's leader shows: recorded by a POST, followed by everyone else."""

from __future__ import annotations

import re

import pytest

from lean.core.extensions import db
from lean.models import Standup
from tests.conftest import make_user
from tests.functional.test_freshness import HTMX, page_tag
from tests.functional.test_standups import seeded_board, start

__all__ = ["seeded_board"]  # the fixture, shared with the stand-up tests


def shown(html: str) -> str:
    """The "Card N of M" line of a stand-up page."""
    return re.search(r'<p class="progress">([^<]+)</p>', html).group(1)


def position_of(standup: Standup) -> int | None:
    db.session.expire_all()
    return db.session.get(Standup, standup.id).current_position


def test_the_leaders_next_card_is_recorded_and_everyone_following_sees_it(
    world, login_as, seeded_board
):
    leader = login_as("supervisor")
    standup = start(leader, world.team.id)
    assert position_of(standup) == 1
    member = login_as("member")
    url = f"/teams/{world.team.id}/standup"
    assert shown(member.get(url).get_data(as_text=True)) == "Card 1 of 3"

    response = leader.post(f"/standups/{standup.id}/show", data={"card": "2"})
    assert response.status_code == 303
    # Back to the view that follows the stand-up, the card in view.
    assert response.headers["Location"].endswith(f"{url}#current-card")
    assert position_of(standup) == 2
    assert shown(leader.get(url).get_data(as_text=True)) == "Card 2 of 3"
    page = member.get(url).get_data(as_text=True)
    assert shown(page) == "Card 2 of 3"
    assert 'id="follow-standup"' not in page

    # A place past the agenda's end is its last card.
    leader.post(f"/standups/{standup.id}/show", data={"card": "99"})
    assert position_of(standup) == 3


def test_the_leaders_navigation_is_a_form_and_a_followers_is_links(world, login_as, seeded_board):
    standup = start(login_as("supervisor"), world.team.id)
    url = f"/teams/{world.team.id}/standup"
    leader_page = login_as("supervisor").get(url).get_data(as_text=True)
    assert f'action="/standups/{standup.id}/show" id="show-card-form"' in leader_page
    assert re.search(r'<button[^>]*id="next-card"[^>]*name="card" value="2"', leader_page)
    assert leader_page.count('form="show-card-form" name="card"') == 1 + 3  # next + agenda
    member_page = login_as("member").get(url).get_data(as_text=True)
    assert "show-card-form" not in member_page
    assert f'href="{url}?card=2#current-card"' in member_page


def test_a_member_looking_at_another_card_stays_there_and_can_follow_again(
    world, login_as, seeded_board
):
    standup = start(login_as("supervisor"), world.team.id)
    member = login_as("member")
    url = f"/teams/{world.team.id}/standup"
    page = member.get(f"{url}?card=3").get_data(as_text=True)
    assert shown(page) == "Card 3 of 3"
    # Its check asks for that card, not for the stand-up's.
    assert f'data-freshness-url="{url}?card=3"' in page
    assert "The stand-up is at card 1: follow it" in page
    assert f'href="{url}#current-card" id="follow-standup"' in page
    login_as("supervisor").post(f"/standups/{standup.id}/show", data={"card": "3"})
    assert "follow it" not in member.get(f"{url}?card=3").get_data(as_text=True)


def test_a_move_of_the_leader_changes_the_followers_tag(world, login_as, seeded_board):
    leader = login_as("supervisor")
    standup = start(leader, world.team.id)
    member = login_as("member")
    url = f"/teams/{world.team.id}/standup"
    tag = page_tag(member.get(url).get_data(as_text=True))
    assert member.get(url, headers={**HTMX, "If-None-Match": tag}).status_code == 304
    leader.post(f"/standups/{standup.id}/show", data={"card": "2"})
    redrawn = member.get(url, headers={**HTMX, "If-None-Match": tag})
    assert redrawn.status_code == 200
    assert shown(redrawn.get_data(as_text=True)) == "Card 2 of 3"
    # And the next check is a 304 again.
    fresh = redrawn.headers["ETag"]
    assert member.get(url, headers={**HTMX, "If-None-Match": fresh}).status_code == 304


def test_showing_a_card_keeps_the_finish_form_free_of_conflict(world, login_as, seeded_board):
    leader = login_as("supervisor")
    standup = start(leader, world.team.id)
    version = standup.version
    leader.post(f"/standups/{standup.id}/show", data={"card": "3"})
    db.session.expire_all()
    assert db.session.get(Standup, standup.id).version == version
    response = leader.post(f"/standups/{standup.id}/finish", data={"version": str(version)})
    assert response.status_code == 303


@pytest.mark.parametrize(
    ("role", "status"),
    [("member", 403), ("foreign_member", 404), ("admin", 403), ("coordinator", 303)],
)
def test_only_those_who_run_the_standup_move_its_shared_place(
    world, login_as, seeded_board, role, status
):
    standup = start(login_as("supervisor"), world.team.id)
    response = login_as(role).post(f"/standups/{standup.id}/show", data={"card": "2"})
    assert response.status_code == status
    assert position_of(standup) == (2 if status == 303 else 1)


def test_a_supervisor_of_another_team_cannot_move_it(world, login, seeded_board, login_as):
    standup = start(login_as("supervisor"), world.team.id)
    other = make_user(world.organization, {world.other_team: "supervisor"})
    assert login(other).post(f"/standups/{standup.id}/show", data={"card": "2"}).status_code == 403
    assert position_of(standup) == 1


@pytest.mark.parametrize("card", ["", "0", "kaksi"])
def test_a_place_that_is_no_card_is_refused(world, login_as, seeded_board, card):
    leader = login_as("supervisor")
    standup = start(leader, world.team.id)
    response = leader.post(f"/standups/{standup.id}/show", data={"card": card})
    assert response.status_code == 422
    assert 'role="alert"' in response.get_data(as_text=True)
    assert position_of(standup) == 1


def test_a_finished_standup_shows_no_more_cards(world, login_as, seeded_board):
    leader = login_as("supervisor")
    standup = start(leader, world.team.id)
    leader.post(f"/standups/{standup.id}/finish", data={"version": str(standup.version)})
    assert leader.post(f"/standups/{standup.id}/show", data={"card": "2"}).status_code == 409


def test_showing_a_card_is_no_write_in_a_get(world, login_as, seeded_board):
    leader = login_as("supervisor")
    standup = start(leader, world.team.id)
    url = f"/teams/{world.team.id}/standup"
    leader.get(f"{url}?card=3")
    assert position_of(standup) == 1
