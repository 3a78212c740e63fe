"""The API's page: its description readable by anyone, accessible, and narrow enough for a
phone without scrolling sideways."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser


def test_the_api_page_is_accessible_and_fits_a_phone(new_context):
    context = new_context(viewport={"width": 320, "height": 700})
    page = context.new_page()
    page.goto("/api/v1/docs")
    page.wait_for_load_state("load")
    expect(page.get_by_role("heading", name="Vertaa API 1", level=1)).to_be_visible()
    expect(page.get_by_role("link", name="openapi.json")).to_be_visible()
    expect(page.get_by_text("GET /api/v1/improvements", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    assert_accessible(page)
