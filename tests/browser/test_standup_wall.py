"""The stand-up on a 1920 × 1080 wall with a full agenda and long card texts, and a member
following the leader's card on a phone."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, log_in
from tests.browser.test_standups import FIT, assert_fits_the_wall
from tests.conftest import make_improvement, make_organization, make_team, make_user, today

pytestmark = pytest.mark.browser

WALL = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}

# Ten cards as a real team writes them: long titles in Finnish, every reason for the agenda.
TITLES = (
    "Opiskelijan asiointi yhdellä yhteydenotolla ja palautekysely jokaisen asioinnin jälkeen",
    "HOKS-päivitysten jonon purku ennen syyslukukauden arviointiviikkoa kaikilla aloilla",
    "Ennakointikatsaus työelämäyhteistyöstä ja alueen yritysten osaamistarpeista",
    "Yhteinen ohjausmalli kaikille aloille ja opinto-ohjaajien vastuunjako selkeäksi",
    "Työpaikkaohjaajien perehdytysmateriaali verkkoon ja yhteinen tarkistuslista",
    "Todistusten tulostuksen viiveiden poistaminen ja paperilokeron vaihtorutiini",
    "Opiskelijahuollon ajanvaraus samaan järjestelmään kuin opinto-ohjauksen ajat",
    "Näyttötutkintojen arviointikeskustelujen aikataulutus yhdessä työpaikkojen kanssa",
    "Esihenkilöiden muutosvalmennus ja jaetun johtajuuden kokeilu opintotoimistossa",
    "Palautekyselyn tulosten käsittely tiimipalaverissa kerran kuukaudessa",
)

SENTENCES = (
    "Opiskelija ohjataan nyt kolmen eri palvelupisteen välillä ennen kuin asia ratkeaa.",
    "Kukaan ei näe kokonaisuutta, ja sama kysymys kirjataan moneen järjestelmään.",
    "Kokeilimme uutta toimintatapaa kahden viikon ajan yhdessä tiimissä ja kirjasimme "
    "jokaisen yhteydenoton.",
    "Odotusaika lyheni 10 päivästä 4 päivään ja palaute parani 3,4 → 4,2.",
    "Toimintatapa kirjataan laatukäsikirjaan ja otetaan käyttöön kaikilla aloilla.",
    "Mittaamme asiointiajan ja palautteen kuukausittain ja käsittelemme ne tiimissä.",
)


def long_text(label: str, length: int = 600) -> str:
    """A card text of exactly `length` characters, starting with its own words and ending in
    a marker that shows whether the end is on the screen."""
    end = f" Loppu: {label}."
    words: list[str] = []
    index = 0
    while len(" ".join(words)) + len(end) < length:
        words.append(SENTENCES[index % len(SENTENCES)])
        index += 1
    text = " ".join(words)[: length - len(end)].rstrip()
    return (text + end).ljust(length, ".")


TEXT_FIELDS = ("problem", "expected_effect", "what_was_tried", "measured_result", "standard")
TEXTS = {name: long_text(name.replace("_", " ")) for name in TEXT_FIELDS}


@dataclass(frozen=True)
class WallStandup:
    team_id: int
    supervisor_email: str
    member_email: str


@pytest.fixture
def full_wall_standup(live_app, live_server) -> WallStandup:
    """A Finnish team of eight with ten cards for the stand-up; the first card (blocked, in
    Act, overdue) has its problem and all four PDCA texts at 600 characters."""
    with live_app.app_context():
        organization = make_organization(name="Järvilaakson koulutuskuntayhtymä")
        team = make_team(organization, name="Ammatillisen koulutuksen opintotoimisto")
        supervisor = make_user(
            organization, {team: "supervisor"}, name="Sanna Esihenkilö", language="fi"
        )
        member = make_user(
            organization, {team: "member"}, name="Juha-Pekka Heikkinen-Väisänen", language="fi"
        )
        for name in (
            "Maija Meikäläinen",
            "Kalle Kollega",
            "Aino Virtanen-Lehtonen",
            "Mikko Korhonen",
            "Leena Nieminen",
            "Tuomas Mäkinen",
        ):
            make_user(organization, {team: "member"}, name=name, language="fi")
        make_improvement(
            team,
            member,
            title=TITLES[0],
            stage="act",
            owner=member,
            due_date=today() - timedelta(days=5),
            blocked=True,
            blocked_reason="Odotamme rehtorin päätöstä lisäresurssista ja mittausdataa kahdelta "
            "alalta.",
            **TEXTS,
        )
        # After the blocked card: overdue ones, then the changed ones and the new ideas.
        stages = ("plan", "do", "check", "do", "plan", "idea", "idea", "check", "act")
        for number, (title, stage) in enumerate(zip(TITLES[1:], stages, strict=True)):
            due = {"due_date": today() - timedelta(days=2)} if number % 3 == 0 else {}
            make_improvement(team, member, title=title, stage=stage, owner=member, **due)
        data = WallStandup(team.id, supervisor.email, member.email)
    return data


def start_standup(page: Page, email: str) -> None:
    log_in(page, email)
    page.get_by_role("button", name="Aloita taulupalaveri").click()
    expect(page.locator(".progress")).to_have_text("Kortti 1 / 10")


MEASURE = """() => {
  const inside = box => box.top >= 0 && box.left >= 0 && box.bottom <= innerHeight
      && box.right <= innerWidth;
  const side = document.querySelector('.standup-side');
  const agenda = [...document.querySelectorAll('.agenda li')].map(item => ({
    text: item.textContent.trim().slice(0, 30), inside: inside(item.getBoundingClientRect())}));
  const texts = [...document.querySelectorAll('#current-card .standup-texts > div')].map(
    box => ({text: box.querySelector('dd').textContent,
             clamp: getComputedStyle(box).webkitLineClamp,
             overflows: box.scrollHeight > box.clientHeight + 1,
             inside: inside(box.getBoundingClientRect())}));
  const decision = document.getElementById('decision');
  const style = getComputedStyle(decision);
  const lineHeight = parseFloat(style.lineHeight) || 1.2 * parseFloat(style.fontSize);
  return {agenda, texts, scrollY, sideScrolls: side.scrollHeight > side.clientHeight + 1,
          pageScrolls: document.documentElement.scrollHeight > innerHeight,
          decisionFont: parseFloat(style.fontSize),
          decisionLines: (decision.clientHeight - parseFloat(style.paddingTop)
                          - parseFloat(style.paddingBottom)) / lineHeight};
}"""


def test_the_whole_agenda_and_the_card_texts_in_full_fit_the_wall(new_context, full_wall_standup):
    page = new_context(viewport=WALL).new_page()
    start_standup(page, full_wall_standup.supervisor_email)
    expect(page.locator("#current-card h2")).to_have_text(TITLES[0])
    measured = page.evaluate(MEASURE)

    assert measured["scrollY"] == 0
    assert not measured["sideScrolls"], "the agenda scrolls in its column"
    assert len(measured["agenda"]) == 10
    assert all(item["inside"] for item in measured["agenda"]), measured["agenda"]

    shown = {item["text"]: item for item in measured["texts"]}
    assert sorted(shown) == sorted(TEXTS.values())
    for text in measured["texts"]:
        assert text["clamp"] in ("none", ""), f"clamped: {text['text'][:40]}"
        assert not text["overflows"], f"cut: {text['text'][:40]}"

    assert measured["decisionFont"] >= 24
    assert measured["decisionLines"] >= 2.95, measured

    # Five texts of 600 characters are more than one screen holds at 24 px: they go on below
    # the first screen, in full, while every action is on the first screen, no text is small
    # and nothing scrolls sideways.
    fit = page.evaluate(FIT)
    assert not fit["outside"], f"actions below or beside the screen: {fit['outside']}"
    assert not fit["small"], f"text under 24 px on the wall: {fit['small']}"
    assert fit["scrollWidth"] <= fit["innerWidth"]
    assert_accessible(page)


def test_a_card_with_short_texts_and_a_decision_fits_the_wall_with_the_whole_agenda(
    new_context, full_wall_standup
):
    page = new_context(viewport=WALL).new_page()
    start_standup(page, full_wall_standup.supervisor_email)
    page.get_by_role("button", name="Näytä seuraava kortti").click()
    expect(page.locator(".progress")).to_have_text("Kortti 2 / 10")
    page.get_by_label("Mitä päätettiin").fill(
        "Puretaan jono kahdessa viikossa: kaksi lisävuoroa ja yhteinen tarkistuslista."
    )
    page.get_by_role("button", name="Tallenna päätös").click()
    expect(page.locator("#messages")).to_contain_text("Päätös tallennettu.")
    measured = page.evaluate(MEASURE)
    assert all(item["inside"] for item in measured["agenda"]), measured["agenda"]
    assert measured["decisionLines"] >= 2.95, measured
    assert_fits_the_wall(page)


def test_the_finish_page_fits_one_wall_screen(new_context, full_wall_standup):
    page = new_context(viewport=WALL).new_page()
    start_standup(page, full_wall_standup.supervisor_email)
    page.get_by_role("link", name="Päätä taulupalaveri").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Päätä taulupalaveri")
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height <= WALL["height"], f"the finish page is {height} px tall"
    assert_accessible(page)


def test_a_member_on_a_phone_follows_the_card_the_leader_shows(
    live_app, new_context, full_wall_standup
):
    live_app.config["FRESHNESS_POLL_SECONDS"] = 1  # the page asks every 20 s
    leader = new_context(viewport=WALL).new_page()
    start_standup(leader, full_wall_standup.supervisor_email)

    phone = new_context(viewport=PHONE).new_page()
    log_in(phone, full_wall_standup.member_email)
    phone.goto(f"/teams/{full_wall_standup.team_id}/standup")
    expect(phone.locator("#current-card h2")).to_have_text(TITLES[0])
    assert_accessible(phone)

    leader.get_by_role("button", name="Näytä seuraava kortti").click()
    expect(leader.locator(".progress")).to_have_text("Kortti 2 / 10")
    second = leader.locator("#current-card h2").inner_text().strip()
    expect(phone.locator("#current-card h2")).to_have_text(second, timeout=10_000)
    expect(phone.locator(".progress")).to_have_text("Kortti 2 / 10")

    # A member typing a note about the card shown stays on it while the leader moves on, and
    # follows once the note is sent (or cleared).
    phone.get_by_label("Muistiinpano").fill("Kysyn tästä vielä")
    sixth = leader.locator(".agenda li").nth(5)
    title = sixth.locator(".agenda-title").inner_text().strip()
    sixth.get_by_role("button").click()
    expect(leader.locator(".progress")).to_have_text("Kortti 6 / 10")
    phone.wait_for_timeout(3_000)  # three checks
    expect(phone.locator("#current-card h2")).to_have_text(second)
    expect(phone.get_by_label("Muistiinpano")).to_have_value("Kysyn tästä vielä")
    phone.get_by_label("Muistiinpano").fill("")
    # Straight to a card from the agenda: the phone follows there too.
    expect(phone.locator("#current-card h2")).to_have_text(title, timeout=10_000)
    expect(phone.locator(".agenda li").nth(5).get_by_role("link")).to_have_attribute(
        "aria-current", "step"
    )

    # A member looking at another card is not pulled away, and finds the way back.
    phone.locator(".agenda li").nth(0).get_by_role("link").click()
    expect(phone.locator("#current-card h2")).to_have_text(TITLES[0])
    follow = phone.get_by_role("link", name=re.compile("Taulupalaveri on kortissa 6"))
    expect(follow).to_be_visible()
    assert_accessible(phone)
    follow.click()
    expect(phone.locator("#current-card h2")).to_have_text(title)
