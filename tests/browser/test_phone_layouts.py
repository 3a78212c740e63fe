"""The pages with charts, tables and forms on a phone (320 and 390 px), on the demo network.

Each check is what a person would notice: a chart cut off at its box's edge or drawn too small
to read, a table that scrolls but cannot be reached from the keyboard, a page that scrolls
sideways, My work's stage and due date off the screen, a conflict message that reads the
table aloud as one run-on line, a link too small to hit, a focus ring that hardly shows.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import BrowserContext, Page, expect

from lean.core.extensions import db
from lean.seeds.demo import DEMO_LOGINS as ROLES
from lean.seeds.demo import DEMO_PASSWORD, seed_demo
from tests.browser.conftest import log_in, open_account_menu

pytestmark = pytest.mark.browser

PHONES = {320: 740, 390: 844}


@pytest.fixture
def demo(live_app, live_server) -> None:
    """The demo network on the live server, committed before the browser comes."""
    with live_app.app_context():
        seed_demo()
        db.session.commit()


@pytest.fixture
def phone(new_context) -> Callable[..., Page]:
    """phone(role, width, language=None) -> a page of that width, logged in as the demo role,
    in the demo user's own language (Finnish) or the one chosen from the account menu."""

    def open_page(role: str, width: int, language: str | None = None) -> Page:
        context: BrowserContext = new_context(
            viewport={"width": width, "height": PHONES.get(width, 900)}
        )
        page = context.new_page()
        page.goto("/login")
        page.locator("input[name=email]").fill(ROLES[role])
        page.locator("input[name=password]").fill(DEMO_PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_url(re.compile(r"^(?!.*/login)"))
        if language:
            landing = page.url
            open_account_menu(page)
            page.select_option("#language-choice", language)
            page.locator("form.language-switch button[type=submit]").click()
            expect(page.locator("html")).to_have_attribute("lang", language)
            page.goto(landing)
        return page

    return open_page


def first_link(page: Page, path: str, selector: str) -> str:
    """The address of the first link the selector finds on the page at `path`."""
    page.goto(path)
    return page.locator(selector).first.get_attribute("href")


# ---- charts ----------------------------------------------------------------------------

# Each visible chart's width against its box, and its text's size as drawn on the screen
# (the font size times the drawing's scale).
CHARTS = """
() => [...document.querySelectorAll("svg.chart")]
  .filter((svg) => svg.checkVisibility())
  .map((svg) => {
    const box = svg.closest(".chart-figure");
    const style = getComputedStyle(box);
    const inner = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    const scale = svg.getScreenCTM().a;
    const sizes = [...svg.querySelectorAll("text")]
      .filter((text) => text.textContent.trim())
      .map((text) => parseFloat(getComputedStyle(text).fontSize) * scale);
    return {
      title: svg.querySelector("title").textContent,
      width: svg.getBoundingClientRect().width,
      box: inner,
      smallest: Math.min(...sizes),
    };
  })
"""


@pytest.mark.parametrize("width", list(PHONES))
def test_charts_fit_their_box_and_their_text_reads_on_a_phone(phone, demo, width):
    page = phone("coordinator", width)
    found = []
    for path in ("/dashboard", "/network/dashboard"):
        page.goto(path)
        charts = page.evaluate(CHARTS)
        assert charts, f"no chart shown on {path}"
        for chart in charts:
            if chart["width"] > chart["box"] + 0.5:
                found.append(f"{path} “{chart['title']}” {chart['width']:.0f} > {chart['box']:.0f}")
            if chart["smallest"] < 12.9:
                found.append(f"{path} “{chart['title']}” text {chart['smallest']:.1f} px")
    assert found == [], "\n".join(found)


# ---- scrolling boxes -------------------------------------------------------------------

# Every box in the main content that scrolls: whether a keyboard reaches it, and its name.
SCROLLERS = """
() => [...document.querySelectorAll("main *")]
  .filter((el) => {
    const style = getComputedStyle(el);
    const scrolls = (overflow) => overflow === "auto" || overflow === "scroll";
    return el.checkVisibility()
      && ((scrolls(style.overflowX) && el.scrollWidth > el.clientWidth + 1)
        || (scrolls(style.overflowY) && el.scrollHeight > el.clientHeight + 1));
  })
  .map((el) => ({
    what: `${el.tagName.toLowerCase()}.${el.className}`,
    tabindex: el.getAttribute("tabindex"),
    role: el.getAttribute("role"),
    label: (el.getAttribute("aria-label") || "").trim(),
  }))
"""


def pages_with_tables(page: Page) -> list[str]:
    """The dashboard, its report, the network dashboard and the most adopted practice."""
    practice = first_link(page, "/network/dashboard", "ol.spread a")
    return ["/dashboard", "/dashboard/report", "/network/dashboard", practice]


@pytest.mark.parametrize("width", list(PHONES))
def test_every_scrolling_table_is_reached_by_keyboard_and_named_in_the_readers_language(
    phone, demo, width
):
    found = []
    labels = {}
    for language in ("en", "fi"):
        page = phone("coordinator", width, language)
        labels[language] = set()
        for path in pages_with_tables(page):
            page.goto(path)
            results = Axe().run(
                page,
                options={"runOnly": {"type": "rule", "values": ["scrollable-region-focusable"]}},
            )
            if results.violations_count:
                found.append(f"{language} {path}: axe\n{results.generate_snapshot()}")
            for box in page.evaluate(SCROLLERS):
                if box["tabindex"] != "0" or box["role"] != "region" or not box["label"]:
                    found.append(f"{language} {path}: {box}")
                labels[language].add(box["label"])
    assert found == [], "\n".join(found)
    assert labels["en"], "nothing scrolls: the check saw no table"
    assert labels["fi"] & labels["en"] == set(), "labels left in English"


# ---- nothing scrolls sideways ------------------------------------------------------------


def sideways(page: Page) -> int:
    """How far the page scrolls sideways, in pixels."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


@pytest.mark.parametrize("width", list(PHONES))
def test_no_page_scrolls_sideways_on_a_phone(phone, demo, width):
    found = {}
    member = phone("member", width)
    team = re.search(r"/teams/(\d+)/board", member.url).group(1)
    # Every A3 sheet of her team, her own to change: the action plan has a column of buttons.
    member.goto(f"/teams/{team}/a3")
    sheets = member.locator("main a[href^='/improvements/'][href$='/a3']").evaluate_all(
        "links => links.map((link) => link.getAttribute('href'))"
    )
    assert sheets, "the team has no A3 sheet"
    for path in [*sorted(set(sheets)), "/me"]:
        member.goto(path)
        found[f"member {path}"] = sideways(member)

    coordinator = phone("coordinator", width)
    for path in ("/dashboard", "/me"):
        coordinator.goto(path)
        found[f"coordinator {path}"] = sideways(coordinator)

    admin = phone("admin", width)
    organizations = "main a[href*='/admin/organizations/']"
    organization = first_link(admin, "/admin/organizations", organizations)
    team_page = first_link(admin, organization, "main a[href*='/admin/teams/']")
    admin.goto(team_page)
    found[f"admin {team_page}"] = sideways(admin)
    assert {page: pixels for page, pixels in found.items() if pixels > 0} == {}


# ---- My work -----------------------------------------------------------------------------

# My cards' rows: where each cell is and what it says.
MY_CARDS = """
() => [...document.querySelectorAll("table.my-cards tbody tr")].map((row) =>
  [...row.cells].map((cell) => {
    const box = cell.getBoundingClientRect();
    return { left: box.left, right: box.right, top: box.top, bottom: box.bottom,
             text: cell.innerText.trim() };
  }))
"""


def test_my_work_shows_each_card_as_a_block_of_labelled_values_on_a_phone(phone, demo):
    page = phone("member", 320, "en")
    page.goto("/me")
    rows = page.evaluate(MY_CARDS)
    assert rows, "the member owns no cards"
    width = page.evaluate("window.innerWidth")
    for cells in rows:
        _title, team, stage, due = cells
        # One block: the card's title, then each value under the one before, on the screen.
        for upper, lower in itertools.pairwise(cells):
            assert lower["top"] >= upper["bottom"] - 1, cells
        assert all(cell["left"] >= 0 and cell["right"] <= width for cell in cells), cells
        assert team["text"].startswith("Team"), team
        assert stage["text"].startswith("Stage"), stage
        assert due["text"].startswith("Due date"), due

    # On a laptop it is a table again: one line per card under the column headings.
    page.set_viewport_size({"width": 1366, "height": 768})
    for cells in page.evaluate(MY_CARDS):
        assert len({round(cell["top"]) for cell in cells}) == 1, cells
        assert not cells[2]["text"].startswith("Stage"), cells


# ---- the edit conflict ------------------------------------------------------------------


def test_the_conflict_message_is_one_sentence_that_points_to_the_table(new_context, board):
    first = new_context().new_page()
    second = new_context().new_page()
    log_in(first, board.member.email)
    log_in(second, board.colleague.email)
    edit_url = f"/improvements/{board.card_id}/edit"
    first.goto(edit_url)
    second.goto(edit_url)
    first.get_by_label("Title").fill("Hakemukset käsitellään viikossa")
    first.get_by_role("button", name="Save").click()
    expect(first.get_by_role("status")).to_contain_text("Changes saved.")

    second.get_by_label("Title").fill("Hakemukset sähköisiksi")
    second.get_by_role("button", name="Save").click()
    table = second.get_by_role("table", name="Where the saved card differs from your version")
    expect(table).to_be_visible()

    # What is announced, what is focused and what the alert says: the same one sentence.
    expect(second.locator("#messages")).not_to_be_empty()
    announced = second.locator("#messages").inner_text().strip()
    focused = second.evaluate("document.activeElement.innerText").strip()
    alert = second.get_by_role("alert").inner_text().strip()
    for said in (announced, focused, alert):
        assert said == announced, (announced, focused, alert)
    assert re.fullmatch(r"[^.!?:\n]+[.]", announced), announced
    assert "table below" in announced, announced
    assert "Saved now" not in announced and "Yours" not in announced, announced


# ---- targets -----------------------------------------------------------------------------

# The size of each element the selector finds, as "width×height text".
SIZES = """
(selector) => [...document.querySelectorAll(selector)]
  .filter((el) => el.checkVisibility())
  .map((el) => {
    const box = el.getBoundingClientRect();
    return { width: box.width, height: box.height, text: el.textContent.trim().slice(0, 30) };
  })
"""


def small_targets(page: Page, selector: str) -> list[str]:
    sizes = page.evaluate(SIZES, selector)
    assert sizes, f"nothing found for {selector} on {page.url}"
    return [
        f"{selector} “{size['text']}” {size['width']:.0f}×{size['height']:.0f}"
        for size in sizes
        if size["width"] < 24 or size["height"] < 24
    ]


@pytest.mark.parametrize("width", list(PHONES))
def test_the_dashboards_and_the_boards_links_are_24_px_targets_on_a_phone(phone, demo, width):
    found = []
    coordinator = phone("coordinator", width)
    coordinator.goto("/dashboard")
    found += small_targets(coordinator, ".team-table thead a")
    found += small_targets(coordinator, ".key-figures a")

    member = phone("member", width)  # on her board, of one of her two teams
    found += small_targets(member, ".team-switch a")
    found += small_targets(member, ".board-links a")
    member.locator(".board-notices summary").click()
    found += small_targets(member, ".board-notices a")
    assert found == [], "\n".join(found)


# ---- the focus ring ----------------------------------------------------------------------

# The focused element's ring and what lies on either side of it: inside, the halo when there
# is one, else the background; outside, the background (the nearest ancestor's opaque colour).
RING = """
() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const background = (start) => {
    for (let node = start; node; node = node.parentElement) {
      const colour = getComputedStyle(node).backgroundColor;
      if (!/rgba\\(.*, 0\\)$/.test(colour) && colour !== "transparent") return colour;
    }
    return "rgb(255, 255, 255)";
  };
  // A halo is a shadow around the element (an inset one is drawn inside it).
  const halo = style.boxShadow.split(/,(?![^(]*\\))/)
    .filter((shadow) => !shadow.includes("inset"))
    .map((shadow) => shadow.match(/rgba?\\([^)]*\\)/))
    .find(Boolean);
  const around = background(el.parentElement);
  return {
    what: `${el.tagName.toLowerCase()} “${(el.textContent || "").trim().slice(0, 30)}”`,
    // Tab stops inside a date field (its calendar button) wear the browser's own ring.
    native: el.matches("input[type=date]") && !el.matches(":focus-visible"),
    visible: el.matches(":focus-visible"),
    style: style.outlineStyle,
    width: parseFloat(style.outlineWidth),
    ring: style.outlineColor,
    inside: halo ? halo[0] : around,
    outside: around,
  };
}
"""


def luminance(colour: str) -> float:
    """The relative luminance (WCAG 2) of an rgb() or rgba() colour."""
    red, green, blue = (int(part) / 255 for part in re.findall(r"[\d.]+", colour)[:3])

    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.04045 else ((channel + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(first: str, second: str) -> float:
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def focus_rings(page: Page, count: int) -> Iterator[dict]:
    """The ring of each of the first `count` elements that Tab reaches on the page."""
    page.locator("body").focus()
    for _ in range(count):
        page.keyboard.press("Tab")
        yield page.evaluate(RING)


def test_contrast_helpers_agree_with_the_published_ratios():
    assert round(contrast("rgb(245, 163, 0)", "rgb(255, 255, 255)"), 1) == 2.1
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 0) == 21


@pytest.mark.parametrize("width", [390, 1366])
def test_the_focus_ring_stands_out_3_to_1_on_every_background(phone, demo, width):
    found = []
    backgrounds = set()
    for role, path in (("coordinator", "/dashboard"), ("member", None)):
        page = phone(role, width)
        if path:
            page.goto(path)
        for ring in focus_rings(page, 40):
            if ring["native"]:
                continue
            backgrounds.add(ring["outside"])
            ratios = [contrast(ring["ring"], ring[side]) for side in ("inside", "outside")]
            if not ring["visible"] or ring["style"] == "none" or ring["width"] < 2:
                found.append(f"{page.url} {ring['what']}: no ring ({ring})")
            elif min(ratios) < 3:
                found.append(f"{page.url} {ring['what']}: {min(ratios):.1f}:1 ({ring})")
    assert len(backgrounds) > 1, backgrounds  # the white panels and the grey page at least
    assert found == [], "\n".join(found)
