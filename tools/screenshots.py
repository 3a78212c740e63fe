"""Screenshots of every main page, per role and screen size, for a person to look at.

`make screenshots` runs this: it builds a fresh demo database in a temporary folder, serves
the app on a free local port, logs in as each demo user in Debian's Chromium and saves one
PNG per page and size into screenshots/ (git ignores it).

    tools/screenshots.py [role ...] [--lang sv] [--pages card,report]

Roles are member, supervisor, coordinator, admin and anonymous (login, reset, error pages);
--lang switches the demo users' language first (names then end in -sv); --pages keeps only
the pages named.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from lean import create_app  # noqa: E402
from lean.seeds.demo import DEMO_LOGINS as ROLES  # noqa: E402
from lean.seeds.demo import DEMO_PASSWORD as PASSWORD  # noqa: E402

SIZES = {"laptop": (1366, 768), "phone": (390, 844), "wall": (1920, 1080)}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def main_pages(page, base: str, role: str) -> list[tuple[str, str]]:
    """(name, path) of the pages this role uses most, found from the landing page's links."""
    page.goto(base + "/")
    landing = page.url.removeprefix(base)
    pages = [("landing", landing)]
    if role in ("member", "supervisor"):
        team = re.search(r"/teams/(\d+)/board", landing).group(1)
        page.goto(f"{base}/teams/{team}/board")
        card = page.locator(".card-title a").first.get_attribute("href")
        pages += [
            ("card", card),
            ("card-edit", card + "/edit"),
            ("kaizen", f"/teams/{team}/kaizen"),
            ("a3-list", f"/teams/{team}/a3"),
            ("standups", f"/teams/{team}/standups"),
            ("card-templates", f"/teams/{team}/templates"),
            ("network", "/network"),
            ("network-dashboard", "/network/dashboard"),
        ]
        page.goto(f"{base}/teams/{team}/a3")
        sheet = page.locator("main a[href^='/improvements/'][href$='/a3']").first
        if sheet.count():
            pages.append(("a3-sheet", sheet.get_attribute("href")))
            page.goto(base + sheet.get_attribute("href"))
            printable = page.locator("main a[href$='/print']").first
            if printable.count():
                pages.append(("a3-print", printable.get_attribute("href")))
        if role == "supervisor":
            pages.append(("standup", f"/teams/{team}/standup"))
            pages.append(("card-template-form", f"/teams/{team}/templates/new"))
        else:
            page.goto(base + "/network")
            practice = page.locator(".practice-item h2 a").first
            if practice.count():
                pages.append(("practice", practice.get_attribute("href")))
        pages += [("my-work", "/me"), ("inbox", "/notifications"), ("profile", "/profile")]
    elif role == "coordinator":
        pages += [
            ("dashboard", "/dashboard"),
            ("escalations", "/escalations"),
            ("teams", "/teams"),
            ("network", "/network"),
            ("network-dashboard", "/network/dashboard"),
        ]
        page.goto(base + "/network")
        practice = page.locator(".practice-item h2 a").first
        if practice.count():
            pages.append(("practice", practice.get_attribute("href")))
        pages += [
            ("report", "/dashboard/report"),
            ("notices", "/network/notices"),
            ("a3-all", "/a3"),
            ("my-work", "/me"),
            ("inbox", "/notifications"),
        ]
        publishable = publishable_card_path(page, base)
        if publishable:
            pages.append(("publish", publishable))
    else:
        pages += [("admin", "/admin/"), ("themes", "/admin/themes"), ("audit", "/admin/audit")]
        page.goto(base + "/admin/")
        pages += first_links(
            page,
            organization="main a[href*='/admin/organizations/']",
            theme="main a[href*='/admin/themes/']",
        )
        organization = next((path for name, path in pages if name == "organization"), None)
        if organization:
            page.goto(base + organization)
            pages += first_links(
                page, team="main a[href*='/admin/teams/']", user="main a[href*='/admin/users/']"
            )
        pages.append(("profile", "/profile"))
    return pages


