"""Signing in through the login page and a real OpenID provider on loopback."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import assert_accessible, open_account_menu
from tests.conftest import PASSWORD, make_organization, make_team, make_user
from tests.sign_on_provider import (
    PROVIDER_WARNINGS,
    TEST_SIGN_ON_KEY,
    make_provider,
    mock_provider,
    set_user,
)

pytestmark = [pytest.mark.browser, pytest.mark.filterwarnings(PROVIDER_WARNINGS)]


@pytest.fixture(scope="module")
def provider_url():
    with mock_provider() as url:
        yield url


def test_a_new_person_signs_in_with_their_organizations_account(
    page, live_app, live_server, provider_url
):
    with live_app.app_context():
        live_app.config["SIGN_ON_KEY"] = TEST_SIGN_ON_KEY
        organization = make_organization(name="Järvilaakson koulutuskuntayhtymä")
        team = make_team(organization, name="Opintotoimisto")
        make_provider(organization, provider_url, domains="koulu.fi", name="Koulun tunnus")
        team_id = team.id
    set_user(
        provider_url, "selma", email="selma.sisu@koulu.fi", email_verified=True, name="Selma Sisu"
    )

    page.goto("/login")
    page.get_by_label("Email").fill("selma.sisu@koulu.fi")
    page.get_by_role("button", name="Log in", exact=True).click()
    onward = page.get_by_role("link", name="Continue with Koulun tunnus")
    expect(onward).to_be_visible()
    assert_accessible(page)
    onward.click()

    # The provider's own login page.
    page.get_by_placeholder("sub").fill("selma")
    page.get_by_role("button", name="Authorize").click()

    expect(page).to_have_url(re.compile(r"/choose-team$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome to Vertaa, Selma Sisu")
    assert_accessible(page)
    page.get_by_role("button", name="Join Opintotoimisto").click()
    expect(page).to_have_url(re.compile(rf"/teams/{team_id}/board$"))
    expect(page.get_by_role("banner")).to_contain_text("Selma Sisu")

    open_account_menu(page)
    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/login$"))
    expect(page.get_by_role("link", name="Also sign out of Koulun tunnus")).to_be_visible()


def test_a_coordinator_connects_a_provider(page, live_app, live_server):
    with live_app.app_context():
        live_app.config["SIGN_ON_KEY"] = TEST_SIGN_ON_KEY
        organization = make_organization(name="Rannikon ammattiopisto")
        coordinator = make_user(organization, is_coordinator=True, name="Kaisa Koordinaattori")
        email, organization_id = coordinator.email, organization.id
    log_in_anywhere(page, email)
    page.goto(f"/admin/organizations/{organization_id}")
    page.get_by_role("link", name="Connect a provider").click()
    page.get_by_label("Name on the login button").fill("Microsoft 365")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Enter the client secret the provider gave.")).to_be_visible()
    expect(page.get_by_label("Name on the login button")).to_have_value("Microsoft 365")
    assert_accessible(page)
    page.get_by_label("Discovery URL").fill(
        "https://login.microsoftonline.com/tenant-1/v2.0/.well-known/openid-configuration"
    )
    page.get_by_label("Client ID").fill("app-1")
    page.get_by_label("Client secret").fill("ei-koskaan-näkyvissä")
    page.get_by_label("Email domains (one per line)").fill("opisto.fi")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Sign-on provider “Microsoft 365” saved.")
    expect(page.get_by_role("link", name="Microsoft 365")).to_be_visible()
    assert_accessible(page)
    switch = page.get_by_label("Sign-on only (no passwords for its people)")
    switch.check()
    page.locator("form", has=switch).get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Its people now sign in only with sign-on.")
    expect(page.get_by_label("Sign-on only (no passwords for its people)")).to_be_checked()


def log_in_anywhere(page, email: str) -> None:
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in", exact=True).click()
    expect(page).not_to_have_url(re.compile(r"/login"))
