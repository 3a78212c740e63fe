"""When the database cannot take a write, an htmx action shows the user a message in place."""

import sqlite3

import pytest
from playwright.sync_api import expect
from sqlalchemy import make_url

from tests.browser.conftest import card, column, log_in
from tests.conftest import make_app

pytestmark = pytest.mark.browser


@pytest.fixture
def live_app(sqlite_database):
    """The live server on SQLite (in every CI step) with a short busy timeout, so that a held
    write lock turns a write into the "try again" answer quickly."""
    return make_app(sqlite_database, WTF_CSRF_ENABLED=True, SQLITE_BUSY_TIMEOUT=0.3)


def test_a_quick_add_while_the_database_is_locked_shows_try_again(page, board, sqlite_database):
    log_in(page, board.member.email)
    quick_add = page.locator("#quick-add")
    quick_add.get_by_label("Title").fill("Odottaa tietokantaa")
    quick_add.get_by_label("Theme").select_option(label=board.theme_label)

    writer = sqlite3.connect(make_url(sqlite_database).database, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        quick_add.get_by_role("button", name="Add to Idea").click()
        alert = page.locator("#messages [role=alert]")
        expect(alert).to_contain_text("Try again in a moment", timeout=30_000)
        expect(alert).to_be_visible()
    finally:
        writer.rollback()
        writer.close()

    # The board is still there and works once the database is free again.
    quick_add.get_by_role("button", name="Add to Idea").click()
    expect(card(column(page, "Idea"), "Odottaa tietokantaa")).to_be_visible(timeout=30_000)
