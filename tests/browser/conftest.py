"""Browser tests: Debian's Chromium, driven by Playwright, against the app on a live server.

The server runs in a thread of this process on the test database, with real CSRF. SQLite
starts every transaction with BEGIN IMMEDIATE, so the test thread never keeps a session open
while the browser works: data is made (and checked) inside a short `with app.app_context()`
that closes its session on leaving, and only plain values leave it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright
from werkzeug.serving import WSGIRequestHandler, make_server

from lean.core.extensions import db as _db
from tests.conftest import (
    PASSWORD,
    empty_tables,
    make_app,
    make_improvement,
    make_organization,
    make_team,
    make_user,
    theme,
)

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Explicit waits only. A page of this app answers in milliseconds, but CI runs on a busy 2-core
# machine where a browser step can take seconds: the waits leave room for that.
BROWSER_TIMEOUT_MS = 20_000
expect.set_options(timeout=BROWSER_TIMEOUT_MS)


# ---- the browser and the server -------------------------------------------------------


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, once for the whole run."""
    if not CHROMIUM.exists():
        pytest.skip(
            f"Browser tests need Debian's Chromium at {CHROMIUM} (apt-get install chromium); "
            "Playwright's own browser download is not used."
        )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def live_app(database) -> Flask:
    """The app as the live server runs it: with real CSRF protection."""
    return make_app(database, WTF_CSRF_ENABLED=True)


_RESPONSE_KEY = "tests.live_server.response"


class _ClosingRequestHandler(WSGIRequestHandler):
    """Closes the answer of a request whose browser hung up half-way.

    Werkzeug's development server skips closing the answer when the dropped socket resets while
    it drains it, so a static file stays open until the garbage collector finds it, and its
    ResourceWarning then fails whichever test is running. (Production runs gunicorn.)
    """

    def connection_dropped(self, error, environ=None) -> None:
        response = (environ or {}).get(_RESPONSE_KEY)
        if hasattr(response, "close"):
            response.close()


def _remembering_response(app: Flask):
    """The app as a WSGI callable that leaves its answer in the environ for the handler."""

    def serve(environ, start_response):
        response = app(environ, start_response)
        environ[_RESPONSE_KEY] = response
        return response

    return serve


@pytest.fixture
def live_server(live_app) -> Iterator[str]:
    """The app served on a free local port; yields its base URL, then empties the tables."""
    server = make_server(
        "127.0.0.1",
        0,
        _remembering_response(live_app),
        threaded=True,
        request_handler=_ClosingRequestHandler,
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="live-server", daemon=True
    )
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with live_app.app_context():
            _db.session.remove()
            empty_tables()
            _db.engine.dispose()


@pytest.fixture
def new_context(browser, live_server) -> Iterator[Callable[..., BrowserContext]]:
    """new_context(**options) -> a fresh browser context (own cookies) on the live server.

    English by default: a user without a saved language gets the browser's language.
    """
    contexts: list[BrowserContext] = []

    def open_context(**options) -> BrowserContext:
        options.setdefault("locale", "en-US")
        context = browser.new_context(base_url=live_server, **options)
        context.set_default_timeout(BROWSER_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield open_context
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context) -> Page:
    return new_context().new_page()


# ---- data: made in a short app context, handed over as plain values -------------------


@dataclass(frozen=True)
class Person:
    email: str
    name: str


@dataclass(frozen=True)
class BoardData:
    team_id: int
    team_name: str
    member: Person
    colleague: Person
    card_id: int
    card_title: str
    theme_label: str  # the card theme's English name, as the theme select shows it


@pytest.fixture
def board(live_app, live_server) -> BoardData:
    """A team with two members and one card in Idea, committed and closed before the browser."""
    with live_app.app_context():
        organization = make_organization(name="Järvilaakson koulutuskuntayhtymä")
        team = make_team(organization, name="Opintotoimisto")
        member = make_user(organization, {team: "member"}, name="Maija Meikäläinen")
        colleague = make_user(organization, {team: "member"}, name="Kalle Kollega")
        card = make_improvement(team, member, title="Hakemusten käsittely nopeammaksi")
        data = BoardData(
            team_id=team.id,
            team_name=team.name,
            member=Person(member.email, member.name),
            colleague=Person(colleague.email, colleague.name),
            card_id=card.id,
            card_title=card.title,
            theme_label=theme().name_in("en"),
        )
    return data


# ---- what a user does -----------------------------------------------------------------


def log_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Log in through the login page and wait for the board."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/teams/\d+/board$"))
    # The board's scripts (deferred) have run: a key pressed before would reach no handler.
    page.wait_for_load_state("load")


def open_account_menu(page: Page) -> None:
    """Open the top bar's account menu (name, profile, language, log out) if it is closed."""
    menu = page.locator("#user-menu")
    if not menu.evaluate("menu => menu.open"):
        menu.locator("summary").click()
    expect(menu).to_have_attribute("open", "")


def column(page: Page, stage: str):
    """A board column by its visible heading ("Idea", "Plan", …)."""
    return page.get_by_role("region", name=re.compile(rf"^{re.escape(stage)}\s"))


def card(page: Page, title: str):
    """A card on the board, by its title."""
    return page.get_by_role("listitem", name=title, exact=True)


def move_with_the_stage_list(page: Page, the_card, stage: str) -> None:
    """A card's one "Move…" control opens the board's stage list; choose a stage there."""
    the_card.get_by_role("button", name="Move…").click()
    page.get_by_role("dialog").get_by_role("button", name=stage, exact=True).click()


def axe_violations(page: Page) -> str:
    """axe-core's WCAG 2.1 A/AA violations on the page as it is now: "" when there are none."""
    results = Axe().run(
        page,
        options={
            "runOnly": {"type": "tag", "values": WCAG_TAGS},
            "resultTypes": ["violations"],
        },
    )
    if not results.violations_count:
        return ""
    report = f"axe on {page.url}:\n{results.generate_report()}"
    print(report)
    return f"{page.url} (rule, impact, elements):\n{results.generate_snapshot()}"


def assert_accessible(page: Page) -> None:
    """axe-core finds no WCAG 2.1 A/AA violation on the page as it is now."""
    found = axe_violations(page)
    if found:
        pytest.fail(f"axe found violations on {found}")


def assert_none(found: dict[str, str]) -> None:
    """Fail with every page's axe report when any of the checked pages had violations."""
    problems = {name: report for name, report in found.items() if report}
    if problems:
        pytest.fail(
            "axe found violations on\n"
            + "\n".join(f"the {name}: {report}" for name, report in problems.items())
        )
