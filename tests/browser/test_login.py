"""Logging in through the login page."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import log_in, open_account_menu

pytestmark = pytest.mark.browser


def test_logging_in_lands_on_the_team_board(page, board):
    log_in(page, board.member.email)

    expect(page).to_have_url(re.compile(rf"/teams/{board.team_id}/board$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(board.team_name)
    open_account_menu(page)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.get_by_role("banner")).to_contain_text(board.member.name)


def test_a_wrong_password_shows_the_error_and_keeps_the_user_out(page, board):
    page.goto("/login")
    page.get_by_label("Email").fill(board.member.email)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Log in", exact=True).click()

    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_label("Email")).to_have_value(board.member.email)
    expect(page.get_by_label("Password")).to_have_value("")
    expect(page.get_by_role("button", name="Log out", include_hidden=True)).to_have_count(0)
