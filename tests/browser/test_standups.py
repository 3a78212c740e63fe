"""A stand-up run by keyboard alone, its record, and the coordinator's escalations."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from lean.boards.services import refresh_stage_times
from lean.extensions import db
from lean.models import Event, Improvement
from tests.browser.conftest import assert_accessible, assert_none, axe_violations, log_in
from tests.conftest import (
    PASSWORD,
    make_improvement,
    make_organization,
    make_team,
    make_user,
    today,
)

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class StandupBoard:
    team_id: int
    supervisor_email: str
    member_name: str
    coordinator_email: str


@pytest.fixture
def standup_board(live_app, live_server) -> StandupBoard:
    """A board with a blocked, an overdue and an aged card, and the people around it."""
    with live_app.app_context():
        organization = make_organization(name="Järvilaakson koulutuskuntayhtymä")
        team = make_team(organization, name="Opintotoimisto")
        supervisor = make_user(organization, {team: "supervisor"}, name="Sanna Esihenkilö")
        member = make_user(organization, {team: "member"}, name="Maija Meikäläinen")
        coordinator = make_user(organization, is_coordinator=True, name="Kaisa Koordinaattori")
        make_improvement(
            team,
            member,
            title="Tilaus jumissa",
            stage="do",
            blocked=True,
            blocked_reason="Odotetaan",
        )
        make_improvement(
            team, member, title="Palautekysely", stage="plan", due_date=today() - timedelta(days=3)
        )
        aged = make_improvement(team, member, title="Vanha kokeilu", stage="do")
        long_ago = datetime.now(UTC) - timedelta(days=40)
        db.session.execute(
            update(Event)
            .where(Event.subject_type == "improvement", Event.subject_id == aged.id)
            .values(at=long_ago)
        )
        aged.created_at = long_ago
        refresh_stage_times(Improvement.id == aged.id)
        db.session.commit()
        data = StandupBoard(team.id, supervisor.email, member.name, coordinator.email)
    return data


def tab_to(page: Page, target, presses: int = 80) -> None:
    """Press Tab until the target has the focus, as a keyboard user does."""
    for _ in range(presses):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def press_arrow(page: Page, key: str) -> None:
    """An arrow key once the page's scripts have run (they load deferred, after the HTML)."""
    page.wait_for_load_state("load")
    page.keyboard.press(key)


def current_card(page: Page):
    return page.locator("#current-card")


