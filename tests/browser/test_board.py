"""The board as a person uses it: quick add and moving cards, with htmx redrawing the board."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import card, column, log_in, move_with_the_stage_list

pytestmark = pytest.mark.browser


def test_quick_add_puts_the_card_in_idea_without_reloading_the_page(page, board):
    log_in(page, board.member.email)
    expect(page.locator("#count-idea")).to_have_text("1 card")
    page.evaluate("window.vertaaMarker = 'still the same page'")

    quick_add = page.locator("#quick-add")
    title = quick_add.get_by_label("Title")
    expect(title, "the quick add's “Title” label must name its input").to_be_editable()
    title.fill("Palautelomake verkkoon")
    quick_add.get_by_label("Theme").select_option(label=board.theme_label)
    quick_add.get_by_role("button", name="Add to Idea").click()

    expect(card(column(page, "Idea"), "Palautelomake verkkoon")).to_be_visible()
    expect(page.locator("#count-idea")).to_have_text("2 cards")
    assert page.evaluate("window.vertaaMarker") == "still the same page"
    expect(title).to_have_value("")
    expect(title).to_be_focused()


def test_shift_arrows_move_a_focused_card_forward_and_back(page, board):
    log_in(page, board.member.email)
    the_card = card(page, board.card_title)
    expect(card(column(page, "Idea"), board.card_title)).to_be_visible()

    the_card.get_by_role("link", name=board.card_title).focus()
    page.keyboard.press("Shift+ArrowRight")

    expect(card(column(page, "Plan"), board.card_title)).to_be_visible()
    expect(page.locator("#count-idea")).to_have_text("0 cards")
    expect(page.locator("#count-plan")).to_have_text("1 card")
    # Focus follows the card (its Move… control), so the next Shift+← needs no Tab.
    expect(the_card.get_by_role("button", name="Move…")).to_be_focused()

    page.keyboard.press("Shift+ArrowLeft")

    expect(card(column(page, "Idea"), board.card_title)).to_be_visible()
    expect(page.locator("#count-idea")).to_have_text("1 card")
    expect(page.locator("#count-plan")).to_have_text("0 cards")
    expect(the_card.get_by_role("button", name="Move…")).to_be_focused()


def test_the_move_control_opens_the_stage_list_and_moves_a_card(page, board):
    log_in(page, board.member.email)
    the_card = card(page, board.card_title)

    move_with_the_stage_list(page, the_card, "Check")

    expect(card(column(page, "Check"), board.card_title)).to_be_visible()
    expect(page.locator("#count-idea")).to_have_text("0 cards")
    expect(page.locator("#count-check")).to_have_text("1 card")
    expect(page.get_by_role("dialog")).to_be_hidden()
    expect(the_card.get_by_role("button", name="Move…")).to_be_focused()


def test_a_card_dragged_into_another_column_stays_there(page, board):
    log_in(page, board.member.email)
    the_card = card(page, board.card_title)

    the_card.drag_to(page.locator("#cards-do"))

    expect(card(column(page, "Do"), board.card_title)).to_be_visible()
    expect(page.locator("#count-do")).to_have_text("1 card")
    page.reload()
    expect(card(column(page, "Do"), board.card_title)).to_be_visible()


def test_the_card_page_shows_its_history_newest_first(page, board):
    log_in(page, board.member.email)
    the_card = card(page, board.card_title)
    move_with_the_stage_list(page, the_card, "Plan")
    expect(page.locator("#count-plan")).to_have_text("1 card")
    move_with_the_stage_list(page, the_card, "Do")
    expect(page.locator("#count-do")).to_have_text("1 card")
    expect(card(column(page, "Do"), board.card_title)).to_be_visible()

    the_card.get_by_role("link", name=board.card_title).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(board.card_title)
    history = page.locator("ol.history > li")
    expect(history).to_have_count(3)
    name = board.member.name
    expect(history.nth(0)).to_contain_text(f"{name} moved it from Plan to Do")
    expect(history.nth(1)).to_contain_text(f"{name} moved it from Idea to Plan")
    expect(history.nth(2)).to_contain_text(f"{name} created the card in Idea")
