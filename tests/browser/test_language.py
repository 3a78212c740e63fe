"""Switching the language with the selector in the page header."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from playwright.sync_api import expect

from tests.browser.conftest import column, log_in, open_account_menu

pytestmark = pytest.mark.browser

TRANSLATIONS = Path(__file__).resolve().parents[2] / "lean" / "translations"


def translated(language: str, msgid: str) -> str:
    """The catalog's translation of msgid, as the translators wrote it in the .po file."""
    with (TRANSLATIONS / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po)
    message = catalog.get(msgid)
    text = message.string if message is not None and not message.fuzzy else ""
    assert text, f"lean/translations/{language}: no translation for {msgid!r}"
    return text


def switch_language(page, option: str) -> None:
    open_account_menu(page)
    switch = page.locator("form.language-switch")
    switch.get_by_role("combobox").select_option(label=option)
    switch.get_by_role("button").click()


def test_the_language_selector_changes_the_page_language(page, board):
    log_in(page, board.member.email)
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "en")
    open_account_menu(page)
    expect(page.get_by_role("button", name="Log out")).to_have_text("Log out")

    for option, language in [("suomi", "fi"), ("svenska", "sv")]:
        switch_language(page, option)

        expect(html).to_have_attribute("lang", language)
        expect(page).to_have_url(re.compile(rf"/teams/{board.team_id}/board"))
        log_out = translated(language, "Log out")
        assert log_out != "Log out"
        open_account_menu(page)
        expect(page.get_by_role("button", name=log_out)).to_have_text(log_out)
        expect(column(page, translated(language, "Plan"))).to_be_visible()
        expect(page.get_by_label(translated(language, "Language"))).to_have_value(language)

    # The choice is saved for the user: the next page keeps it.
    page.reload()
    expect(html).to_have_attribute("lang", "sv")

    switch_language(page, "English")

    expect(html).to_have_attribute("lang", "en")
    open_account_menu(page)
    expect(page.get_by_role("button", name="Log out")).to_have_text("Log out")
    expect(column(page, "Plan")).to_be_visible()
