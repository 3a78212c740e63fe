"""Without JavaScript every action on the board is a plain form that reloads the page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import card, column, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def page(new_context):
    return new_context(java_script_enabled=False).new_page()


def test_quick_add_works_as_a_plain_form(page, board):
    log_in(page, board.member.email)
    quick_add = page.locator("#quick-add")

    title = quick_add.get_by_label("Title")
    expect(title, "the quick add's “Title” label must name its input").to_be_editable()
    title.fill("Palautelomake verkkoon")
    quick_add.get_by_label("Theme").select_option(label=board.theme_label)
    quick_add.get_by_role("button", name="Add to Idea").click()

    expect(page.get_by_role("status")).to_have_text("Card added.")
    expect(card(column(page, "Idea"), "Palautelomake verkkoon")).to_be_visible()
    expect(page.locator("#count-idea")).to_have_text("2 cards")
    expect(page).to_have_url(re.compile(rf"/teams/{board.team_id}/board$"))


def test_the_move_control_works_as_a_plain_form(page, board):
    log_in(page, board.member.email)
    the_card = card(page, board.card_title)

    the_card.get_by_role("button", name="Move…").click()
    expect(page).to_have_url(re.compile(rf"/improvements/{board.card_id}/move\??$"))
    page.get_by_role("button", name="Plan", exact=True).click()

    expect(page).to_have_url(re.compile(rf"/teams/{board.team_id}/board#card-{board.card_id}$"))
    expect(card(column(page, "Plan"), board.card_title)).to_be_visible()
    expect(page.locator("#count-idea")).to_have_text("0 cards")
    expect(page.locator("#count-plan")).to_have_text("1 card")

    the_card.get_by_role("button", name="Move…").click()
    page.get_by_role("button", name="Idea", exact=True).click()

    expect(card(column(page, "Idea"), board.card_title)).to_be_visible()
    expect(page.locator("#count-plan")).to_have_text("0 cards")
