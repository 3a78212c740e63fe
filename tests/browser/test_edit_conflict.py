"""Two people edit the same card: the second save meets the first one, nothing is lost."""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lean.core.extensions import db
from lean.models import Improvement
from tests.browser.conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser


def test_the_second_save_shows_the_conflict_and_keeps_both_peoples_work(
    new_context, live_app, board
):
    first = new_context().new_page()
    second = new_context().new_page()
    log_in(first, board.member.email)
    log_in(second, board.colleague.email)
    edit_url = f"/improvements/{board.card_id}/edit"
    first.goto(edit_url)
    second.goto(edit_url)

    first.get_by_label("Title").fill("Hakemukset käsitellään viikossa")
    first.get_by_role("button", name="Save").click()
    expect(first.get_by_role("heading", level=1)).to_have_text("Hakemukset käsitellään viikossa")
    expect(first.get_by_role("status")).to_contain_text("Changes saved.")

    second.get_by_label("Title").fill("Hakemukset sähköisiksi")
    second.get_by_label("Problem").fill("Paperihakemukset viipyvät postissa.")
    second.get_by_role("button", name="Save").click()

    alert = second.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("Someone else saved this card while you were editing")
    expect(alert).to_be_focused()
    # Under the alert, who saved and the table of differences: the saved title beside the
    # second person's own.
    report = second.locator(".conflict-report")
    expect(report).to_contain_text(f"Last saved by {board.member.name}")
    expect(report.get_by_role("row", name="Title")).to_contain_text(
        "Hakemukset käsitellään viikossa"
    )
    expect(report.get_by_role("row", name="Title")).to_contain_text("Hakemukset sähköisiksi")
    # What the second person typed is still in the form, ready to save again.
    expect(second.get_by_label("Title")).to_have_value("Hakemukset sähköisiksi")
    expect(second.get_by_label("Problem")).to_have_value("Paperihakemukset viipyvät postissa.")
    assert second.url.endswith(edit_url)
    assert_accessible(second)

    with live_app.app_context():
        saved = db.session.scalar(select(Improvement).where(Improvement.id == board.card_id))
        title, problem = saved.title, saved.problem
    assert title == "Hakemukset käsitellään viikossa"
    assert problem == ""

    # Having seen the difference, the second person saves again on purpose.
    second.get_by_role("button", name="Save").click()
    expect(second.get_by_role("heading", level=1)).to_have_text("Hakemukset sähköisiksi")
