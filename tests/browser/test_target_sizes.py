"""Every target at least 24 × 24 px (WCAG 2.2, 2.5.8 Target Size (Minimum)), measured.

On each main page of each demo role, in Finnish, at 320, 390, 1366 and 1920 px, every visible
link, button, summary and form field is measured. A target smaller than 24 × 24 px passes only
under one of WCAG's two exceptions, both read narrowly:

- inline: a link shown inline (`display: inline`) whose parent is a paragraph or list item,
  with a word of plain text (two letters or more: not a "·" separator, not another link)
  directly before or after it on the same line, i.e. a link inside a sentence; a row of links
  separated by dots, a link alone in a list item or a table cell, is not inline text;
- spacing: a 24 px circle on the target's centre meets no other target and no other small
  target's circle.

Dashboard sort links, the escalation count, the board's team names and notices, the network's
and the administration's menus, the stand-up's links and the downloads were each found too
small once.
"""

from __future__ import annotations

import re

import pytest

from lean.seeds.demo import DEMO_LOGINS as ROLES
from tests.browser import test_layout
from tests.browser.conftest import open_account_menu
from tests.browser.test_layout import context_at, log_in_as

# The demo network on the live server, and each role's main pages (a fixture).
demo = test_layout.demo

# Measured in the page: each target too small, with its size and its nearest neighbour.
SMALL_TARGETS = r"""
() => {
  // WCAG 2.2 2.5.8 Target Size (Minimum), measured.
  const MIN = 24;
  const SELECTOR = "a[href], button, input:not([type=hidden]), select, textarea, summary, "
    + "[role=button], [role=tab], [role=link], [role=option]";
  const shown = (el) => {
    // checkVisibility: not inside a closed <details> (its content is laid out but not shown).
    const seen = el.checkVisibility({ visibilityProperty: true, opacityProperty: true });
    if (!seen || el.closest(".visually-hidden, [inert]")) return false;
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1) return false;
    // Off the page (a skip link waiting for focus): not a target until it is shown.
    if (r.right + window.scrollX <= 0 || r.bottom + window.scrollY <= 0) return false;
    // Under an open menu: not a target while the menu covers it (each line of a link that
    // wraps is looked at; one line in sight is enough).
    const covered = [...el.getClientRects()].map((line) => {
      const x = (line.left + line.right) / 2;
      const y = (line.top + line.bottom) / 2;
      if (x < 0 || y < 0 || x >= window.innerWidth || y >= window.innerHeight) return false;
      const top = document.elementFromPoint(x, y);
      return Boolean(top) && !el.contains(top);
    });
    return !covered.every(Boolean);
  };
  const targets = [...document.querySelectorAll(SELECTOR)].filter(
    (el) => shown(el) && !el.closest("svg")
  );
  const word = /\p{L}{2,}/u;
  // The inline exception, narrowly: a link shown inline (display: inline) whose parent is a
  // paragraph or a list item, with a word of plain text (two letters or more: not "·", not
  // "|", not another link) directly before or after it, on the same line as the link.
  const inSentence = (el) => {
    if (el.tagName !== "A" || getComputedStyle(el).display !== "inline") return false;
    const block = el.parentElement;
    if (!block || !["P", "LI"].includes(block.tagName)) return false;
    const r = el.getBoundingClientRect();
    const besideOnLine = (node) => {
      if (!node || node.nodeType !== Node.TEXT_NODE || !word.test(node.textContent)) return false;
      const range = document.createRange();
      range.selectNodeContents(node);
      return [...range.getClientRects()].some(
        (line) => line.bottom > r.top + 2 && line.top < r.bottom - 2
      );
    };
    return besideOnLine(el.previousSibling) || besideOnLine(el.nextSibling);
  };
  const box = (el) => el.getBoundingClientRect();
  const small = targets.filter((el) => {
    const r = box(el);
    return r.width < MIN - 0.5 || r.height < MIN - 0.5;
  });
  const smallSet = new Set(small);
  const centre = (r) => ({ x: (r.left + r.right) / 2, y: (r.top + r.bottom) / 2 });
  const distanceToBox = (p, r) => Math.hypot(
    Math.max(r.left - p.x, 0, p.x - r.right), Math.max(r.top - p.y, 0, p.y - r.bottom)
  );
  // The spacing exception: a 24 px circle on the target's centre meets no other target and no
  // other small target's circle.
  const crowding = (el) => {
    const c = centre(box(el));
    return targets.find((other) => {
      if (other === el || other.contains(el) || el.contains(other)) return false;
      const r = box(other);
      if (distanceToBox(c, r) < MIN / 2) return true;
      if (smallSet.has(other)) {
        const o = centre(r);
        return Math.hypot(o.x - c.x, o.y - c.y) < MIN;
      }
      return false;
    });
  };
  const selector = (el) => el.tagName.toLowerCase() + (el.id ? `#${el.id}` : "")
    + [...el.classList].map((c) => `.${c}`).join("");
  const name = (el) => {
    const text = (el.textContent || el.value || el.getAttribute("aria-label") || "").trim();
    const where = el.parentElement ? selector(el.parentElement) : "";
    return `${selector(el)} “${text.replace(/\s+/g, " ").slice(0, 40)}” in ${where}`;
  };
  return small
    .filter((el) => !inSentence(el))
    .map((el) => [el, crowding(el)])
    .filter(([, other]) => other)
    .map(([el, other]) => {
      const r = box(el);
      const size = `${Math.round(r.width * 10) / 10}×${Math.round(r.height * 10) / 10}`;
      return `${size}: ${name(el)}, too close to ${name(other)}`;
    });
}
"""

