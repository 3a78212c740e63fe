"""Pages show other areas' pieces through the registry of page pieces (lean/shared/pieces.py):
the card page its A3, network, stand-up and comment pieces, the board its kaizen, stand-up,
key-figure and network pieces. Without an area's piece the page shows the rest, as it would
with that area absent."""

import pytest

from lean.a3 import services as a3
from lean.conversation import services as conversation
from lean.core.extensions import db
from lean.network import services as network
from lean.standups import services as standups
from tests.conftest import make_kaizen, publish_world_card

# Each piece of the page and what the reader sees of it (the card's history also quotes the
# question and the comment, so their pieces are told by what only they show).
CARD_PIECES = {
    "a3.card_summary": "Open the A3",
    "network.card_links": "Published as",
    "standups.card_escalations": "Not answered yet",
    "conversation.card_comments": "Add comment",
}
BOARD_PIECES = {
    "kaizen.board_link": "1 kaizen this month",
    "standups.board_status": "Stand-up history",
    "dashboard.team_figures": "Key figures of the team this term",
    "network.board_notices": "commented on your practice",
    "standups.stage_limits": "limit 21 days",
}


@pytest.fixture
def card_page(world, login_as):
    """The world's card with a piece of every area: published, an A3, an escalation, a comment."""
    member = world.users["member"]
    practice = publish_world_card(world)
    a3.start_a3(member, world.improvement)
    standups.escalate_card(member, None, world.improvement, "Saako tähän rahaa?")
    conversation.comment_on_card(member, world.improvement, "Hyvä, jatketaan tästä.", [])
    network.comment_on_practice(world.users["foreign_member"], practice, "Miten aloititte?")
    make_kaizen(world.team, member)
    db.session.commit()
    client = login_as("coordinator")
    return lambda url: client.get(url).get_data(as_text=True)


def test_the_card_page_shows_every_areas_piece(world, card_page):
    html = card_page(f"/improvements/{world.improvement.id}")
    for text in CARD_PIECES.values():
        assert text in html


@pytest.mark.parametrize("absent", CARD_PIECES)
def test_the_card_page_without_an_areas_piece_shows_the_rest(
    app, world, card_page, monkeypatch, absent
):
    monkeypatch.delitem(app.extensions["pieces"], absent)
    html = card_page(f"/improvements/{world.improvement.id}")
    assert CARD_PIECES[absent] not in html
    for name, text in CARD_PIECES.items():
        if name != absent:
            assert text in html
    assert "Oma kortti" in html


def test_the_board_shows_every_areas_piece(world, card_page):
    html = card_page(f"/teams/{world.team.id}/board")
    for text in BOARD_PIECES.values():
        assert text in html


@pytest.mark.parametrize("absent", BOARD_PIECES)
def test_the_board_without_an_areas_piece_shows_the_rest(
    app, world, card_page, monkeypatch, absent
):
    monkeypatch.delitem(app.extensions["pieces"], absent)
    html = card_page(f"/teams/{world.team.id}/board")
    assert BOARD_PIECES[absent] not in html
    for name, text in BOARD_PIECES.items():
        if name != absent:
            assert text in html
    assert "Oma kortti" in html
