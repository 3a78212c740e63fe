"""Back and Forward after htmx changed the address: the browser shows the whole page again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_dashboard import TERM, history, key_figure, log_in_as_coordinator

pytestmark = pytest.mark.browser
__all__ = ["history"]  # the fixture, used by name below


def test_back_after_a_filtered_dashboard_shows_the_whole_page(page, history):
    log_in_as_coordinator(page, history.coordinator_email)
    page.goto(TERM)
    page.get_by_label("Theme", exact=True).select_option(label=history.service_process_label)
    expect(page).to_have_url(re.compile(r"theme=\d+"))
    expect(key_figure(page, "Completed in the period")).to_have_text("2")

    page.goto("/network")
    page.go_back()

    expect(page).to_have_url(re.compile(r"/dashboard\?.*theme=\d+"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Dashboard")
    expect(page.get_by_role("navigation", name="Main").first).to_be_attached()
    expect(page.get_by_role("form", name="Filter the dashboard")).to_be_visible()
    expect(key_figure(page, "Completed in the period")).to_have_text("2")
    assert page.evaluate("document.querySelectorAll('html head title').length") == 1


def test_back_between_two_filters_restores_the_whole_page(page, history):
    """Back within the page: htmx itself asks the server for the earlier address."""
    log_in_as_coordinator(page, history.coordinator_email)
    page.goto(TERM)
    page.get_by_label("Theme", exact=True).select_option(label=history.service_process_label)
    expect(page).to_have_url(re.compile(r"theme=\d+"))
    page.get_by_label("Period", exact=True).select_option(index=0)
    expect(page).not_to_have_url(re.compile(r"period=custom"))

    page.evaluate(
        "document.addEventListener('htmx:historyRestore',"
        " () => { document.documentElement.dataset.restored = 'yes' })"
    )
    with page.expect_request(
        lambda request: request.headers.get("hx-history-restore-request") == "true"
    ):
        page.go_back()
    expect(page.locator("html[data-restored=yes]")).to_be_attached()

    expect(page).to_have_url(re.compile(r"period=custom.*theme=\d+"))
    expect(page.get_by_role("form", name="Filter the dashboard")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main").first).to_be_attached()
    expect(key_figure(page, "Completed in the period")).to_have_text("2")
