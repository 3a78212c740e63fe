"""What a person hears and where their focus goes after an action: the live region announces
what happened, and a refused form puts focus on what names the problem."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import card, column, log_in

pytestmark = pytest.mark.browser


def test_a_quick_add_is_announced_and_the_new_card_is_brought_into_view(page, board):
    log_in(page, board.member.email)
    quick_add = page.locator("#quick-add")
    quick_add.get_by_label("Title").fill("Palautelomake verkkoon")
    quick_add.get_by_label("Theme").select_option(label=board.theme_label)
    quick_add.get_by_role("button", name="Add to Idea").click()

    new_card = card(column(page, "Idea"), "Palautelomake verkkoon")
    expect(page.get_by_role("status")).to_have_text("Card added to Idea")
    expect(new_card).to_be_in_viewport()
    expect(new_card.locator("xpath=ancestor-or-self::*[contains(@class, 'is-new')]")).to_have_count(
        1
    )


def test_a_refused_edit_moves_focus_to_the_message_and_announces_it(page, board):
    log_in(page, board.member.email)
    page.goto(f"/improvements/{board.card_id}/edit")
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Save").click()

    expect(page.get_by_role("alert")).to_have_text("Please correct the marked fields.")
    # Focus is on the message that names what to fix (or on the field it names), not lost.
    page.wait_for_function(
        """() => {
          const el = document.activeElement;
          return el && el !== document.body
            && (el.matches(".error-summary, .form-errors, #conflict, .conflict, [role=alert]")
                || el.getAttribute("aria-invalid") === "true");
        }"""
    )
    expect(page.get_by_role("status")).not_to_be_empty()
