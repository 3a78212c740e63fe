"""The calendar feeds as a person finds them: the address on the profile page, copied, renewed,
and read by a calendar app; the team's address from its board."""

import re

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_the_profile_shows_the_address_and_renews_it(new_context, board):
    context = new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    log_in(page, board.member.email)
    page.goto("/profile")
    section = page.get_by_role("heading", name="Your calendar")
    expect(section).to_be_visible()
    page.get_by_role("button", name="Show my calendar address").click()

    address = page.get_by_label("Calendar address")
    expect(address).to_have_value(re.compile(r"^http://127\.0\.0\.1:\d+/calendar/[\w-]{43}\.ics$"))
    first = address.input_value()
    page.get_by_text("How to add it to your calendar").click()
    expect(page.get_by_text("Add subscribed calendar", exact=False)).to_be_visible()
    assert_accessible(page)

    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("status")).to_have_text("The address is copied.")
    assert page.evaluate("navigator.clipboard.readText()") == first

    # A calendar app reads it without logging in.
    answer = context.request.get(first)
    assert answer.status == 200
    calendar = Calendar.from_ical(answer.body())
    assert str(calendar["X-WR-CALNAME"]) == f"Vertaa: {board.member.name}"

    page.get_by_role("button", name="Renew the address").click()
    expect(page.get_by_role("status")).to_contain_text("Your calendar has a new address.")
    expect(address).not_to_have_value(first)
    assert context.request.get(first).status == 404
    assert context.request.get(address.input_value()).status == 200
    assert_accessible(page)


def test_the_team_calendar_page_is_reached_from_the_board(page, board):
    log_in(page, board.member.email)
    page.get_by_role("link", name="Team calendar").click()
    expect(page.get_by_role("heading", name=f"Calendar of {board.team_name}")).to_be_visible()
    page.get_by_role("button", name="Show the team's calendar address").click()
    expect(page.get_by_label("Calendar address")).to_have_value(
        re.compile(r"/calendar/teams/[\w-]{43}\.ics$")
    )
    # Only the team's supervisors renew it.
    expect(page.get_by_role("button", name="Renew the address")).to_have_count(0)
    assert_accessible(page)
