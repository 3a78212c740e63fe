"""A supervisor brings a Planner plan over: uploads the export, maps the bucket the preview
marks as not mapped, confirms, and finds the cards on the board."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from lean.core.extensions import db
from lean.models import Team
from tests.browser.conftest import assert_accessible, card, column, log_in
from tests.conftest import make_user

pytestmark = pytest.mark.browser

PLANNER_FILE = Path(__file__).parent.parent / "data" / "planner-export.xlsx"
# A loaded machine: room for the answers.
WAIT = 20_000


def test_a_supervisor_imports_a_planner_plan(page, live_app, board, tmp_path):
    live_app.config["BOARD_IMPORT_FOLDER"] = str(tmp_path)
    with live_app.app_context():
        team = db.session.get(Team, board.team_id)
        supervisor = make_user(
            team.organization, {team: "supervisor"}, name="Sari Esihenkilö"
        ).email
    log_in(page, supervisor)
    page.get_by_role("link", name="Import from Planner or Trello").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Import cards from Planner")
    assert_accessible(page)

    page.get_by_label("Planner or Trello export").set_input_files(PLANNER_FILE)
    page.get_by_role("button", name="Show preview").click()
    expect(page).to_have_url(re.compile(r"/board/import/preview$"), timeout=WAIT)
    waiting = page.get_by_label("Odottaa")
    expect(page.locator("label[for=bucket-4]")).to_contain_text("not mapped")
    expect(page.get_by_role("cell", name="It has no task name.")).to_be_visible()
    assert_accessible(page)

    expect(page.get_by_role("row", name="No stage chosen yet 10")).to_be_visible()
    waiting.select_option(label="Act")
    page.get_by_role("button", name="Update the preview").click()
    expect(page.get_by_role("row", name="Act 10")).to_be_visible(timeout=WAIT)
    expect(page.locator("label[for=bucket-4]")).not_to_contain_text("not mapped")
    page.get_by_role("button", name="Import 62 cards").click()

    expect(page).to_have_url(re.compile(r"/teams/\d+/board$"), timeout=WAIT)
    expect(page.locator("#messages")).to_contain_text("62 cards imported from Microsoft Planner.")
    expect(card(column(page, "Act"), "Nopeutetaan tiimipalaverin asialista")).to_be_visible()
    expect(card(column(page, "Plan"), "Selkeytetään opiskelijapalautteen keruu")).to_be_visible()
    assert_accessible(page)
    assert list(tmp_path.iterdir()) == []
