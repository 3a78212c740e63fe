"""Pages run a fixed number of SQL statements, however many cards the team has."""

import pytest
from sqlalchemy import select

from lean.boards import checklists, services
from lean.core.extensions import db
from lean.models import Improvement
from tests.conftest import make_improvement

# The top bar's bell (the unread notification count): one statement on every page.
BELL_QUERIES = 1
# The card page: the user with their memberships (one statement), the card with its team and
# people, its history, its kaizens, and one each for the A3 summary, the stand-up escalations
# and the origin practice; then the bell, and its comments and whether the reader follows it.
CARD_QUERIES_BEFORE_COMMENTS = 7
# Its checklist: the items with who ticked them, one statement however many.
CHECKLIST_QUERIES = 1
# Its photos and documents: one statement however many.
CARD_FILES_QUERIES = 1
# Its comments, whether the reader follows it, and the names each comment mentions.
COMMENTS_QUERIES = 3
# The card's newest event ids: the tag of the open page's check for new comments.
CARD_FRESHNESS_QUERIES = 1
MAX_QUERIES = (
    CARD_QUERIES_BEFORE_COMMENTS
    + CHECKLIST_QUERIES
    + CARD_FILES_QUERIES
    + BELL_QUERIES
    + COMMENTS_QUERIES
    + CARD_FRESHNESS_QUERIES
)
# The board: the card page's first seven plus its stand-up line, the bell, and the team's
# newest event id (the tag of its freshness check).
BOARD_QUERIES = CARD_QUERIES_BEFORE_COMMENTS + 1 + BELL_QUERIES + 1
# An open board's or card page's check while nothing changed: one statement, the login, the
# team's or card's organization and the newest event ids together (lean/core/conditional.py).
QUICK_NOT_MODIFIED_QUERIES = 1


def fill_board(team, author, count):
    stages = ["idea", "plan", "do", "check", "act", "done"]
    for number in range(count):
        make_improvement(
            team,
            author,
            title=f"Kortti {number}",
            stage=stages[number % 6],
            blocked=number % 7 == 0,
        )


def count_queries(client, query_counter, url) -> int:
    client.get(url)  # warm caches that a running app has warm anyway (templates, themes.css)
    with query_counter() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.value


@pytest.mark.parametrize("page", ["board", "card"])
def test_page_query_count_does_not_grow_with_cards(world, login_as, query_counter, page):
    member = world.users["member"]
    client = login_as("member")
    url = (
        f"/teams/{world.team.id}/board"
        if page == "board"
        else f"/improvements/{world.improvement.id}"
    )
    fill_board(world.team, member, 4)  # 5 cards with the world's own
    checklists.add_checklist_items(member, world.improvement, ["Yksi"])
    small = count_queries(client, query_counter, url)
    fill_board(world.team, world.users["supervisor"], 195)  # 200 cards, more owners
    # Checklists on many cards, a long one on the card itself, some of it ticked.
    cards = db.session.scalars(select(Improvement).where(Improvement.team_id == world.team.id))
    for card in cards.all():
        items = checklists.add_checklist_items(member, card, [f"Kohta {n}" for n in range(5)])
        checklists.tick_checklist_item(member, items[0])
    checklists.add_checklist_items(member, world.improvement, [f"Lisää {n}" for n in range(30)])
    for _ in range(20):  # a long history on the card itself
        services.move_improvement(member, world.improvement, services.Stage.PLAN)
        services.move_improvement(member, world.improvement, services.Stage.IDEA)
    large = count_queries(client, query_counter, url)
    assert small == large
    assert large <= (BOARD_QUERIES if page == "board" else MAX_QUERIES)


def test_board_with_200_cards_shows_all_but_the_oldest_done(world, login_as):
    fill_board(world.team, world.users["member"], 199)  # 33 of them reach Done
    html = login_as("member").get(f"/teams/{world.team.id}/board").get_data(as_text=True)
    assert html.count('class="card ') == 200 - 33 + 10
    assert "Show all 33 done cards" in html
