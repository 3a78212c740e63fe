"""axe-core finds no WCAG 2.1 A/AA violation on the main pages, nor after htmx redraws.

Each test visits several pages and reports every page's violations together; the full
axe report (rule, elements, how to fix) is printed in the test's captured output.
"""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_none, axe_violations, card, column, log_in

pytestmark = pytest.mark.browser


def test_the_login_page_empty_and_with_errors(page, board):
    found = {}
    page.goto("/login")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    found["login page"] = axe_violations(page)

    page.get_by_label("Email").fill(board.member.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page.get_by_role("alert")).to_be_visible()
    found["login page with an error"] = axe_violations(page)
    assert_none(found)


def test_the_board_the_card_page_and_the_edit_page(page, board):
    found = {}
    log_in(page, board.member.email)
    expect(card(page, board.card_title)).to_be_visible()
    found["board"] = axe_violations(page)

    card(page, board.card_title).get_by_role("link", name=board.card_title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(board.card_title)
    found["card page"] = axe_violations(page)

    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit card")
    found["edit page"] = axe_violations(page)
    assert_none(found)


def test_the_board_after_htmx_redraws_it(page, board):
    found = {}
    log_in(page, board.member.email)
    page.evaluate("window.vertaaMarker = 'no reload'")
    # The quick add's own labels are checked by axe above; its ids reach the fields here.
    page.locator("#quick-add-title").fill("Palautelomake verkkoon")
    page.locator("#quick-add-theme").select_option(label=board.theme_label)
    page.locator("#quick-add").get_by_role("button", name="Add to Idea").click()
    expect(card(column(page, "Idea"), "Palautelomake verkkoon")).to_be_visible()
    found["board after a quick add"] = axe_violations(page)

    card(page, board.card_title).get_by_role("button", name="Move…").click()
    found["the board's stage list"] = axe_violations(page)
    page.get_by_role("dialog").get_by_role("button", name="Plan", exact=True).click()
    expect(page.locator("#count-plan")).to_have_text("1 card")
    expect(card(column(page, "Plan"), board.card_title)).to_be_visible()
    found["board after a move"] = axe_violations(page)

    assert page.evaluate("window.vertaaMarker") == "no reload"
    assert_none(found)


def test_the_edit_form_with_validation_errors(page, board):
    log_in(page, board.member.email)
    page.goto(f"/improvements/{board.card_id}/edit")
    page.get_by_label("Title").fill("")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("alert")).to_have_text("Please correct the marked fields.")
    assert_none({"edit page with errors": axe_violations(page)})


def test_the_accessibility_statement_in_every_language(new_context, live_server):
    found = {}
    for locale, heading in (
        ("fi-FI", "Saavutettavuusseloste"),
        ("sv-FI", "Tillgänglighetsutlåtande"),
        ("en-US", "Accessibility statement"),
    ):
        page = new_context(locale=locale).new_page()
        page.goto("/login")
        # Reached from the footer, without logging in.
        page.get_by_role("contentinfo").get_by_role("link", name=heading).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        found[f"accessibility statement ({locale})"] = axe_violations(page)
    assert_none(found)
