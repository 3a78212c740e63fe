"""A stand-up run by keyboard alone, its record, and the coordinator's escalations."""

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from lean.boards.services import refresh_stage_times
from lean.core.extensions import db
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

    tab_to(page, current_card(page).get_by_role("button", name="Move on to Do"))
    page.keyboard.press("Enter")
    expect(page.locator("#messages")).to_contain_text("Card moved to Do.")
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
        page.get_by_role("button", name="Show the next card").click()
        expect(page.locator(".progress")).to_have_text("Card 2 of 3")
        page.get_by_label("What was decided").fill("Siirretään määräaikaa")
        page.get_by_role("button", name="Save decision").click()
        expect(page.locator("#current-card")).to_contain_text("Siirretään määräaikaa")
    finally:
        context.close()


# ---- one wall screen ----------------------------------------------------------------------

LONGEST_TITLE = (
    "Opiskelijan asiointi yhdellä yhteydenotolla ja palautekysely jokaisen asioinnin jälkeen"
)


@pytest.fixture
def wall_standup(live_app, live_server) -> StandupBoard:
    """A running stand-up in Finnish whose first card carries the demo's longest texts."""
    with live_app.app_context():
        organization = make_organization(name="Järvilaakson koulutuskuntayhtymä")
        team = make_team(organization, name="Ammatillisen koulutuksen opintotoimisto")
        supervisor = make_user(
            organization, {team: "supervisor"}, name="Sanna Esihenkilö", language="fi"
        )
        owner = make_user(
            organization, {team: "member"}, name="Juha-Pekka Heikkinen-Väisänen", language="fi"
        )
        make_improvement(
            team,
            owner,
            title=LONGEST_TITLE,
            stage="act",
            owner=owner,
            due_date=today() - timedelta(days=5),
            blocked=True,
            blocked_reason="Odotamme rehtorin päätöstä lisäresurssista ja mittausdataa kahdelta "
            "alalta.",
            problem="Opiskelija ohjataan nyt kolmen eri palvelupisteen välillä ennen kuin asia "
            "ratkeaa, eikä kukaan näe kokonaisuutta.",
            expected_effect="Asiointiaika lyhenee ja opiskelija saa saman palvelun alasta "
            "riippumatta.",
            what_was_tried="Kokeilimme uutta toimintatapaa kahden viikon ajan yhdessä tiimissä "
            "ja kirjasimme jokaisen yhteydenoton.",
            measured_result="Odotusaika lyheni 10 päivästä 4 päivään; palaute parani 3,4 → 4,2 "
            "ja yhteydenottoja tuli kolmannes vähemmän.",
            standard="Toimintatapa kirjattiin laatukäsikirjaan ja otetaan käyttöön kaikilla "
            "aloilla ensi lukuvuonna.",
        )
        for title, stage, fields in (
            ("HOKS-päivitysten jonon purku", "plan", {"due_date": today() - timedelta(days=2)}),
            ("Ennakointikatsaus työelämäyhteistyöstä", "do", {"blocked": True}),
            ("Yhteinen ohjausmalli kaikille aloille", "check", {}),
            ("Esihenkilöiden muutosvalmennus", "idea", {}),
            ("Palautekysely jokaisen asioinnin jälkeen", "idea", {}),
        ):
            make_improvement(team, owner, title=title, stage=stage, owner=owner, **fields)
        data = StandupBoard(team.id, supervisor.email, owner.name, "")
    return data


FIT = """() => {
  const outside = [];
  for (const control of document.querySelectorAll(
      '#current-card :is(button, select, textarea, input:not([type=hidden]))')) {
    const box = control.getBoundingClientRect();
    if (box.top < 0 || box.left < 0 || box.bottom > innerHeight || box.right > innerWidth) {
      outside.push(control.id || control.textContent.trim());
    }
  }
  const small = new Set();
  for (const element of document.querySelectorAll('main *')) {
    const ownText = [...element.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    const size = parseFloat(getComputedStyle(element).fontSize);
    if (ownText && element.checkVisibility() && size < 24) {
      small.add(element.textContent.trim().slice(0, 40));
    }
  }
  return {scrollHeight: document.documentElement.scrollHeight, innerHeight, outside,
          small: [...small], scrollWidth: document.documentElement.scrollWidth, innerWidth};
}"""