# Opens every folded <details> in the page's main part; says how many it opened.
UNFOLD = """
() => {
  const folded = [...document.querySelectorAll("main details:not([open])")];
  for (const details of folded) details.open = true;
  return folded.length;
}
"""

# Beyond each role's main pages (tests/browser/test_layout.py main_pages): further pages of
# its daily work, as tools/screenshots.py shows them.
MORE_PAGES = {
    "member": ["/profile", "/network", "/accessibility"],
    "supervisor": ["/profile"],
    "coordinator": ["/dashboard/report", "/network/notices", "/a3", "/teams"],
    "admin": ["/admin/themes", "/admin/audit", "/admin/failed-mails", "/profile"],
}


def further_pages(page, role: str, team: str | None) -> list[str]:
    """A team's card templates and first A3 sheet; the administrator's organization, team and
    user pages: found from the links a person would follow."""
    paths = []
    if team:
        paths.append(f"/teams/{team}/templates")
        page.goto(f"/teams/{team}/a3")
        sheet = page.locator("main a[href^='/improvements/'][href$='/a3']").first
        if sheet.count():
            paths.append(sheet.get_attribute("href"))
    if role == "admin":
        page.goto("/admin/organizations")
        organization = page.locator("main a[href*='/admin/organizations/']").first.get_attribute(
            "href"
        )
        page.goto(organization)
        paths += [
            organization,
            page.locator("main a[href*='/admin/teams/']").first.get_attribute("href"),
            page.locator("main a[href*='/admin/users/']").first.get_attribute("href"),
        ]
    return paths


@pytest.mark.parametrize("width", [320, 390, 1366, 1920])
def test_every_target_is_at_least_24_px_or_inline_in_a_sentence(browser, live_server, demo, width):
    found: dict[str, list[str]] = {}
    context = context_at(browser, live_server, width)

    def measure(page, who: str, path: str | None = None) -> None:
        if path:
            page.goto(path)
        problems = page.evaluate(SMALL_TARGETS)
        # What is folded on the page (filters, notices, file slots) is measured unfolded too.
        folded = page.evaluate(UNFOLD)
        if folded:
            problems += [f"unfolded: {problem}" for problem in page.evaluate(SMALL_TARGETS)]
        if problems:
            found[f"{who} {path or page.url}"] = sorted(set(problems))

    try:
        page = context.new_page()
        context.clear_cookies()
        for path in ("/login", "/password-reset"):
            measure(page, "anonymous", path)
        for role, email in ROLES.items():
            context.clear_cookies()
            log_in_as(page, email)
            board = re.search(r"/teams/(\d+)/board", demo[role][0])
            team = board.group(1) if board else None
            for path in [*demo[role], *MORE_PAGES[role], *further_pages(page, role, team)]:
                measure(page, role, path)
            # The account menu, open: its items are targets too.
            open_account_menu(page)
            measure(page, f"{role} account menu")
            if role == "supervisor" and board:
                # The running stand-up, as its leader sees it on the wall or a laptop.
                standup = f"/teams/{board.group(1)}/standup"
                page.goto(standup)
                page.locator(f"main form[action$='{standup}'] button[type=submit]").click()
                page.wait_for_load_state()
                measure(page, role, standup)
        # Swedish words are as long as Finnish ones: the member's pages once more in Swedish.
        context.clear_cookies()
        log_in_as(page, ROLES["member"])
        page.goto("/accessibility")
        open_account_menu(page)
        page.select_option("#language-choice", "sv")
        page.locator("form.language-switch button[type=submit]").click()
        page.wait_for_load_state()
        assert page.locator("html").get_attribute("lang") == "sv"
        for path in demo["member"]:
            measure(page, "member sv", path)
    finally:
        context.close()
    assert found == {}, "\n".join(
        f"{where}: {problem}" for where, problems in found.items() for problem in problems
    )
