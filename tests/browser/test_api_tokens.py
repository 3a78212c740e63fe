"""A personal access token as a person makes it: by keyboard from the profile, shown once with
its Copy button, never again, and revoked after a confirmation."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser

TOKEN = re.compile(r"^vta_[\w-]{43}$")


def test_a_token_made_by_keyboard_is_shown_once_and_revoked(new_context, board):
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    log_in(page, board.member.email)
    page.goto("/profile")
    page.get_by_role("link", name="Your personal access tokens").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Personal access tokens", level=1)).to_be_visible()
    page.wait_for_load_state("load")
    expect(page.get_by_text("You have no tokens yet.")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Name", exact=True).focus()
    page.keyboard.type("Power BI")
    page.keyboard.press("Tab")  # to the access, read only at first
    expect(page.get_by_label(re.compile("^Read only"))).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label(re.compile("^Read and write"))).to_be_checked()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")

    secret = page.get_by_label("Token", exact=True)
    expect(secret).to_have_value(TOKEN)
    expect(secret).to_be_focused()
    expect(page.get_by_text("Copy the token now: it is not shown again.")).to_be_visible()
    value = secret.input_value()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Copy")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_have_text("The token is copied.")
    assert page.evaluate("navigator.clipboard.readText()") == value
    row = page.locator("#tokens tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Power BI")
    expect(row).to_contain_text("Read and write")
    expect(row).to_contain_text("Never")
    assert_accessible(page)

    # Never shown again.
    page.goto("/profile/tokens")
    expect(page.get_by_label("Token", exact=True)).to_have_count(0)
    assert value not in page.content()

    page.get_by_text("Revoke…").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("Revoke the token “Power BI”?")).to_be_visible()
    assert_accessible(page)
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Revoke the token")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("The token “Power BI” is revoked")
    expect(row).to_contain_text("Revoked")
    expect(page.get_by_text("Revoke…")).to_have_count(0)
    assert_accessible(page)
