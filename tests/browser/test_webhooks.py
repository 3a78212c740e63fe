"""An organization's coordinator registers a webhook by keyboard, sees its secret once, and
reads its delivery log; each page axe-clean."""

import re

import pytest
from playwright.sync_api import expect

from lean.core.extensions import db
from tests.browser.conftest import assert_accessible
from tests.conftest import PASSWORD, make_improvement, make_organization, make_team, make_user
from tests.webhook_receiver import Receiver

pytestmark = pytest.mark.browser


def test_a_webhook_registered_by_keyboard_shows_its_secret_once_and_its_deliveries(
    new_context, live_app
):
    page = new_context(permissions=["clipboard-read", "clipboard-write"]).new_page()
    live_app.config["WEBHOOK_ALLOWED_HOSTS"] = ("127.0.0.1",)
    with live_app.app_context():
        organization = make_organization(name="Järvilaakson koulutuskuntayhtymä")
        team = make_team(organization, name="Opintotoimisto")
        coordinator = make_user(
            organization, {team: "supervisor"}, name="Kaisa Koordinaattori", is_coordinator=True
        )
        organization_id, team_id = organization.id, team.id
        email = coordinator.email
        db.session.remove()

    with Receiver() as receiver:
        page.goto("/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Log in", exact=True).click()
        page.wait_for_load_state("load")
        page.goto(f"/admin/organizations/{organization_id}")
        page.wait_for_load_state("load")
        page.get_by_role("link", name="Webhooks", exact=True).focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Webhooks", level=1)).to_be_visible()
        expect(page.get_by_text("No webhooks yet.")).to_be_visible()
        assert_accessible(page)

        page.get_by_role("link", name="Register a webhook").focus()
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", name="Register a webhook", level=1)).to_be_visible()
        page.wait_for_load_state("load")
        assert_accessible(page)

        page.get_by_label("Name", exact=True).focus()
        page.keyboard.type("Intranet")
        page.keyboard.press("Tab")
        expect(page.get_by_label("Address (URL)")).to_be_focused()
        page.keyboard.type(receiver.url())
        page.keyboard.press("Tab")
        expect(page.get_by_label("Standard Webhooks JSON")).to_be_focused()
        page.get_by_label("Card created", exact=True).focus()
        page.keyboard.press("Space")
        expect(page.get_by_label("Card created", exact=True)).to_be_checked()
        page.get_by_label("Name", exact=True).focus()
        page.keyboard.press("Enter")

        secret = page.get_by_label("Secret", exact=True)
        expect(secret).to_have_value(re.compile(r"^whsec_[A-Za-z0-9+/=]{44}$"))
        expect(page.get_by_text("it is not shown again")).to_be_visible()
        expect(secret).to_be_focused()
        value = secret.input_value()
        page.keyboard.press("Tab")
        expect(page.get_by_role("button", name="Copy")).to_be_focused()
        page.keyboard.press("Enter")
        expect(page.get_by_role("status")).to_have_text("The secret is copied.")
        assert page.evaluate("navigator.clipboard.readText()") == value
        assert_accessible(page)

        with live_app.app_context():
            make_improvement(
                db.session.get(type(team), team_id), title="Hakemusten käsittely nopeammaksi"
            )
            db.session.remove()
        assert len(receiver.requests) == 1

        page.goto(f"/admin/organizations/{organization_id}/webhooks")
        page.get_by_role("link", name="Intranet").click()
        expect(page.get_by_label("Secret", exact=True)).to_have_count(0)
        log = page.locator("#deliveries tbody tr")
        expect(log).to_have_count(1)
        expect(log).to_contain_text("Card created")
        expect(log).to_contain_text("Delivered")
        page.wait_for_load_state("load")
        assert_accessible(page)
        log.get_by_role("button", name=re.compile("^Send again")).focus()
        page.keyboard.press("Enter")
        expect(page.get_by_text("The event is being sent again.")).to_be_visible()
        assert len(receiver.requests) == 2
