"""The dashboard as a coordinator uses it: figures and charts without axe violations, filters
that redraw the figures in place and stay in the address, a table sorted by keyboard, the
printable report; and the same filters as a plain form without JavaScript."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, assert_none, axe_violations

pytestmark = pytest.mark.browser

TERM = "/dashboard?period=custom&date_from=2026-08-01&date_to=2026-11-20"


@dataclass(frozen=True)
class DashboardData:
    coordinator_email: str
    team_b_id: int
    service_process_label: str


@pytest.fixture
def history(live_app, live_server, clock) -> DashboardData:
    """The known history of the metrics tests, committed and closed before the browser, and the
    server looking at it on the afternoon of their NOW, as they compute it: the server is a
    thread of this process and reads the test's clock, and the dashboard has no clock in
    JavaScript to disagree with it."""
    from tests.conftest import theme
    from tests.unit.test_metrics import NOW, seed_history

    clock.move_to(NOW)
    with live_app.app_context():
        seeded = seed_history()
        data = DashboardData(
            coordinator_email=seeded.coordinator.email,
            team_b_id=seeded.team_b.id,
            service_process_label=theme("service_process").name_in("en"),
        )
    return data


def log_in_as_coordinator(page: Page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def key_figure(page: Page, label: str):
    return (
        page.locator(".key-figures div")
        .filter(has=page.get_by_text(label, exact=True))
        .locator("dd")
    )


def test_the_dashboard_and_the_report_have_no_axe_violations(page, history):
    found = {}
    log_in_as_coordinator(page, history.coordinator_email)
    page.goto(TERM)
    expect(key_figure(page, "Completed in the period")).to_have_text("8")
    expect(page.get_by_role("img", name="Work in progress per team by stage")).to_be_visible()
    found["dashboard"] = axe_violations(page)

    page.get_by_role("link", name="Printable report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Improvement report")
    found["report"] = axe_violations(page)
    assert_none(found)


def test_a_filter_redraws_the_figures_in_place_and_keeps_them_in_the_address(page, history):
    log_in_as_coordinator(page, history.coordinator_email)
    page.goto(TERM)
    page.evaluate("window.vertaaMarker = 'no reload'")
    page.get_by_label("Theme", exact=True).select_option(label=history.service_process_label)
    expect(key_figure(page, "Completed in the period")).to_have_text("2")
    expect(page).to_have_url(re.compile(r"theme=\d+"))
    assert page.evaluate("window.vertaaMarker") == "no reload"
    assert_none({"dashboard after a filter change": axe_violations(page)})

    # The address is the view: opening it again shows the same figures.
    page.goto(page.url)
    expect(key_figure(page, "Completed in the period")).to_have_text("2")


def test_the_team_table_sorts_by_keyboard(page, history):
    log_in_as_coordinator(page, history.coordinator_email)
    page.goto(TERM)
    table = page.locator("table.team-table")
    link = table.get_by_role("link", name="Kaizens in period")
    link.focus()
    page.keyboard.press("Enter")
    expect(table.locator("th[aria-sort=ascending]")).to_contain_text("Kaizens in period")
    expect(table.locator("tbody tr").first.locator("th")).to_contain_text("Vanha tiimi")
    # The sorted page has loaded whole (its scripts too) before the next key, which a loaded
    # machine could otherwise press on a page still starting.
    page.wait_for_load_state("load")
    table.get_by_role("link", name=re.compile("Kaizens in period")).focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"sort=kaizens&order=desc"))
    expect(table.locator("th[aria-sort=descending]")).to_contain_text("Kaizens in period")
    expect(table.locator("tbody tr").first.locator("th")).to_contain_text("Opintotoimisto")


def test_without_javascript_the_filters_are_a_plain_form(new_context, history):
    page = new_context(java_script_enabled=False).new_page()
    log_in_as_coordinator(page, history.coordinator_email)
    page.goto(TERM)
    page.get_by_label("Rakennusala").check()
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(rf"teams={history.team_b_id}"))
    expect(key_figure(page, "Completed in the period")).to_have_text("2")
    expect(page.get_by_label("Rakennusala")).to_be_checked()
