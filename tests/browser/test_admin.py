"""The admin pages and the profile pass axe-core, also when a form shows its errors."""

import re

import pytest
from playwright.sync_api import expect

from lean.core.extensions import db as _db
from lean.models import MailFailure
from tests.browser.conftest import assert_none, axe_violations, log_in, open_account_menu
from tests.conftest import make_kaizen, make_organization, make_team, make_user, theme

pytestmark = pytest.mark.browser


@pytest.fixture
def network(live_app, live_server) -> dict:
    """An admin and a coordinator (each in a team, so they land on a board) and their pages."""
    with live_app.app_context():
        organization = make_organization(name="Järvilaakson koulutuskuntayhtymä")
        team = make_team(organization, name="Opintotoimisto")
        admin = make_user(organization, {team: "member"}, name="Antti Admin", is_admin=True)
        coordinator = make_user(
            organization, {team: "supervisor"}, name="Kaisa Koordinaattori", is_coordinator=True
        )
        member = make_user(organization, {team: "member"}, name="Maija Jäsen")
        make_kaizen(team, member)
        # An e-mail the job queue gave up on, for the failed-mails list.
        _db.session.add(
            MailFailure(
                organization_id=organization.id,
                to_address="aino@example.fi",
                subject="Kutsu Vertaa-palveluun",
                error="ConnectionRefusedError: [Errno 111] Connection refused",
                attempts=6,
            )
        )
        _db.session.commit()
        return {
            "admin": admin.email,
            "coordinator": coordinator.email,
            "member_id": member.id,
            "organization_id": organization.id,
            "team_id": team.id,
            "theme_id": theme().id,
        }


def check(page, found: dict, name: str, path: str, submit: str | None = None) -> None:
    """Open the page, run axe; with `submit`, send its form empty and run axe on the errors."""
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    found[name] = axe_violations(page)
    if submit:
        page.get_by_role("button", name=submit, exact=True).first.click()
        expect(page.locator(".error").first).to_be_visible()
        found[f"{name} with errors"] = axe_violations(page)


def test_admin_pages_are_accessible(page, network):
    log_in(page, network["admin"])
    found = {}
    organization, team = network["organization_id"], network["team_id"]
    check(page, found, "organizations", "/admin/organizations", submit="Create organization")
    check(page, found, "organization", f"/admin/organizations/{organization}", submit="Create team")
    check(page, found, "team", f"/admin/teams/{team}", submit="Add to the team")
    check(page, found, "user", f"/admin/users/{network['member_id']}")
    check(page, found, "themes", "/admin/themes", submit="Create theme")
    check(page, found, "theme", f"/admin/themes/{network['theme_id']}", submit="Add focus area")
    check(page, found, "audit log", "/admin/audit")
    check(page, found, "failed mails", "/admin/failed-mails")
    expect(page.locator("#failed-mails")).to_contain_text("aino@example.fi")
    check(page, found, "profile", "/profile")
    assert_none(found)


def test_a_coordinator_adds_a_team_and_a_member_by_keyboard(page, network):
    log_in(page, network["coordinator"])
    page.goto(f"/admin/organizations/{network['organization_id']}")
    name = page.get_by_label("Team name")
    name.focus()
    page.keyboard.type("Hyvinvointiala")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Hyvinvointiala")
    person = page.get_by_label("Person")
    person.select_option(person.locator("option", has_text="Maija Jäsen").get_attribute("value"))
    page.get_by_role("button", name="Add to the team").press("Enter")
    expect(page.get_by_role("cell", name="Maija Jäsen", exact=True)).to_be_visible()
    assert_none({"team page after adding": axe_violations(page)})


def test_invitation_from_link_to_board_and_the_pages_on_the_way(page, new_context, network):
    log_in(page, network["coordinator"])
    found = {}
    check(
        page,
        found,
        "invitation page",
        f"/organizations/{network['organization_id']}/invitations",
        submit="Create invitation",
    )
    page.get_by_label("Email").fill("uusi.opettaja@example.fi")
    page.get_by_role("button", name="Create invitation").click()
    link = page.locator("input[readonly]").first
    expect(link).to_have_value(re.compile(r"/invitations/"))
    found["invitation link page"] = axe_violations(page)
    url = link.input_value()

    invitee = new_context().new_page()
    invitee.goto(url)
    expect(invitee.get_by_role("heading", level=1)).to_be_visible()
    found["accepting an invitation"] = axe_violations(invitee)
    invitee.get_by_role("button", name="Create my account").click()
    expect(invitee.locator(".error").first).to_be_visible()
    found["accepting with errors"] = axe_violations(invitee)
    invitee.get_by_label("Name").fill("Uusi Opettaja")
    invitee.get_by_label("Password", exact=True).fill("kolme-karhua-metsassa")
    invitee.get_by_label("Password again").fill("kolme-karhua-metsassa")
    invitee.get_by_role("button", name="Create my account").click()
    open_account_menu(invitee)
    expect(invitee.get_by_role("button", name="Log out")).to_be_visible()
    assert_none(found)


def test_password_link_import_and_reset_pages(page, new_context, network):
    log_in(page, network["coordinator"])
    found = {}
    page.goto(f"/admin/users/{network['member_id']}")
    page.get_by_role("button", name="Create a password link").click()
    link = page.locator("input[readonly]").first
    expect(link).to_have_value(re.compile(r"/password-reset/"))
    found["reset link page"] = axe_violations(page)
    visitor = new_context().new_page()
    visitor.goto(link.input_value())
    expect(visitor.get_by_role("heading", level=1)).to_be_visible()
    found["setting a new password"] = axe_violations(visitor)
    visitor.goto("/password-reset")
    found["asking for a reset"] = axe_violations(visitor)

    check(page, found, "import page", f"/admin/organizations/{network['organization_id']}/import")
    csv_file = (
        "name,email,team,role\n"
        "Uusi Ihminen,uusi@example.fi,Opintotoimisto,member\n"
        "Väärä,virhe,Ei ole,boss\n"
    )
    page.get_by_label("CSV file", exact=True).set_input_files(
        files=[{"name": "ihmiset.csv", "mimeType": "text/csv", "buffer": csv_file.encode()}]
    )
    page.get_by_role("button", name="Show preview").click()
    expect(page.get_by_role("table")).to_be_visible()
    found["import preview"] = axe_violations(page)
    assert_none(found)
