"""Screenshots of every main page, per role and screen size, for a person to look at.

`make screenshots` runs this: it builds a fresh demo database in a temporary folder, serves
the app on a free local port, logs in as each demo user in Debian's Chromium and saves one
PNG per page and size into screenshots/ (git ignores it).
"""

from __future__ import annotations

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
from lean.demo import DEMO_LOGINS as ROLES  # noqa: E402
from lean.demo import DEMO_PASSWORD as PASSWORD  # noqa: E402

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
            ("network", "/network"),
            ("network-dashboard", "/network/dashboard"),
        ]
        page.goto(f"{base}/teams/{team}/a3")
        sheet = page.locator("main a[href*='/a3']").first
        if sheet.count():
            pages.append(("a3-sheet", sheet.get_attribute("href")))
        if role == "supervisor":
            pages.append(("standup", f"/teams/{team}/standup"))
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
    else:
        pages += [("admin", "/admin/"), ("themes", "/admin/themes"), ("audit", "/admin/audit")]
    return pages


def start_standup(page, base: str, path: str) -> None:
    """The supervisor's stand-up view shows a card only once a stand-up runs."""
    page.goto(base + path)
    start = page.locator("main form button[type=submit]").first
    if page.locator("main form[action$='/standup']").count():
        start.click()
        page.wait_for_load_state()


def run(out: Path) -> None:
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
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", headless=True, args=CHROMIUM_ARGS
        )
        only = set(sys.argv[1:])
        for role, email in ROLES.items():
            if only and role not in only:
                continue
            context = browser.new_context(locale="fi-FI")
            page = context.new_page()
            page.goto(base + "/login")
            page.fill("input[name=email]", email)
            page.fill("input[name=password]", PASSWORD)
            page.locator("main button[type=submit]").click()
            page.wait_for_load_state()
            for name, path in main_pages(page, base, role):
                if name == "standup":
                    start_standup(page, base, path)
                for size, (width, height) in SIZES.items():
                    page.set_viewport_size({"width": width, "height": height})
                    page.goto(base + path)
                    page.wait_for_load_state("networkidle")
                    target = out / f"{role}-{name}-{size}.png"
                    page.screenshot(path=str(target), full_page=True)
                    print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
            context.close()
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    run(ROOT / "screenshots")