def assert_fits_the_wall(page: Page) -> None:
    fit = page.evaluate(FIT)
    assert fit["scrollHeight"] <= fit["innerHeight"], f"the stand-up scrolls: {fit}"
    assert fit["scrollWidth"] <= fit["innerWidth"], f"the stand-up scrolls sideways: {fit}"
    assert not fit["outside"], f"actions below or beside the screen: {fit['outside']}"
    assert not fit["small"], f"text under 24 px on the wall: {fit['small']}"


def test_the_current_card_and_all_its_actions_fit_one_wall_screen(new_context, wall_standup):
    page = new_context(viewport={"width": 1920, "height": 1080}).new_page()
    log_in(page, wall_standup.supervisor_email)
    page.get_by_role("button", name="Aloita taulupalaveri").click()
    page.locator(".agenda").get_by_role("button", name=LONGEST_TITLE).click()
    card = current_card(page)
    expect(card.get_by_role("heading", level=2)).to_have_text(LONGEST_TITLE)
    for text in (
        "Odotamme rehtorin päätöstä",  # the block reason
        "Opiskelija ohjataan nyt",  # the problem
        "Toimintatapa kirjattiin laatukäsikirjaan",  # Act: the standard
        "Juha-Pekka Heikkinen-Väisänen",
        "Myöhässä",
    ):
        expect(card).to_contain_text(text)
    for name in ("Siirrä takaisin vaiheeseen Tarkista", "Siirrä vaiheeseen Valmis"):
        expect(card.get_by_role("button", name=name, exact=True)).to_be_visible()
    expect(page.locator("#standup-timer")).to_be_visible()
    expect(page.locator(".agenda li")).to_have_count(6)
    assert_fits_the_wall(page)

    # After a decision the card also shows it, with the saved message above: still one screen.
    card.get_by_label("Mitä päätettiin").fill(
        "Rehtori päättää lisäresurssista perjantaina; siihen asti jatketaan kahdella alalla."
    )
    card.get_by_role("button", name="Tallenna päätös").click()
    expect(page.locator("#messages")).to_contain_text("Päätös tallennettu.")
    expect(current_card(page)).to_contain_text("Rehtori päättää lisäresurssista")
    assert_fits_the_wall(page)
    assert_accessible(page)


@pytest.mark.parametrize(("width", "height"), [(1366, 768), (390, 844), (320, 640)])
def test_the_standup_never_scrolls_sideways_and_stacks_on_a_phone(
    new_context, wall_standup, width, height
):
    page = new_context(viewport={"width": width, "height": height}).new_page()
    log_in(page, wall_standup.supervisor_email)
    page.get_by_role("button", name="Aloita taulupalaveri").click()
    page.locator(".agenda").get_by_role("button", name=LONGEST_TITLE).click()
    expect(current_card(page).get_by_role("heading", level=2)).to_have_text(LONGEST_TITLE)
    fit = page.evaluate(FIT)
    assert fit["scrollWidth"] <= fit["innerWidth"], fit
    text = current_card(page).locator(".standup-card-text").bounding_box()
    actions = current_card(page).locator(".standup-actions").bounding_box()
    agenda = page.locator(".standup-side").bounding_box()
    card_box = current_card(page).bounding_box()
    if width < 600:  # a phone: the card's text, then its actions, then the agenda
        assert actions["y"] >= text["y"] + text["height"]
        assert agenda["y"] >= card_box["y"] + card_box["height"]
    else:  # a laptop: the actions beside the text, the agenda beside the card
        assert actions["x"] >= text["x"] + text["width"]
        assert agenda["x"] >= card_box["x"] + card_box["width"]
