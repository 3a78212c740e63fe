"""The top bar's menus: the account menu and, on a phone, the menu button with the main links.

Both are disclosures that a keyboard opens and Escape closes, that work without JavaScript,
and that axe-core finds clean while open.
"""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_none, axe_violations, log_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def test_the_account_menu_opens_by_keyboard_and_escape_closes_it(page, board):
    log_in(page, board.member.email)
    menu = page.locator("#user-menu")
    log_out = page.get_by_role("button", name="Log out")
    expect(log_out).to_be_hidden()

    page.locator("#site-search-q").focus()
    # From the search box: its button, "My work", the bell, then the account menu's button.
    for _ in range(4):
        page.keyboard.press("Tab")
    summary = menu.locator("summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text(board.member.name)
    page.keyboard.press("Enter")
    expect(log_out).to_be_visible()
    expect(menu).to_contain_text("Järvilaakson koulutuskuntayhtymä")
    expect(menu.get_by_role("link", name="Profile")).to_be_visible()
    expect(menu.get_by_label("Language")).to_be_visible()

    page.keyboard.press("Escape")
    expect(log_out).to_be_hidden()
    expect(summary).to_be_focused()

    # A click elsewhere closes it too.
    summary.click()
    expect(log_out).to_be_visible()
    page.get_by_role("heading", level=1).click()
    expect(log_out).to_be_hidden()


def test_on_a_phone_the_menu_button_opens_the_main_links(new_context, board):
    page = new_context(viewport=PHONE).new_page()
    log_in(page, board.member.email)
    network = page.get_by_role("link", name="Network", exact=True)
    expect(network).to_be_hidden()
    expect(page.get_by_role("link", name="My work")).to_be_hidden()
    expect(page.get_by_role("search").get_by_role("searchbox")).to_be_visible()
    expect(page.locator("#bell")).to_be_visible()

    page.get_by_text("Menu", exact=True).click()
    expect(page.get_by_role("link", name="My work")).to_be_visible()
    network.click()
    expect(page).to_have_url(re.compile(r"/network$"))


def test_without_javascript_the_menus_open_and_log_out_works(new_context, board):
    page = new_context(java_script_enabled=False, viewport=PHONE).new_page()
    log_in(page, board.member.email)
    page.get_by_text("Menu", exact=True).click()
    expect(page.get_by_role("link", name="Teams", exact=True)).to_be_visible()

    page.locator("#user-menu summary").click()
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.get_by_role("button", name="Log out", include_hidden=True)).to_have_count(0)


def test_the_open_menus_pass_axe(new_context, board):
    found = {}
    for name, viewport in {"laptop": {"width": 1366, "height": 768}, "phone": PHONE}.items():
        page = new_context(viewport=viewport).new_page()
        log_in(page, board.member.email)
        page.locator("#user-menu summary").click()
        expect(page.get_by_role("button", name="Log out")).to_be_visible()
        found[f"account menu on a {name}"] = axe_violations(page)
        if name == "phone":
            page.get_by_text("Menu", exact=True).click()
            expect(page.get_by_role("link", name="Teams", exact=True)).to_be_visible()
            found["menu button's links on a phone"] = axe_violations(page)
    assert_none(found)
