"""An open board redraws after someone else moves a card, but never under a typing hand."""

import pytest
from playwright.sync_api import expect

from lean.boards import services
from lean.extensions import db
from lean.models import Improvement, Stage, User
from tests.browser.conftest import assert_accessible, card, column, log_in

pytestmark = pytest.mark.browser
SLOW = 30_000


def move_as(live_app, email: str, card_id: int, stage: Stage) -> None:
    """Another session's move, through the same service the pages use."""
    with live_app.app_context():
        actor = db.session.query(User).filter_by(email=email).one()
        services.move_improvement(actor, db.session.get(Improvement, card_id), stage)
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
