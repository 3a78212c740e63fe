"""An A3 as a team works it: started from a card, filled section by section in place,
coached with comments, printed on one A3 page; by keyboard, with axe, and without JavaScript."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from lean.a3 import services
from lean.core.extensions import db
from lean.models import Improvement, User
from tests.browser.conftest import assert_accessible, assert_none, axe_violations, log_in
from tests.conftest import make_improvement, make_user, today

pytestmark = pytest.mark.browser

HEADINGS = [
    "1. Background",
    "2. Current condition",
    "3. Goal / target condition",
    "4. Root-cause analysis",
    "5. Countermeasures",
    "6. Implementation plan",
    "7. Effect confirmation",
    "8. Follow-up",
]


def section(page: Page, key: str):
    return page.locator(f"#a3-section-{key}")


def edit_and_save(page: Page, key: str, values: dict[str, str], selects: dict[str, str] = {}):  # noqa: B006
    """Open a section's form in place, fill it and save; the section reads again."""
    part = section(page, key)
    part.get_by_role("link", name="Edit").click()
    for label, value in values.items():
        part.get_by_label(label, exact=True).fill(value)
    for label, option in selects.items():
        part.get_by_label(label, exact=True).select_option(label=option)
    part.get_by_role("button", name="Save").click()
    expect(part.get_by_role("link", name="Edit")).to_be_visible()


def in_days(days: int) -> str:
    """A date as a date field takes it, `days` from today: browser tests run at the real time,
    and a fixed date would turn the plan's open action overdue once it passed."""
    return (today() + timedelta(days=days)).isoformat()


def pdf_pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))


