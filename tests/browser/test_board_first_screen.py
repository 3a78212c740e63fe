"""The board in the first screen: measured on the demo network, in Finnish.

On a laptop (1366×768) the six columns start in the upper third (y ≤ 256), on a wall screen
(1920×1080) by y = 360: the key figures are one row, the notices, the filters and the keyboard
help are folded with what they hold in their summaries. From the top of the page the first card
is a few Tab presses away through the "Skip to the board" link. On a phone one column shows at
a time under the stage tabs with their counts (tap, arrow keys, swipe); without JavaScript the
columns stack. axe is clean at 320, 390, 1366 and 1920 px.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from lean.core.extensions import db
from lean.seeds.demo import DEMO_LOGINS as ROLES
from lean.seeds.demo import DEMO_PASSWORD, seed_demo
from tests.browser.conftest import assert_accessible

pytestmark = pytest.mark.browser
STAGES = ["idea", "plan", "do", "check", "act", "done"]


@pytest.fixture
def demo(live_app, live_server) -> None:
    with live_app.app_context():
        seed_demo()
        db.session.commit()


def open_board(new_context, role: str, width: int, height: int, **options) -> Page:
    context = new_context(viewport={"width": width, "height": height}, locale="fi-FI", **options)
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto("/login")
    page.locator("input[name=email]").fill(ROLES[role])
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"/teams/\d+/board$"))
    return page


def top_of(page: Page, selector: str) -> float:
    return page.evaluate(
        "(s) => document.querySelector(s).getBoundingClientRect().top + window.scrollY", selector
    )


def scrolls_sideways(page: Page) -> bool:
    return page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth")


@pytest.mark.parametrize(("width", "height", "highest"), [(1366, 768, 256), (1920, 1080, 360)])
def test_the_columns_start_in_the_upper_third_with_the_tools_folded(
    new_context, demo, width, height, highest
):
    for role in ("supervisor", "member"):
        page = open_board(new_context, role, width, height)
        assert top_of(page, ".board") <= highest, (role, top_of(page, ".board"))
        assert top_of(page, ".board .card") <= highest + 60, role
        # The key figures in one row: every figure on the same line.
        figures = page.locator(".board-bar .team-figures > div")
        tops = {round(box["y"]) for box in (f.bounding_box() for f in figures.all())}
        assert figures.count() == 6 and len(tops) == 1, tops
        # The notices, the filters and the help are folded, the summaries saying what is inside.
        notices = page.locator("details.board-notices")
        expect(notices).not_to_have_attribute("open", "")
        expect(notices.locator("summary")).to_contain_text(re.compile(r"\d+ lukematon"))
        filters = page.locator("details.board-filters")
        expect(filters.locator("summary")).to_have_text("Suodattimet ei käytössä")
        expect(page.locator("form.filters")).to_be_hidden()
        expect(page.locator("details.board-help summary")).to_have_text("Korttien siirtäminen")
        assert not scrolls_sideways(page)
        assert_accessible(page)
        # Opened, the filters take a row of their own; a filter on is counted in the summary.
        filters.locator("summary").click()
        page.locator("form.filters").get_by_label("Vain estetyt").check()
        page.locator("form.filters").get_by_role("button", name="Suodata").click()
        expect(page.locator("details.board-filters summary")).to_have_text("Suodattimet 1 käytössä")
        assert_accessible(page)
        page.context.close()


def test_the_first_card_is_within_twelve_tab_presses_through_the_skip_link(new_context, demo):
    page = open_board(new_context, "supervisor", 1366, 768)
    page.locator("body").focus()
    presses = 0
    while presses < 40:
        page.keyboard.press("Tab")
        presses += 1
        focused = page.evaluate(
            "() => ({card: Boolean(document.activeElement.closest('.card')),"
            " text: document.activeElement.textContent.trim(),"
            " href: document.activeElement.getAttribute('href')})"
        )
        if focused["card"]:
            break
        if focused["href"] == "#board-columns":
            # The second link from the top: the person follows it.
            assert focused["text"] == "Siirry taululle"
            assert presses == 2
            page.keyboard.press("Enter")
    assert focused["card"], "no card reached"
    assert presses <= 12, presses
    expect(page.locator(".board .card a").first).to_be_focused()
    # The skip link shows when focused.
    page.reload()
    page.locator("body").focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("a.skip-link[href='#board-columns']")).to_be_in_viewport()


def tab(page: Page, stage: str):
    return page.locator(f".board-tabs [role=tab][data-stage={stage}]")


# The stage's column is the one in the columns' box (scrolled to its left edge).
IN_VIEW = """(stage) => {
  const board = document.querySelector('.board').getBoundingClientRect();
  const column = document.querySelector('.column-' + stage).getBoundingClientRect();
  return Math.abs(column.left - board.left) < 2;
}"""


def column_in_view(page: Page, stage: str) -> bool:
    return page.evaluate(IN_VIEW, stage)


@pytest.mark.parametrize("width", [390, 320])
def test_a_phone_shows_one_column_under_the_stage_tabs(new_context, demo, width):
    page = open_board(new_context, "supervisor", width, 844)
    tabs = page.locator(".board-tabs[role=tablist] [role=tab]")
    expect(tabs).to_have_count(6)
    # Each tab names its stage and counts its cards, as the column says.
    for stage in STAGES:
        count = page.locator(f"#count-{stage}").text_content().strip()
        expect(tab(page, stage).locator(".tab-count")).to_have_text(
            re.match(r"\d+", count).group(0)
        )
        expect(tab(page, stage)).to_have_attribute("aria-controls", f"column-{stage}")
    expect(tab(page, "idea")).to_have_attribute("aria-selected", "true")
    assert column_in_view(page, "idea")
    # The tabs are above the columns, and stay at the top while the column scrolls.
    assert top_of(page, ".board-tabs") < top_of(page, ".board")
    assert not scrolls_sideways(page)
    assert_accessible(page)

    # A tap on a tab shows its column.
    tab(page, "check").click()
    expect(tab(page, "check")).to_have_attribute("aria-selected", "true")
    expect(tab(page, "idea")).to_have_attribute("aria-selected", "false")
    page.wait_for_function(IN_VIEW, arg="check")

    # The arrow keys move between the tabs, each showing its column; one tab is in the Tab order.
    tab(page, "check").focus()
    page.keyboard.press("ArrowRight")
    expect(tab(page, "act")).to_be_focused()
    expect(tab(page, "act")).to_have_attribute("aria-selected", "true")
    page.wait_for_function(IN_VIEW, arg="act")
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(tab(page, "do")).to_be_focused()
    expect(tab(page, "do")).to_have_attribute("aria-selected", "true")
    expect(page.locator(".board-tabs [role=tab][tabindex='0']")).to_have_count(1)
    page.keyboard.press("Home")
    expect(tab(page, "idea")).to_be_focused()
    page.keyboard.press("End")
    expect(tab(page, "done")).to_be_focused()
    # Tab goes on into the column shown.
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('.column').matches('.column-done')")

    # A swipe: the columns' box scrolled sideways to a column selects its tab.
    page.evaluate(
        """() => {
          const board = document.querySelector('.board');
          const plan = document.querySelector('.column-plan');
          const left = plan.getBoundingClientRect().left - board.getBoundingClientRect().left;
          board.scrollLeft += left;
        }"""
    )
    expect(tab(page, "plan")).to_have_attribute("aria-selected", "true")
    assert not scrolls_sideways(page)
    assert_accessible(page)

    # Move… stays the way to move a card on a phone; the tabs count the move.
    plan_count = int(tab(page, "plan").locator(".tab-count").text_content())
    idea_count = int(tab(page, "idea").locator(".tab-count").text_content())
    moved = page.locator(".column-plan .card").first
    card_id = moved.get_attribute("id")
    moved.get_by_role("button", name="Siirrä…").click()
    page.locator("#move-dialog").get_by_role("button", name="Idea").click()
    expect(page.locator(f".column-idea #{card_id}")).to_be_visible()
    expect(tab(page, "idea").locator(".tab-count")).to_have_text(str(idea_count + 1))
    expect(tab(page, "plan").locator(".tab-count")).to_have_text(str(plan_count - 1))
    # The focus follows the card to its new column, and so does the tab.
    expect(page.locator(f"#{card_id} .move-button")).to_be_focused()
    expect(tab(page, "idea")).to_have_attribute("aria-selected", "true")
    page.wait_for_function(IN_VIEW, arg="idea")
    assert_accessible(page)


def test_without_javascript_a_phone_stacks_the_columns(new_context, demo):
    page = open_board(new_context, "member", 390, 844, java_script_enabled=False)
    expect(page.locator(".board-tabs")).to_have_count(0)
    idea = page.locator(".column-idea").bounding_box()
    plan = page.locator(".column-plan").bounding_box()
    assert plan["y"] >= idea["y"] + idea["height"], (idea, plan)
    assert not scrolls_sideways(page)
    # The folded filters open without JavaScript.
    page.locator("details.board-filters summary").click()
    expect(page.locator("form.filters")).to_be_visible()
