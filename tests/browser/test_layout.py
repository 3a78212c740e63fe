"""What people see on a laptop (1366), a phone (390 and 320) and a wall (1920), in Finnish.

For each main page of each role, on the demo network: nothing scrolls sideways, no text runs
out of its card or column, no two chart labels overlap, every target is at least 24 × 24 px
(WCAG 2.5.8; links that flow inside a sentence or a table cell are its "inline" exception), and
the stylesheet's layout is in effect (the key figures are a grid row on a laptop). One browser
for the run and one context per screen size; each page is loaded once per size.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from lean.core.extensions import db
from lean.seeds.demo import DEMO_LOGINS as ROLES
from lean.seeds.demo import DEMO_PASSWORD, seed_demo
from tests.browser.conftest import open_account_menu

WIDTHS = {320: 740, 390: 844, 1366: 768, 1920: 1080}

# Measured in the page: the problems a person would notice, as readable lines.
PROBLEMS = """
() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth) {
    problems.push(`scrolls sideways: ${root.scrollWidth} > ${window.innerWidth}`);
  }
  const visible = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== "hidden"
      && !el.closest(".visually-hidden, dialog:not([open]), [hidden]");
  };
  const name = (el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}`
    + ` “${(el.textContent || el.value || "").trim().slice(0, 40)}”`;
  // Text inside cards and columns stays inside them (a scrolling box may hold wider content).
  for (const box of document.querySelectorAll(
    ".card, .column, .key-figures > div, .team-figures > div, .standup-card, .kaizen, "
    + ".practice-item, .panel"
  )) {
    const edge = box.getBoundingClientRect();
    for (const el of box.querySelectorAll("*")) {
      if (!visible(el) || el.closest(".table-scroll, .chart-figure, table")) continue;
      const hasText = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
      if (!hasText) continue;
      const r = el.getBoundingClientRect();
      if (r.right > edge.right + 1 || r.left < edge.left - 1) {
        problems.push(`text out of its ${box.className.split(" ")[0]}: ${name(el)}`);
      }
    }
  }
  // Chart labels never overlap. A turned label is a band along its baseline: two turned
  // labels overlap when their bands are closer than a line; a level label's box must not
  // contain any point of a turned label's band.
  const band = (t) => {
    const m = t.getScreenCTM();
    const at = (p) => new DOMPoint(p.x, p.y).matrixTransform(m);
    const n = t.getNumberOfChars();
    return { a: at(t.getStartPositionOfChar(0)), b: at(t.getEndPositionOfChar(n - 1)) };
  };
  const inside = (p, r) =>
    p.x > r.left + 1 && p.x < r.right - 1 && p.y > r.top + 1 && p.y < r.bottom - 1;
  for (const svg of document.querySelectorAll("svg.chart")) {
    const labels = [...svg.querySelectorAll("text")].filter((t) => t.textContent.trim());
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        const [a, b] = [labels[i], labels[j]];
        const [ta, tb] = [a.hasAttribute("transform"), b.hasAttribute("transform")];
        let overlap;
        if (ta && tb) {
          const [p, q] = [band(a), band(b)];
          const dx = p.b.x - p.a.x;
          const dy = p.b.y - p.a.y;
          const length = Math.hypot(dx, dy) || 1;
          const apart = Math.abs((q.a.x - p.a.x) * dy - (q.a.y - p.a.y) * dx) / length;
          overlap = apart < parseFloat(getComputedStyle(a).fontSize);
        } else if (ta || tb) {
          const [turned, level] = ta ? [a, b] : [b, a];
          const { a: p, b: q } = band(turned);
          const box = level.getBoundingClientRect();
          overlap = [...Array(11).keys()].some((k) =>
            inside({ x: p.x + ((q.x - p.x) * k) / 10, y: p.y + ((q.y - p.y) * k) / 10 }, box));
        } else {
          const [ra, rb] = [a.getBoundingClientRect(), b.getBoundingClientRect()];
          overlap = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left) > 1
            && Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top) > 1;
        }
        if (overlap) problems.push(`chart labels overlap: “${a.textContent}”, “${b.textContent}”`);
      }
    }
  }
  // Targets of at least 24 × 24 px; links inside running text are exempt (WCAG 2.5.8 inline).
  for (const el of document.querySelectorAll(
    "a[href], button, input:not([type=hidden]), select, textarea, summary"
  )) {
    if (!visible(el) || el.closest(".skip-link, svg")) continue;
    if (el.tagName === "A" && getComputedStyle(el).display === "inline") continue;
    const r = el.getBoundingClientRect();
    if (r.width < 23.5 || r.height < 23.5) {
      problems.push(`target ${Math.round(r.width)}×${Math.round(r.height)}: ${name(el)}`);
    }
  }
  return problems;
}
"""


def main_pages(client, role: str) -> list[str]:
    """The paths of a role's main pages, found from its landing page."""
    landing = client.get("/").location
    pages = [landing] if landing.startswith("/teams/") else []
    board = re.search(r"/teams/(\d+)/board", landing)
    if board:
        team = board.group(1)
        html = client.get(landing).get_data(as_text=True)
        card = re.search(r'<a href="(/improvements/\d+)">', html).group(1)
        pages += [
            card,
            f"{card}/edit",
            f"/teams/{team}/kaizen",
            f"/teams/{team}/standups",
            f"/teams/{team}/a3",
        ]
    pages += ["/notifications", "/me"]
    if role == "supervisor":
        pages += ["/network"]
    if role == "coordinator":
        pages += ["/dashboard", "/network/dashboard", "/escalations"]
        library = client.get("/network").get_data(as_text=True)
        pages += re.findall(r'href="(/network/practices/\d+)"', library)[:1]
    if role == "admin":
        pages += ["/admin/organizations"]
    return pages


@pytest.fixture
def demo(live_app, live_server):
    """The demo network on the live server, and each role's main pages."""
    with live_app.app_context():
        seed_demo()
        db.session.commit()
        pages = {}
        for role, email in ROLES.items():
            client = live_app.test_client()
            login_page = client.get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)
            response = client.post(
                "/login",
                data={"email": email, "password": DEMO_PASSWORD, "csrf_token": token.group(1)},
            )
            assert response.status_code == 303, f"{role} could not log in"
            pages[role] = main_pages(client, role)
    return pages


def context_at(browser, live_server, width: int, height: int | None = None):
    """A Finnish browser context of this viewport, with time for a loaded machine."""
    context = browser.new_context(
        base_url=live_server,
        locale="fi-FI",
        viewport={"width": width, "height": height or WIDTHS[width]},
    )
    context.set_default_timeout(30_000)
    return context


def log_in_as(page, email: str) -> None:
    page.goto("/login")
    page.locator("input[name=email]").fill(email)
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(re.compile(r"^(?!.*/login)"))


def each_role_at(browser, live_server, width: int) -> Iterator[tuple[str, Page]]:
    """One page at this width, logged in as each demo role in turn."""
    context = context_at(browser, live_server, width)
    try:
        page = context.new_page()
        for role, email in ROLES.items():
            context.clear_cookies()
            log_in_as(page, email)
            yield role, page
    finally:
        context.close()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_main_page_fits_and_reads_at_this_width(browser, live_server, demo, width):
    found = {}
    for role, page in each_role_at(browser, live_server, width):
        for path in demo[role]:
            page.goto(path)
            problems = page.evaluate(PROBLEMS)
            if problems:
                found[f"{role} {path}"] = sorted(set(problems))
            if width == 1366 and path == "/dashboard":
                # The key figures are one grid row of tiles, not a list down the page.
                figures = page.locator(".key-figures")
                assert figures.evaluate("el => getComputedStyle(el).display") == "grid"
                tops = figures.locator(":scope > div").evaluate_all(
                    "tiles => tiles.map((tile) => Math.round(tile.getBoundingClientRect().top))"
                )
                assert tops.count(tops[0]) >= 4, tops
    assert found == {}, "\n".join(
        f"{page}: {problem}" for page, problems in found.items() for problem in problems
    )


# The top bar's rows: the visible controls and words in it, grouped by the line they sit on.
TOP_BAR = """
() => {
  const bar = document.querySelector(".site-header");
  const boxes = [...bar.querySelectorAll("a, button, input, select, summary, label, span, svg")]
    .filter((el) => el.checkVisibility({ visibilityProperty: true }))
    .map((el) => el.getBoundingClientRect())
    .filter((r) => r.width > 1 && r.height > 1)
    .sort((a, b) => a.top - b.top);
  let rows = 0;
  let bottom = -Infinity;
  for (const r of boxes) {
    if (r.top >= bottom - 1) rows += 1;
    bottom = Math.max(bottom, r.bottom);
  }
  return { rows, height: Math.round(bar.getBoundingClientRect().height) };
}
"""


@pytest.mark.parametrize("width", [390, 1366, 1920])
def test_the_top_bar_is_one_row_on_a_laptop_and_a_wall_and_two_on_a_phone(
    browser, live_server, demo, width
):
    found = {}
    for role, page in each_role_at(browser, live_server, width):
        bar = page.evaluate(TOP_BAR)
        # One control row is at most 64 px; a phone gets the search box on a second row.
        rows, height = (2, 2 * 56) if width == 390 else (1, 64)
        if bar["rows"] > rows or bar["height"] > height:
            found[role] = bar
    assert found == {}, f"the top bar at {width} px: {found}"


def test_on_a_phone_the_kaizen_entry_comes_before_the_filters(browser, live_server, demo):
    context = context_at(browser, live_server, 390)
    try:
        page = context.new_page()
        log_in_as(page, ROLES["member"])
        page.goto(next(path for path in demo["member"] if path.endswith("/kaizen")))
        entry = page.locator("#kaizen-entry").bounding_box()
        filters = page.locator("form.filters").bounding_box()
        assert entry["y"] < filters["y"], (entry, filters)
        # The file slots stay folded away until someone asks for them.
        assert page.get_by_label("Ennen-kuva", exact=True).is_hidden()
    finally:
        context.close()


# ---- The pages beyond the board: card page, dashboard, report, network, My work, admin,
# ---- login and error pages. Each check names what a person would see go wrong.

# Each role's further pages, from its main pages' links (found in the browser).
MORE_PAGES = {
    "member": ["/network", "/profile", "/no-such-page", "/accessibility"],
    "coordinator": ["/dashboard/report", "/network/notices", "/a3"],
    "admin": ["/admin/themes", "/admin/audit", "/admin/failed-mails"],
}

# How the page is laid out, measured: the problems that come back when a rule goes missing.
LAYOUT = """
(width) => {
  const problems = [];
  const box = (selector) => document.querySelector(selector)?.getBoundingClientRect();
  const wide = width >= 1366;
  // A box that scrolls sideways on a laptop hides columns (the team table, My work's cards).
  if (wide) {
    for (const el of document.querySelectorAll(".table-scroll, .chart-figure")) {
      if (el.scrollWidth > el.clientWidth + 1) {
        const sizes = `${el.scrollWidth} > ${el.clientWidth}`;
        problems.push(`scrolls inside on a laptop: ${el.className} ${sizes}`);
      }
    }
  }
  // The card page: facts beside the text on a laptop, and Plan/Do above Check/Act.
  const side = box(".improvement-side");
  const main = box(".improvement-main");
  if (side && main && wide && side.left < main.right) {
    problems.push("the card's facts are not beside its text");
  }
  const steps = [...document.querySelectorAll(".pdca-step")].map((s) => s.getBoundingClientRect());
  if (steps.length === 4 && width >= 1366) {
    const rows = new Set(steps.map((s) => Math.round(s.top)));
    if (rows.size !== 2) problems.push(`PDCA in ${rows.size} rows, not two`);
  }
  // Prose in a readable column, not lines across a whole laptop or wall.
  const rem = parseFloat(getComputedStyle(document.documentElement).fontSize);
  for (const el of document.querySelectorAll(".statement, .escalation-queue")) {
    const measure = el.getBoundingClientRect().width / rem;
    if (measure > 61) problems.push(`${el.className} is ${Math.round(measure)}rem wide`);
  }
  // The card's edit form: short fields in pairs on a laptop, not one long column.
  const grid = document.querySelector(".card-edit-form .form-grid");
  if (grid && wide && getComputedStyle(grid).display !== "grid") {
    problems.push("the card's edit form is one long column");
  }
  // Dashboard charts: axis labels level, at least 13 px.
  for (const text of document.querySelectorAll("svg.chart text")) {
    const size = parseFloat(getComputedStyle(text).fontSize);
    if (size < 13) problems.push(`chart text ${size}px: ${text.textContent}`);
  }
  if (document.querySelector(".dashboard-figures") && wide
      && document.querySelector("svg.chart text[transform]")) {
    problems.push("dashboard chart labels are turned on a laptop");
  }
  // The practice library: a grid of cards, two or more across on a laptop.
  const practices = [...document.querySelectorAll(".practice-item")];
  if (practices.length > 1 && wide) {
    const tops = practices.map((p) => Math.round(p.getBoundingClientRect().top));
    if (tops[0] !== tops[1]) problems.push("the practice library is one card per row");
  }
  // My work's lists keep their own height beside the tall table.
  const panels = [...document.querySelectorAll(".my-work > .work-panel")].slice(1, 3);
  if (panels.length === 2 && wide) {
    const gap = panels[1].getBoundingClientRect().top - panels[0].getBoundingClientRect().bottom;
    if (gap > 24) problems.push(`My work's lists stand ${Math.round(gap)} px apart`);
  }
  return problems;
}
"""


@pytest.mark.parametrize("width", [320, 390, 1366, 1920])
def test_the_other_pages_fit_and_read_at_this_width(browser, live_server, demo, width):
    context = context_at(browser, live_server, width)
    found = {}
    try:
        page = context.new_page()
        for role in ("member", "coordinator", "admin"):
            context.clear_cookies()
            if role == "member":
                found.update(_check(page, width, "anonymous", ["/password-reset", "/login"]))
            log_in_as(page, ROLES[role])
            paths = [*demo[role], *MORE_PAGES[role]]
            if role == "member":
                page.goto("/network")
                paths.append(page.locator(".practice-item h2 a").first.get_attribute("href"))
            if role == "coordinator":
                page.goto("/a3")
                sheet = page.locator("main a[href^='/improvements/'][href$='/a3']").first
                sheet = sheet.get_attribute("href")
                page.goto(sheet)
                paths += [sheet, page.locator("main a[href$='/print']").get_attribute("href")]
            if role == "admin":
                page.goto("/admin/organizations")
                organization = page.locator("main a[href*='/admin/organizations/']").first
                paths.append(organization.get_attribute("href"))
            found.update(_check(page, width, role, paths))
        # Swedish words are as long as Finnish ones: the member's pages once more in Swedish.
        page.goto("/accessibility")
        open_account_menu(page)
        page.select_option("#language-choice", "sv")
        page.locator("form.language-switch button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "sv"
        found.update(_check(page, width, "member sv", [*demo["member"], "/network"]))
    finally:
        context.close()
    assert found == {}, "\n".join(
        f"{page}: {problem}" for page, problems in found.items() for problem in problems
    )


def _check(page, width: int, who: str, paths: list[str]) -> dict[str, list[str]]:
    found = {}
    for path in paths:
        page.goto(path)
        problems = page.evaluate(PROBLEMS) + page.evaluate(LAYOUT, width)
        if problems:
            found[f"{who} {path}"] = sorted(set(problems))
    return found