def first_links(page, **selectors: str) -> list[tuple[str, str]]:
    """(name, path) of the first link each selector finds on the page, where it finds one."""
    found = []
    for name, selector in selectors.items():
        link = page.locator(selector).first
        if link.count():
            found.append((name, link.get_attribute("href")))
    return found


def publishable_card_path(page, base: str) -> str | None:
    """The publish form of the first Done card that links to it, for the coordinator."""
    page.goto(base + "/teams")
    for team in page.locator("main a[href$='/board']").all():
        board = team.get_attribute("href")
        page.goto(base + board)
        for card in page.locator(".column-done .card-title a").all():
            detail = card.get_attribute("href")
            page.goto(base + detail)
            publish = page.locator("main a[href*='/network/publish/']").first
            if publish.count():
                return publish.get_attribute("href")
            page.goto(base + board)
        page.goto(base + "/teams")
    return None


ANONYMOUS_PAGES = [
    ("login", "/login"),
    ("reset", "/password-reset"),
    ("not-found", "/no-such-page"),
    ("accessibility", "/accessibility"),
]


def start_standup(page, base: str, path: str) -> None:
    """The supervisor's stand-up view shows a card only once a stand-up runs."""
    page.goto(base + path)
    start = page.locator("main form button[type=submit]").first
    if page.locator("main form[action$='/standup']").count():
        start.click()
        page.wait_for_load_state()


def log_in(page, base: str, email: str) -> None:
    page.goto(base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state()


def switch_language(page, base: str, language: str) -> None:
    """The header's language switch, as a person would use it."""
    page.goto(base + "/accessibility")
    menu = page.locator("#user-menu")  # logged in, the switch is in the account menu
    if menu.count() and not menu.evaluate("menu => menu.open"):
        menu.locator("summary").click()
    page.select_option("#language-choice", language)
    page.locator("form.language-switch button[type=submit]").click()
    page.wait_for_load_state()


def run(out: Path, roles: list[str], language: str, only_pages: set[str]) -> None:
    workdir = Path(tempfile.mkdtemp(prefix="vertaa-screens-"))
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{workdir / 'demo.sqlite'}",
            "UPLOAD_FOLDER": str(workdir / "uploads"),
            "SECRET_KEY": "screenshots",
        }
    )
    runner = app.test_cli_runner()
    for command in (["init-db"], ["seed-demo"]):
        result = runner.invoke(args=command)
        if result.exit_code:
            raise SystemExit(result.output)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"
    suffix = "" if language == "fi" else f"-{language}"
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        for role in roles:
            context = browser.new_context(locale="fi-FI")
            page = context.new_page()
            if role == "anonymous":
                pages = ANONYMOUS_PAGES
            else:
                log_in(page, base, ROLES[role])
                pages = main_pages(page, base, role)
            if language != "fi":
                switch_language(page, base, language)
            for name, path in pages:
                if only_pages and name not in only_pages:
                    continue
                if name == "standup":
                    start_standup(page, base, path)
                for size, (width, height) in SIZES.items():
                    page.set_viewport_size({"width": width, "height": height})
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    target = out / f"{role}-{name}{suffix}-{size}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
            context.close()
        browser.close()
    server.shutdown()


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("roles", nargs="*", metavar="role", help=", ".join([*ROLES, "anonymous"]))
    parser.add_argument("--lang", default="fi", choices=["fi", "sv", "en"])
    parser.add_argument("--pages", default="", help="comma-separated page names to keep")
    options = parser.parse_args()
    unknown = set(options.roles) - {*ROLES, "anonymous"}
    if unknown:
        parser.error(f"unknown role: {', '.join(sorted(unknown))}")
    return options


if __name__ == "__main__":
    options = arguments()
    run(
        ROOT / "screenshots",
        options.roles or [*ROLES, "anonymous"],
        options.lang,
        {name for name in options.pages.split(",") if name},
    )
