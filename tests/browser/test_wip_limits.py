"""Work-in-progress limits as a person meets them on the board: a drop into a full column asks
why, the reason goes with the move into the card's history; a hard limit refuses the move."""

import re

import pytest
from playwright.sync_api import expect

from lean.core.extensions import db
from lean.models import Team
from tests.browser.conftest import assert_accessible, card, column, log_in
from tests.conftest import make_improvement, make_user

pytestmark = pytest.mark.browser

# A loaded machine: room for the answers.
WAIT = 15_000


def limit_the_board(live_app, board, stage: str, limit: int, hard: bool = False) -> None:
    """Fill the stage's column up to its new limit, with cards of a colleague."""
    with live_app.app_context():
        team = db.session.get(Team, board.team_id)
        author = make_user(team.organization, {team: "member"})
        for number in range(limit):
            make_improvement(team, author, stage=stage, title=f"Työn alla {number}")
        team = db.session.get(Team, board.team_id)
        setattr(team, f"{stage}_wip_limit", limit)
        team.wip_limits_hard = hard
        db.session.commit()


def drag(page, the_card, target) -> None:
    """Drag by the mouse in small steps, as a hand does (SortableJS follows the moves)."""
    start, end = the_card.bounding_box(), target.bounding_box()
    page.mouse.move(start["x"] + 5, start["y"] + 5)  # its edge: not its link or button
    page.mouse.down()
    page.mouse.move(end["x"] + 20, end["y"] + end["height"] - 5, steps=12)
    page.mouse.up()


def test_a_card_dragged_into_a_full_column_asks_why_and_keeps_the_reason(page, live_app, board):
    limit_the_board(live_app, board, "do", 2)
    log_in(page, board.member.email)
    do_count = page.locator("#count-do")
    expect(do_count).to_contain_text("2 / 2")
    expect(do_count).not_to_contain_text("over the limit")
    the_card = card(page, board.card_title)

    drag(page, the_card, page.locator("#cards-do > .card").last)

    reason = page.get_by_label("Over the limit because")
    expect(reason).to_be_focused(timeout=WAIT)
    expect(page.locator("#messages")).to_contain_text("Do is at its limit of 2 cards")
    expect(card(column(page, "Idea"), board.card_title)).to_be_visible()  # not moved yet
    expect(do_count).to_contain_text("2 / 2")
    assert_accessible(page)

    reason.fill("Opiskelijan hakemus ei voi odottaa")
    page.get_by_role("button", name="Move over the limit").click()

    expect(card(column(page, "Do"), board.card_title)).to_be_visible(timeout=WAIT)
    expect(page.get_by_label("Over the limit because")).to_have_count(0)
    expect(do_count).to_contain_text("3 / 2")
    expect(do_count).to_contain_text("over the limit")
    # The column's heading says it to a screen reader too.
    expect(column(page, "Do").get_by_role("heading", level=2)).to_have_accessible_name(
        re.compile(r"3 cards, work-in-progress limit 2 .*over the limit")
    )
    expect(the_card.get_by_role("button", name="Move…")).to_be_focused()
    # The live region says the move once, with its Undo.
    expect(page.locator("#messages")).to_have_text(
        re.compile(r"^\s*Card moved to Do, over its limit\.\s*Undo\s*$")
    )
    assert_accessible(page)

    the_card.get_by_role("link", name=board.card_title).click()
    expect(page.locator("#card-history")).to_contain_text(
        "moved it from Idea to Do, over the limit of 2 because: Opiskelijan hakemus ei voi odottaa"
    )


def test_a_hard_limit_refuses_a_keyboard_move_and_says_why(page, live_app, board):
    limit_the_board(live_app, board, "plan", 1, hard=True)
    log_in(page, board.member.email)
    the_card = card(page, board.card_title)
    the_card.get_by_role("link", name=board.card_title).focus()

    page.keyboard.press("Shift+ArrowRight")

    refusal = page.locator("#over-limit-message")
    expect(refusal).to_have_text(
        "Plan holds at most 1 card. The card stays where it was.", timeout=WAIT
    )
    expect(refusal).to_be_focused()
    expect(page.locator("#messages")).to_contain_text("Plan holds at most 1 card")
    expect(card(column(page, "Idea"), board.card_title)).to_be_visible()
    expect(page.locator("#count-plan")).to_contain_text("1 / 1")
    assert_accessible(page)


def test_a_supervisor_sets_the_limits_on_their_page(page, live_app, board):
    with live_app.app_context():
        team = db.session.get(Team, board.team_id)
        supervisor = make_user(team.organization, {team: "supervisor"}, name="Sanna Esihenkilö")
        email = supervisor.email
    log_in(page, email)
    page.get_by_role("link", name="Work-in-progress limits").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Work-in-progress limits: Opintotoimisto"
    )
    assert_accessible(page)
    page.get_by_label("Do").fill("0")
    page.get_by_label("Plan").fill("3")
    page.get_by_role("button", name="Save limits").click()
    expect(page.get_by_label("Do")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_text("A whole number from 1 to 99, or empty.")).to_be_visible()
    expect(page.get_by_label("Plan")).to_have_value("3")
    assert_accessible(page)
    page.get_by_label("Do").fill("4")
    page.get_by_role("button", name="Save limits").click()
    expect(page.get_by_text("Work-in-progress limits saved.")).to_be_visible()
    expect(page.locator("#count-do")).to_contain_text("0 / 4")
    expect(page.locator("#count-plan")).to_contain_text("0 / 3")
    expect(page.locator("#count-check")).to_have_text("0 cards")
