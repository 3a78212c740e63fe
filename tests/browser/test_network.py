"""The network in a browser: A publishes a finished card, B finds, discusses and adopts it.

axe-core checks every network page on the way (WCAG 2.1 A and AA).
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_none, axe_violations, log_in
from tests.conftest import make_improvement, make_organization, make_team, make_user

pytestmark = pytest.mark.browser


@dataclass(frozen=True)
class NetworkData:
    coordinator_a: str
    member_a: str
    member_b: str
    team_a_id: int
    team_b_name: str
    card_a_id: int


@pytest.fixture
def network(live_app, live_server) -> NetworkData:
    with live_app.app_context():
        a = make_organization(name="Järvilaakson koulutuskuntayhtymä")
        b = make_organization(name="Rannikon ammattiopisto")
        team_a = make_team(a, name="Opintotoimisto")
        team_b = make_team(b, name="Opiskelijapalvelut")
        coordinator_a = make_user(a, {team_a: "member"}, is_coordinator=True, name="Kaisa Mäkinen")
        member_a = make_user(a, {team_a: "member"}, name="Maija Virtanen")
        member_b = make_user(b, {team_b: "member"}, name="Pekka Rannikko")
        card = make_improvement(
            team_a,
            member_a,
            title="Hakemusten käsittely kahdessa päivässä",
            stage="done",
            problem="Hakemukset jonottivat viikkoja.",
            measured_result="Käsittelyaika lyheni 10 päivästä 2 päivään.",
        )
        data = NetworkData(
            coordinator_a.email, member_a.email, member_b.email, team_a.id, team_b.name, card.id
        )
    return data


def test_publish_find_comment_adopt_and_isolation(new_context, network):
    found = {}
    a = new_context().new_page()
    log_in(a, network.coordinator_a)
    a.goto(f"/improvements/{network.card_a_id}")
    a.get_by_role("link", name="Publish to the network").click()
    expect(a.get_by_role("heading", level=1)).to_have_text("Publish to the network")
    found["publish form"] = axe_violations(a)
    a.get_by_label("Title").fill("Aamupurku: hakemukset kahdessa päivässä")
    a.get_by_label("Summary for other organizations").fill(
        "Tiimi purkaa hakemusjonon joka aamu vartissa."
    )
    a.get_by_label("What was learned").fill("Pelkkä ohje ei riittänyt ilman yhteistä hetkeä.")
    a.get_by_role("button", name="Preview").click()
    preview = a.get_by_role("region", name="Preview: what other organizations will see")
    expect(preview).to_contain_text("Käsittelyaika lyheni 10 päivästä 2 päivään.")
    expect(preview).to_contain_text("A member of Järvilaakson koulutuskuntayhtymä")
    found["publish preview"] = axe_violations(a)
    a.get_by_role("button", name="Publish", exact=True).click()
    expect(a.get_by_role("heading", level=1)).to_have_text(
        "Aamupurku: hakemukset kahdessa päivässä"
    )
    practice_url = a.url

    b = new_context().new_page()
    log_in(b, network.member_b)
    b.get_by_role("link", name="Network", exact=True).click()
    found["library"] = axe_violations(b)
    b.get_by_role("searchbox", name="Search").fill("aamupurku")
    b.get_by_role("searchbox", name="Search").press("Enter")
    expect(b.locator("#library-count")).to_have_text("1 practice")
    found["library with a search"] = axe_violations(b)
    b.get_by_role("link", name="Aamupurku: hakemukset kahdessa päivässä").click()
    found["practice page"] = axe_violations(b)
    b.get_by_label("Comment or question").fill("Miten saitte koko tiimin mukaan?")
    b.get_by_role("button", name="Send", exact=True).click()
    expect(b.get_by_role("region", name="Comments and questions")).to_contain_text(
        "Miten saitte koko tiimin mukaan?"
    )
    b.get_by_label("Adopt into the team").select_option(label=network.team_b_name)
    b.get_by_role("button", name="Adopt", exact=True).click()
    expect(b.get_by_role("heading", level=1)).to_have_text(
        "Aamupurku: hakemukset kahdessa päivässä"
    )
    expect(b.get_by_text("Adopted from the practice")).to_be_visible()
    expect(b.locator(".facts").first).to_contain_text("StagePlan")
    b.goto("/network")
    b.get_by_role("link", name="Network dashboard").click()
    expect(b.get_by_role("heading", level=1)).to_have_text("Network dashboard")
    found["network dashboard"] = axe_violations(b)
    b.goto("/network/notices")
    found["notices"] = axe_violations(b)
    b.goto("/profile")
    found["profile with the name setting"] = axe_violations(b)

    # B cannot open A's board or card.
    for url in (f"/teams/{network.team_a_id}/board", f"/improvements/{network.card_a_id}"):
        response = b.goto(url)
        assert response.status == 404

    # A sees the comment and the adoption: on the board, in the notices, on the practice.
    a.goto(f"/teams/{network.team_a_id}/board")
    notices = a.locator("details.board-notices")
    expect(notices.locator("summary")).to_have_text("Network notices 2 unread")
    notices.locator("summary").focus()
    a.keyboard.press("Enter")  # unfolds by keyboard
    expect(notices).to_contain_text("A member of Rannikon ammattiopisto commented on your practice")
    expect(notices).to_contain_text("A member of Rannikon ammattiopisto adopted your practice")
    found["board with notices"] = axe_violations(a)
    a.goto(practice_url)
    expect(a.get_by_role("region", name="Adoptions")).to_contain_text("Rannikon ammattiopisto")
    expect(a.get_by_role("region", name="Adoptions")).to_contain_text("Plan")
    a.get_by_text("Answer", exact=True).first.click()
    a.get_by_label("Answer").first.fill("Sovimme yhteisen vartin joka aamu.")
    a.get_by_role("button", name="Send the answer").click()
    expect(a.get_by_role("region", name="Comments and questions")).to_contain_text(
        "Sovimme yhteisen vartin joka aamu."
    )
    found["practice page with an answer"] = axe_violations(a)
    a.goto(f"{practice_url}/update")
    found["update form"] = axe_violations(a)
    a.get_by_role("link", name="Network settings").click()
    expect(a.get_by_role("heading", level=1)).to_have_text("Network settings")
    found["network settings"] = axe_violations(a)
    a.goto("/admin")
    expect(a.locator("#supervisors-may-publish")).to_be_visible()
    found["admin organization page with the network setting"] = axe_violations(a)
    a.goto("/network/notices")
    expect(a.get_by_role("main")).to_contain_text("adopted your practice")
    found["notices of A"] = axe_violations(a)
    assert_none(found)