def test_a_supervisor_runs_a_whole_standup_by_keyboard(page, new_context, standup_board):
    log_in(page, standup_board.supervisor_email)
    tab_to(page, page.get_by_role("button", name="Start stand-up"))
    page.keyboard.press("Enter")

    expect(page).to_have_url(re.compile(rf"/teams/{standup_board.team_id}/standup"))
    expect(page.locator(".progress")).to_have_text("Card 1 of 3")
    expect(current_card(page).get_by_role("heading", level=2)).to_have_text("Tilaus jumissa")
    expect(current_card(page)).to_contain_text("Blocked")
    expect(page.locator("#standup-timer")).to_contain_text("/ 15:00")
    assert_accessible(page)

    press_arrow(page, "ArrowRight")
    expect(page.locator(".progress")).to_have_text("Card 2 of 3")
    expect(current_card(page).get_by_role("heading", level=2)).to_have_text("Palautekysely")
    expect(current_card(page)).to_contain_text("Overdue")
    expect(current_card(page)).to_be_focused()

    tab_to(page, current_card(page).get_by_role("button", name="Forward to Do →"))
    page.keyboard.press("Enter")
    expect(page.locator("#messages")).to_contain_text("Card moved.")
    expect(page.locator("#current-stage")).to_have_text("Do")
    expect(page.locator(".progress")).to_have_text("Card 2 of 3")

    press_arrow(page, "ArrowRight")
    expect(current_card(page).get_by_role("heading", level=2)).to_have_text("Vanha kokeilu")
    expect(current_card(page)).to_contain_text("Too long in its stage")
    tab_to(page, current_card(page).get_by_label("Question to the coordinators"))
    page.keyboard.type("Tarvitsemme päätöksen lisäresursseista")
    page.keyboard.press("Tab")
    expect(current_card(page).get_by_role("button", name="Escalate")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#messages")).to_contain_text("Question sent to the coordinators.")
    expect(page.locator("#escalations-title")).to_be_visible()

    press_arrow(page, "ArrowLeft")
    expect(page.locator(".progress")).to_have_text("Card 2 of 3")
    press_arrow(page, "ArrowRight")
    expect(page.locator(".progress")).to_have_text("Card 3 of 3")
    press_arrow(page, "ArrowRight")  # past the last card: the finish form

    expect(page.get_by_role("heading", level=1)).to_contain_text("Finish the stand-up")
    tab_to(page, page.get_by_label(standup_board.member_name))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_label("Guests"))
    page.keyboard.type("Pekka Vieras")
    tab_to(page, page.get_by_label("Plus: what went well in this stand-up"))
    page.keyboard.type("Ajallaan")
    tab_to(page, page.get_by_role("button", name="Finish and save"))
    page.keyboard.press("Enter")

    expect(page.locator("#messages")).to_contain_text("Stand-up finished and saved.")
    main = page.locator("main")
    for text in (
        standup_board.member_name,
        "Pekka Vieras",
        "Ajallaan",
        "moved it from Plan to Do",
        "Tarvitsemme päätöksen lisäresursseista",
        "Not answered yet",
    ):
        expect(main).to_contain_text(text)
    found = {"record": axe_violations(page)}
    page.goto(f"/teams/{standup_board.team_id}/standups")
    expect(page.locator("table.standup-history tbody tr")).to_have_count(1)
    found["history"] = axe_violations(page)
    page.goto(f"/teams/{standup_board.team_id}/standup/settings")
    found["settings"] = axe_violations(page)
    page.goto(f"/teams/{standup_board.team_id}/since-standup")
    found["since the last stand-up"] = axe_violations(page)

    coordinator = new_context().new_page()
    coordinator.goto("/login")
    coordinator.get_by_label("Email").fill(standup_board.coordinator_email)
    coordinator.get_by_label("Password").fill(PASSWORD)
    coordinator.get_by_role("button", name="Log in", exact=True).click()
    coordinator.get_by_role("link", name="Escalations", exact=True).click()
    question = coordinator.locator(".escalation-queue li").first
    expect(question).to_contain_text("Tarvitsemme päätöksen lisäresursseista")
    expect(question).to_contain_text("Vanha kokeilu")
    expect(question).to_contain_text("Waiting 0 days")
    found["escalations"] = axe_violations(coordinator)
    question.get_by_label("Answer").fill("Saatte kaksi lisähenkilöä")
    question.get_by_role("button", name="Send answer").click()
    expect(coordinator.locator("#messages")).to_contain_text("Answer sent to the team.")
    expect(coordinator.get_by_text("No open escalations.")).to_be_visible()
    coordinator.get_by_role("link", name="Vanha kokeilu").click()
    expect(coordinator.locator(".card-escalations")).to_contain_text("Saatte kaksi lisähenkilöä")
    assert_none(found)


def test_the_standup_works_without_javascript(browser, live_server, standup_board):
    context = browser.new_context(base_url=live_server, java_script_enabled=False, locale="en-US")
    try:
        page = context.new_page()
        log_in(page, standup_board.supervisor_email)
        page.get_by_role("button", name="Start stand-up").click()
        expect(page.locator(".progress")).to_have_text("Card 1 of 3")
        page.get_by_role("link", name="Next →").click()
        expect(page.locator(".progress")).to_have_text("Card 2 of 3")
        page.get_by_label("What was decided").fill("Siirretään määräaikaa")
        page.get_by_role("button", name="Save decision").click()
        expect(page.locator("#current-card")).to_contain_text("Siirretään määräaikaa")
    finally:
        context.close()
