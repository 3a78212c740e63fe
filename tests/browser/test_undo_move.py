"""Undoing a move on the board: by keyboard and from the stage list, announced, and gone after
its 10 seconds."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import (
    assert_accessible,
    card,
    column,
    log_in,
    move_with_the_stage_list,
)

pytestmark = pytest.mark.browser


def undo_message(page):
    return page.locator("#messages .undo-message")


def test_a_keyboard_move_is_undone_from_the_keyboard(page, board):
    log_in(page, board.member.email)
    the_card = card(page, board.card_title)
    the_card.get_by_role("link", name=board.card_title).focus()
    page.keyboard.press("Shift+ArrowRight")

    expect(card(column(page, "Plan"), board.card_title)).to_be_visible()
    # Said in the page's polite live region, with its Undo.
    messages = page.get_by_role("status")
    expect(messages).to_have_attribute("aria-live", "polite")
    expect(messages).to_contain_text("Card moved to Plan.")
    undo = messages.get_by_role("button", name="Undo")
    expect(undo).to_be_visible()
    assert_accessible(page)

    undo.focus()
    page.keyboard.press("Enter")

    expect(card(column(page, "Idea"), board.card_title)).to_be_visible()
    expect(page.locator("#count-idea")).to_have_text("1 card")
    expect(page.locator("#count-plan")).to_have_text("0 cards")
    expect(messages).to_have_text("Move undone: back to Idea.")
    expect(messages.locator(".undo-message")).to_be_in_viewport()
    # The focus is back on the card, in the column it is back in.
    expect(the_card.get_by_role("button", name="Move…")).to_be_focused()
    assert_accessible(page)

    page.goto(f"/improvements/{board.card_id}")
    expect(page.locator(".history")).to_contain_text("undid the move: back to Idea")


def test_a_move_from_the_stage_list_is_undone(page, board):
    log_in(page, board.member.email)
    the_card = card(page, board.card_title)
    move_with_the_stage_list(page, the_card, "Check")
    expect(card(column(page, "Check"), board.card_title)).to_be_visible()

    undo_message(page).get_by_role("button", name="Undo").click()

    expect(card(column(page, "Idea"), board.card_title)).to_be_visible()
    expect(page.locator("#count-check")).to_have_text("0 cards")
    page.reload()
    expect(card(column(page, "Idea"), board.card_title)).to_be_visible()


def test_the_undo_goes_after_ten_seconds(page, board):
    log_in(page, board.member.email)
    the_card = card(page, board.card_title)
    the_card.get_by_role("link", name=board.card_title).focus()
    page.keyboard.press("Shift+ArrowRight")
    expect(undo_message(page)).to_be_visible()
    page.mouse.move(1, 1)  # not over the message, which would keep it

    expect(undo_message(page)).to_have_count(0, timeout=25_000)
    expect(card(column(page, "Plan"), board.card_title)).to_be_visible()


def test_a_refused_undo_says_why(page, board, live_app):
    log_in(page, board.member.email)
    the_card = card(page, board.card_title)
    move_with_the_stage_list(page, the_card, "Do")
    expect(undo_message(page)).to_be_visible()
    # Someone else edits the card meanwhile.
    with live_app.app_context():
        from lean.boards import services
        from lean.core.extensions import db
        from lean.models import Improvement, User

        card_row = db.session.get(Improvement, board.card_id)
        colleague = db.session.scalar(db.select(User).where(User.email == board.colleague.email))
        services.update_improvement(colleague, card_row, card_row.version, {"title": "Uusi nimi"})
        db.session.commit()

    undo_message(page).get_by_role("button", name="Undo").click()

    expect(page.get_by_role("status")).to_contain_text(
        re.compile("The card was changed after your move")
    )
    expect(card(column(page, "Do"), "Uusi nimi")).to_be_visible()
    assert_accessible(page)
