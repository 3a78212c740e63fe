"""Card templates and copies in the browser: a supervisor makes a recurring template and reads
its schedule in words as the form changes, a member adds a card from it with the board's quick
add and hears it, and copies a card. axe finds nothing on each page and after each swap."""

from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from lean.boards import checklists
from lean.core.extensions import db
from tests.browser.conftest import assert_accessible, card, column, log_in
from tests.conftest import make_improvement, make_organization, make_team, make_user

pytestmark = pytest.mark.browser


@dataclass
class TeamData:
    team_id: int
    supervisor: str
    member: str
    card_id: int


@pytest.fixture
def team(live_app, live_server) -> TeamData:
    """A team with a supervisor, a member and one card with a checklist."""
    with live_app.app_context():
        organization = make_organization(name="Järvilaakson koulutuskuntayhtymä")
        team = make_team(organization, name="Opintotoimisto")
        supervisor = make_user(organization, {team: "supervisor"}, name="Sanna Esihenkilö")
        member = make_user(organization, {team: "member"}, name="Maija Meikäläinen")
        original = make_improvement(
            team, member, title="Yhteinen jono", problem="Opiskelijat jonottavat kolmesti."
        )
        checklists.add_checklist_items(member, original, ["Kartoita", "Kokeile"])
        db.session.commit()
        return TeamData(team.id, supervisor.email, member.email, original.id)


def test_a_recurring_template_is_made_and_a_card_added_from_it(page: Page, new_context, team):
    log_in(page, team.supervisor)
    page.get_by_role("link", name="Card templates").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Card templates")
    assert_accessible(page)
    page.get_by_role("link", name="Add a template").click()
    page.get_by_label("Title", exact=True).fill("Opiskelijapalautekierros")
    page.get_by_label("Checklist, one item per line").fill("Lähetä kysely\nKokoa vastaukset")
    page.get_by_label("On a weekday of every month").check()
    page.get_by_label("Weekday", exact=True).select_option(label="Friday")
    page.get_by_label("Which one of the month").select_option(label="Last")
    # The schedule is said in words as the fields change.
    expect(page.locator("#schedule-in-words")).to_have_text("The last Friday of every month")
    assert_accessible(page)
    page.get_by_label("Every few weeks on a weekday").check()
    page.get_by_label("Every how many weeks").fill("2")
    expect(page.locator("#schedule-in-words")).to_have_text("Every 2 weeks on Friday")
    page.get_by_role("button", name="Save template").click()
    item = page.locator(".template-item").filter(has_text="Opiskelijapalautekierros")
    expect(item).to_contain_text("Every 2 weeks on Friday")
    expect(item).to_contain_text("Kokoa vastaukset")
    assert_accessible(page)

    member = new_context().new_page()
    log_in(member, team.member)
    member.get_by_label("From template").select_option(label="Opiskelijapalautekierros")
    member.get_by_role("button", name="Add from template").click()
    expect(member.get_by_role("status")).to_have_text(
        "Card “Opiskelijapalautekierros” added to Idea"
    )
    expect(card(member, "Opiskelijapalautekierros")).to_be_visible()
    expect(column(member, "Idea").get_by_role("listitem")).to_have_count(2)
    assert_accessible(member)
    card(member, "Opiskelijapalautekierros").get_by_role("link").click()
    expect(member.locator("#checklist")).to_contain_text("Lähetä kysely")
    expect(member.locator("#card-history")).to_contain_text(
        "made it from the template “Opiskelijapalautekierros”"
    )


def test_a_card_is_copied_and_the_copy_opens(page: Page, team):
    log_in(page, team.member)
    page.goto(f"/improvements/{team.card_id}")
    page.get_by_role("button", name="Copy card").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Copy of Yhteinen jono")
    expect(page.get_by_text("Card copied into Idea.")).to_be_visible()
    expect(page.locator("#checklist")).to_contain_text("Kartoita")
    expect(page.locator("#card-history")).to_contain_text("made it as a copy of Yhteinen jono")
    assert_accessible(page)
    page.get_by_role("link", name="Yhteinen jono").click()
    expect(page).to_have_url(f"{page.url.split('/improvements/')[0]}/improvements/{team.card_id}")


def test_removing_a_template_asks_first(page: Page, live_app, team):
    with live_app.app_context():
        from lean.boards import card_templates
        from lean.models import Team, User
        from tests.conftest import theme

        supervisor = db.session.scalar(db.select(User).where(User.email == team.supervisor))
        values = card_templates.TemplateValues(
            title="Kuukauden katsaus", problem="", theme=theme(), focus_area=None, checklist=""
        )
        card_templates.create_template(supervisor, db.session.get(Team, team.team_id), values)
        db.session.commit()
    log_in(page, team.supervisor)
    page.goto(f"/teams/{team.team_id}/templates")
    remove = page.get_by_role("button", name="Remove the template")
    expect(remove).to_be_hidden()
    page.get_by_text("Remove…").click()
    expect(page.get_by_text("the cards made from it stay")).to_be_visible()
    assert_accessible(page)
    remove.click()
    expect(page.get_by_text("Template “Kuukauden katsaus” removed.")).to_be_visible()
    expect(page.locator(".template-item")).to_have_count(0)
    assert_accessible(page)
