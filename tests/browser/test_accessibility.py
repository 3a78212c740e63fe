"""axe-core finds no WCAG 2.1 A/AA violation on the main pages, nor after htmx redraws."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, card, column, log_in

pytestmark = pytest.mark.browser


def test_the_login_page(page, live_server):
    page.goto("/login")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert_accessible(page)


def test_the_login_page_with_an_error(page, board):
    page.goto("/login")
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("alert").or_(page.locator(".error")).first).to_be_visible()
    assert_accessible(page)


def test_the_board(page, board):
    log_in(page, board.member.email)
    expect(card(page, board.card_title)).to_be_visible()
    assert_accessible(page)


def test_the_card_page(page, board):
    log_in(page, board.member.email)
    page.goto(f"/improvements/{board.card_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(board.card_title)
    assert_accessible(page)


def test_the_edit_page(page, board):
    log_in(page, board.member.email)
    page.goto(f"/improvements/{board.card_id}/edit")
    expect(page.locator("#improvement-form")).to_be_visible()
    assert_accessible(page)


def test_the_board_after_a_quick_add(page, board):
    log_in(page, board.member.email)
    page.locator("#quick-add-title").fill("Palautelomake verkkoon")
    page.locator("#quick-add-theme").select_option(label=board.theme_label)
    page.locator("#quick-add").get_by_role("button", name="Add to Idea").click()
    expect(card(column(page, "Idea"), "Palautelomake verkkoon")).to_be_visible()
    assert_accessible(page)


def test_the_board_after_a_move(page, board):
    log_in(page, board.member.email)
    card(page, board.card_title).get_by_role(
        "button", name=f"Move “{board.card_title}” forward to Plan"
    ).click()
    expect(card(column(page, "Plan"), board.card_title)).to_be_visible()
    assert_accessible(page)
