"""An admin imports three people, sends each of them an invitation and sees them pending;
each page on the way passes axe."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_none, axe_violations, log_in
from tests.conftest import make_organization, make_team, make_user

pytestmark = pytest.mark.browser

PEOPLE = (
    "nimi;sähköposti;tiimi;rooli\n"
    "Aino Aalto;aino@example.fi;Opintotoimisto;jäsen\n"
    "Bertil Berg;bertil@example.fi;Opintotoimisto;esihenkilö\n"
    "Carl Cole;carl@example.fi;Rakennusala;jäsen\n"
)


@pytest.fixture
def organization(live_app, live_server) -> dict:
    with live_app.app_context():
        organization = make_organization(name="Järvilaakson koulutuskuntayhtymä")
        team = make_team(organization, name="Opintotoimisto")
        make_team(organization, name="Rakennusala")
        coordinator = make_user(
            organization, {team: "supervisor"}, name="Kaisa Koordinaattori", is_coordinator=True
        )
        return {"id": organization.id, "coordinator": coordinator.email}


def test_import_three_send_invitations_and_see_them_pending(page, organization, clock):
    log_in(page, organization["coordinator"])
    found = {}
    page.goto(f"/admin/organizations/{organization['id']}/import")
    page.get_by_label("CSV file", exact=True).set_input_files(
        files=[{"name": "ihmiset.csv", "mimeType": "text/csv", "buffer": PEOPLE.encode()}]
    )
    page.get_by_role("button", name="Show preview").click()
    page.get_by_role("button", name="Create 3 users").click()

    # The people made, and one action.
    expect(page.get_by_role("heading", level=1)).to_contain_text("Invite the people imported")
    people = page.locator("#new-people")
    for name in ("Aino Aalto", "Bertil Berg", "Carl Cole"):
        expect(people.get_by_role("link", name=name)).to_be_visible()
    expect(people).to_contain_text("Rakennusala")
    expect(page.locator("#messages")).to_contain_text("3 users created")
    found["people imported"] = axe_violations(page)
    page.get_by_role("button", name="Send each of them an invitation").click()

    # No e-mail here: each link is shown to copy, valid seven days.
    sent = page.locator("#sent-invitations")
    expect(sent.locator("input[readonly]")).to_have_count(3)
    expect(sent.locator("input[readonly]").first).to_have_value(re.compile(r"/welcome/"))
    expect(sent).to_contain_text("23.11.2026")
    found["invitations sent"] = axe_violations(page)

    page.get_by_role("link", name="Pending invitations").click()
    pending = page.locator("#pending-invitations")
    expect(pending.locator("tbody tr")).to_have_count(3)
    expect(pending).to_contain_text("Bertil Berg")
    expect(
        pending.get_by_role("button", name="Take back the invitation of carl@example.fi")
    ).to_be_visible()
    found["pending invitations"] = axe_violations(page)

    pending.get_by_role("button", name="Take back the invitation of carl@example.fi").click()
    expect(page.locator("#messages")).to_contain_text(
        "The invitation of carl@example.fi was taken back."
    )
    expect(page.locator("#pending-invitations tbody tr")).to_have_count(2)
    found["after taking one back"] = axe_violations(page)
    assert_none(found)
