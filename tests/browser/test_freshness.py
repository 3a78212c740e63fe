"""An open board or stand-up redraws after someone else changes a card, keeping what is typed."""

import pytest
from playwright.sync_api import expect

from lean.boards import services
from lean.core.extensions import db
from lean.models import Improvement, Stage, Team, User
from tests.browser.conftest import assert_accessible, card, column, log_in
from tests.conftest import make_user

pytestmark = pytest.mark.browser
SLOW = 30_000


def move_as(live_app, email: str, card_id: int, stage: Stage) -> None:
    """Another session's move, through the same service the pages use."""
    with live_app.app_context():
        actor = db.session.query(User).filter_by(email=email).one()
        services.move_improvement(actor, db.session.get(Improvement, card_id), stage)
        db.session.commit()
        db.session.remove()


def test_an_open_board_redraws_after_another_session_moves_a_card(page, board, live_app):
    live_app.config["FRESHNESS_POLL_SECONDS"] = 1  # the wall screen asks every 20 s
    log_in(page, board.member.email)
    expect(card(column(page, "Idea"), board.card_title)).to_be_visible()
    page.evaluate("window.vertaaMarker = 'still the same page'")
    not_modified = []
    page.on("response", lambda r: r.status == 304 and not_modified.append(r.url))

    # While the person types in the quick add, the board waits and keeps what they typed.
    title = page.locator("#quick-add").get_by_label("Title")
    title.fill("Puolivalmis ajatus")
    move_as(live_app, board.colleague.email, board.card_id, Stage.PLAN)
    page.wait_for_timeout(3_000)
    expect(card(column(page, "Idea"), board.card_title)).to_be_visible()
    expect(title).to_be_focused()
    expect(title).to_have_value("Puolivalmis ajatus")

    # Typed text waits too, even without focus; once the form is empty, the next check redraws.
    page.locator("h1").click()
    page.wait_for_timeout(2_500)
    expect(card(column(page, "Idea"), board.card_title)).to_be_visible()
    title.fill("")
    page.locator("h1").click()
    expect(card(column(page, "Plan"), board.card_title)).to_be_visible(timeout=SLOW)
    expect(page.locator("#count-plan")).to_have_text("1 card")
    assert page.evaluate("window.vertaaMarker") == "still the same page"
    # Nothing new after that: the checks are answered 304.
    page.wait_for_timeout(2_500)
    assert not_modified, "an unchanged board should answer its checks with 304"
    assert_accessible(page)


def test_an_open_standup_redraws_after_another_session_edits_the_card_keeping_typed_text(
    new_context, board, live_app
):
    """A colleague blocks and renames the card in their own browser while a note is half-typed."""
    live_app.config["FRESHNESS_POLL_SECONDS"] = 1  # the wall screen asks every 20 s
    with live_app.app_context():
        team = db.session.get(Team, board.team_id)
        supervisor = make_user(team.organization, {team: "supervisor"}, name="Sanna Esihenkilö")
        supervisor_email = supervisor.email
        db.session.remove()
    wall = new_context(viewport={"width": 1920, "height": 1080}).new_page()
    log_in(wall, supervisor_email)
    wall.get_by_role("button", name="Start stand-up").click()
    card_title = wall.locator("#current-card-title")
    expect(card_title).to_have_text(board.card_title)
    wall.evaluate("window.vertaaMarker = 'still the same page'")

    # The supervisor is writing a note and has half a decision typed, when a colleague edits.
    wall.get_by_label("What was decided").fill("Jatketaan kokeilua")
    note = wall.get_by_label("Note")
    note.fill("Puolivalmis muistiinpano")
    note.press("Control+Home")  # the caret at the start: a redraw must not move it
    colleague = new_context().new_page()
    log_in(colleague, board.colleague.email)
    colleague.goto(f"/improvements/{board.card_id}/edit")
    colleague.get_by_label("Title").fill("Hakemusten käsittely kahdessa päivässä")
    colleague.get_by_label("Blocked", exact=True).check()
    colleague.get_by_label("Reason for the block").fill("Odotetaan tietojärjestelmän päivitystä")
    colleague.get_by_role("button", name="Save", exact=True).click()
    expect(colleague.locator("#messages")).not_to_be_empty()

    # The open stand-up shows the change within its check, while the person keeps typing.
    expect(card_title).to_have_text("Hakemusten käsittely kahdessa päivässä", timeout=SLOW)
    expect(wall.locator("#current-card")).to_contain_text("Odotetaan tietojärjestelmän päivitystä")
    expect(note).to_be_focused()
    expect(note).to_have_value("Puolivalmis muistiinpano")
    expect(wall.get_by_label("What was decided")).to_have_value("Jatketaan kokeilua")
    note.type("Lisää: ")
    expect(note).to_have_value("Lisää: Puolivalmis muistiinpano")
    assert wall.evaluate("window.vertaaMarker") == "still the same page"

    # The note typed across the redraw is saved on the card as usual.
    wall.get_by_role("button", name="Add note").click()
    expect(wall.locator("#messages")).to_contain_text("Note added.")

    # A focused button with nothing typed is redrawn with the fresh choices, focus kept.
    forward = wall.get_by_role("button", name="Move on to Plan")
    forward.focus()
    colleague.goto(f"/improvements/{board.card_id}/move")
    colleague.get_by_role("button", name="Plan", exact=True).click()
    expect(wall.locator("#current-stage")).to_have_text("Plan", timeout=SLOW)
    expect(wall.get_by_role("button", name="Move on to Do")).to_be_focused()
    expect(wall.get_by_role("button", name="Move on to Plan")).to_have_count(0)
    assert_accessible(wall)