def test_a_team_fills_an_a3_from_its_card_and_prints_it_on_one_page(page, board):
    log_in(page, board.member.email)
    page.goto(f"/improvements/{board.card_id}")
    page.get_by_role("button", name="Start A3").click()
    expect(page).to_have_url(re.compile(rf"/improvements/{board.card_id}/a3$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(board.card_title)
    page.evaluate("window.a3Marker = 'same page'")

    edit_and_save(page, "background", {"Background": "Hakijat odottavat liian kauan."})
    expect(section(page, "background")).to_contain_text("Hakijat odottavat liian kauan.")
    # Edit mode passes axe too.
    section(page, "current_condition").get_by_role("link", name="Edit").click()
    expect(
        section(page, "current_condition").get_by_label("Current condition", exact=True)
    ).to_be_focused()
    assert_accessible(page)
    section(page, "current_condition").get_by_label("Current condition", exact=True).fill(
        "Käsittely kestää 10 päivää."
    )
    section(page, "current_condition").get_by_role("button", name="Save").click()
    expect(section(page, "current_condition")).to_contain_text("Käsittely kestää 10 päivää.")
    edit_and_save(
        page,
        "goal",
        {
            "Target condition": "Hakemus käsitellään viikossa.",
            "Measure": "Käsittelyaika",
            "Unit": "päivää",
            "Baseline": "10",
            "Target": "5",
            "Target date": in_days(115),
        },
    )
    expect(section(page, "goal")).to_contain_text("Käsittelyaika")

    root = section(page, "root_cause")
    for text in ("Jono kasvaa", "Hakemukset tulevat paperilla", "Lomake on vanha"):
        root.get_by_label("Why?", exact=True).fill(text)
        root.get_by_role("button", name="Add a why").click()
        expect(root.get_by_role("listitem").filter(has_text=text)).to_be_visible()
    root.get_by_role("button", name="Move up: why 3").click()
    expect(root.locator(".a3-whys > li").nth(1)).to_contain_text("Lomake on vanha")
    root.get_by_label("Category", exact=True).select_option(label="Methods")
    root.get_by_label("Cause", exact=True).fill("Ei yhteistä jonoa")
    root.get_by_role("button", name="Add a cause").click()
    expect(root.get_by_text("Ei yhteistä jonoa")).to_be_visible()

    options = section(page, "countermeasures")
    options.get_by_text("Add an option").click()
    options.get_by_label("Option", exact=True).fill("Sähköinen lomake")
    options.get_by_label("Pros", exact=True).fill("Nopea")
    options.get_by_label("Cons", exact=True).fill("Vaatii koulutusta")
    options.get_by_label("Chosen", exact=True).check()
    options.get_by_role("button", name="Add the option").click()
    expect(options).to_contain_text("✓ Chosen")

    plan = section(page, "plan")
    plan.get_by_text("Add an action").click()
    plan.get_by_label("What", exact=True).fill("Ota lomake käyttöön")
    plan.get_by_label("Who", exact=True).select_option(label=board.colleague.name)
    plan.get_by_label("When", exact=True).fill(in_days(70))
    plan.get_by_role("button", name="Add the action").click()
    expect(plan.get_by_role("row", name=re.compile("Ota lomake käyttöön"))).to_contain_text(
        board.colleague.name
    )
    plan.get_by_role("button", name="Mark done").click()
    expect(plan).to_contain_text("actions done 1 / 1")

    edit_and_save(
        page,
        "effect",
        {
            "Planned value": "5",
            "Planned by": in_days(115),
            "Actual value": "4",
            "Measured on": in_days(130),
            "What the measurement showed": "Käsittely nopeutui.",
        },
        {"Target reached": "Yes"},
    )
    expect(section(page, "effect")).to_contain_text("Käsittely nopeutui.")
    edit_and_save(
        page,
        "follow_up",
        {
            "New standard": "Kaikki hakemukset sähköisesti.",
            "What we learned": "Yhteinen jono auttaa.",
            "Where else it could apply": "Todistustilaukset.",
        },
    )
    expect(page.locator("#a3-header")).to_contain_text("8 of 8 sections filled")
    # The whole sheet was filled without leaving the page.
    assert page.evaluate("window.a3Marker") == "same page"

    background = section(page, "background")
    background.get_by_label("Comment", exact=True).fill("Mistä tieto odotusajasta tulee?")
    background.get_by_role("button", name="Add comment").click()
    expect(background.locator(".a3-section-head")).to_contain_text("1 open comment")
    background.get_by_text("Answer", exact=True).click()
    background.get_by_label("Your answer").fill("Hakemusjärjestelmän raportista.")
    background.get_by_role("button", name="Send the answer").click()
    expect(background).to_contain_text("Hakemusjärjestelmän raportista.")
    background.get_by_role("button", name="Mark resolved").click()
    expect(background).to_contain_text("Resolved")
    expect(background).to_contain_text("Mistä tieto odotusajasta tulee?")
    expect(background.locator(".a3-section-head")).not_to_contain_text("open comment")
    assert_accessible(page)

    page.get_by_role("link", name="Print view").click()
    expect(page).to_have_url(re.compile(r"/a3/\d+/print$"))
    expect(page.get_by_role("heading", level=2)).to_have_text(
        [re.compile(rf"^{re.escape(heading)} \(") for heading in HEADINGS]
    )
    assert_accessible(page)
    page.emulate_media(media="print")
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert pdf_pages(pdf) == 1
    # A3 landscape: 420 mm × 297 mm.
    width, height = map(float, re.search(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf).groups())
    assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (420, 297)


def test_every_step_works_by_keyboard_and_focus_follows(page, board):
    log_in(page, board.member.email)
    page.goto(f"/improvements/{board.card_id}")
    page.get_by_role("button", name="Start A3").focus()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/a3$"))
    # htmx (deferred) has taken over the sheet's links before the first key.
    page.wait_for_load_state("load")

    background = section(page, "background")
    background.get_by_role("link", name="Edit").focus()
    page.keyboard.press("Enter")
    field = background.get_by_label("Background", exact=True)
    expect(field).to_be_focused()
    page.keyboard.type("Näppäimistöllä kirjoitettu tausta.")
    page.keyboard.press("Tab")  # to Save
    expect(background.get_by_role("button", name="Save")).to_be_focused()
    page.keyboard.press("Enter")
    heading = background.get_by_role("heading", name="1. Background")
    expect(heading).to_be_focused()
    expect(background).to_contain_text("Näppäimistöllä kirjoitettu tausta.")

    # Cancel brings the section back unchanged.
    background.get_by_role("link", name="Edit").focus()
    page.keyboard.press("Enter")
    expect(field).to_be_focused()
    page.keyboard.type(" Ei tallenneta.")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # to Cancel
    expect(background.get_by_role("link", name="Cancel")).to_be_focused()
    page.keyboard.press("Enter")
    expect(background).not_to_contain_text("Ei tallenneta.")
    expect(heading).to_be_focused()

    # A section opened as a page of its own (a link followed before the page's scripts ran)
    # puts the cursor in its first field too.
    edit_url = background.get_by_role("link", name="Edit").get_attribute("href")
    page.goto(edit_url.replace("/background/", "/current_condition/"))
    expect(
        section(page, "current_condition").get_by_label("Current condition", exact=True)
    ).to_be_focused()


def test_two_people_saving_the_same_section_the_second_is_told_and_keeps_the_text(
    new_context, board
):
    first = new_context().new_page()
    second = new_context().new_page()
    log_in(first, board.member.email)
    log_in(second, board.colleague.email)
    first.goto(f"/improvements/{board.card_id}")
    first.get_by_role("button", name="Start A3").click()
    second.goto(f"/improvements/{board.card_id}/a3")
    for person in (first, second):
        section(person, "background").get_by_role("link", name="Edit").click()
    section(first, "background").get_by_label("Background", exact=True).fill("Ensimmäinen")
    section(first, "background").get_by_role("button", name="Save").click()
    expect(section(first, "background")).to_contain_text("Ensimmäinen")

    section(second, "background").get_by_label("Background", exact=True).fill("Toinen")
    section(second, "background").get_by_role("button", name="Save").click()
    alert = section(second, "background").get_by_role("alert")
    expect(alert).to_contain_text("Someone else saved this section while you were editing.")
    expect(alert).to_be_focused()
    expect(section(second, "background")).to_contain_text("Ensimmäinen")
    expect(section(second, "background").get_by_label("Background", exact=True)).to_have_value(
        "Toinen"
    )
    assert_accessible(second)


def test_without_javascript_the_edit_link_opens_a_page_with_the_form(new_context, board):
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, board.member.email)
    page.goto(f"/improvements/{board.card_id}")
    page.get_by_role("button", name="Start A3").click()
    section(page, "background").get_by_role("link", name="Edit").click()
    expect(page).to_have_url(re.compile(r"/sections/background/edit$"))
    page.get_by_label("Background", exact=True).fill("Ilman JavaScriptiä.")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/a3#a3-section-background$"))
    expect(section(page, "background")).to_contain_text("Ilman JavaScriptiä.")
    root = section(page, "root_cause")
    root.get_by_label("Why?", exact=True).fill("Koska")
    root.get_by_role("button", name="Add a why").click()
    expect(section(page, "root_cause").locator(".a3-whys")).to_contain_text("Koska")


def test_the_lists_the_form_page_and_a_card_without_an_a3_pass_axe(new_context, live_app, board):
    with live_app.app_context():
        card = db.session.get(Improvement, board.card_id)
        member = db.session.scalar(select(User).where(User.email == board.member.email))
        sheet_id = services.start_a3(member, card).id
        without_a3 = make_improvement(card.team, member, title="Kortti ilman A3:a").id
        coordinator = make_user(card.team.organization, {card.team: "member"}, is_coordinator=True)
        coordinator_email = coordinator.email
    page = new_context().new_page()
    log_in(page, board.member.email)
    found = {}
    page.goto(f"/teams/{board.team_id}/a3")
    expect(page.get_by_role("link", name=board.card_title)).to_be_visible()
    found["team list"] = axe_violations(page)
    page.goto(f"/a3/{sheet_id}/sections/goal/edit")
    expect(page.get_by_label("Measure", exact=True)).to_be_visible()
    found["section form page"] = axe_violations(page)
    page.goto(f"/improvements/{without_a3}/a3")
    expect(page.get_by_role("button", name="Start A3")).to_be_visible()
    found["card without an A3"] = axe_violations(page)

    coordinator_page = new_context().new_page()
    log_in(coordinator_page, coordinator_email)
    coordinator_page.get_by_role("link", name="A3 sheets").first.click()
    expect(coordinator_page).to_have_url(re.compile(r"/a3$"))
    expect(coordinator_page.get_by_role("link", name=board.card_title)).to_be_visible()
    found["organization list"] = axe_violations(coordinator_page)
    assert_none(found)
