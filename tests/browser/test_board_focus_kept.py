"""The self-refreshing board keeps the keyboard focus on its card, and tells a person who is
typing (or has a panel open) that the board changed, with a Show button that keeps the text."""

import pytest
from playwright.sync_api import expect

from lean.boards import services
from lean.core.extensions import db
from lean.models import Improvement, Stage, Team, User
from tests.browser.conftest import assert_accessible, card, column, log_in
from tests.conftest import make_improvement

pytestmark = pytest.mark.browser
SLOW = 30_000


def as_colleague(live_app, email: str, change) -> None:
    """Another person's change in the live app's database, between two of the board's polls."""
    with live_app.app_context():
        actor = db.session.query(User).filter_by(email=email).one()
        change(actor)
        db.session.commit()
        db.session.remove()


def second_card(live_app, board) -> int:
    with live_app.app_context():
        team = db.session.get(Team, board.team_id)
        author = db.session.query(User).filter_by(email=board.colleague.email).one()
        card_id = make_improvement(
            team, author, title="Palautekysely jokaisen asioinnin jälkeen"
        ).id
        db.session.commit()
        db.session.remove()
    return card_id


def test_after_a_redraw_the_focus_is_on_the_same_card_wherever_it_went(page, board, live_app):
    live_app.config["FRESHNESS_POLL_SECONDS"] = 1
    other = second_card(live_app, board)
    log_in(page, board.member.email)
    mine = card(column(page, "Idea"), board.card_title)
    page.evaluate("window.vertaaMarker = 'still the same page'")

    # Someone else moves another card: the board redraws, the focus stays on this card's link.
    mine.get_by_role("link").focus()
    as_colleague(
        live_app,
        board.colleague.email,
        lambda actor: services.move_improvement(
            actor, db.session.get(Improvement, other), Stage.DO
        ),
    )
    expect(page.locator(f".column-do #card-{other}")).to_be_visible(timeout=SLOW)
    expect(mine.get_by_role("link")).to_be_focused()

    # The focused card itself moves to Plan: the focus is on it there, on the same control.
    mine.get_by_role("button", name="Move…").focus()
    as_colleague(
        live_app,
        board.colleague.email,
        lambda actor: services.move_improvement(
            actor, db.session.get(Improvement, board.card_id), Stage.PLAN
        ),
    )
    moved = card(column(page, "Plan"), board.card_title)
    expect(moved).to_be_visible(timeout=SLOW)
    expect(moved.get_by_role("button", name="Move…")).to_be_focused()

    # The card is archived: the focus is on the heading of the column it was in.
    as_colleague(
        live_app,
        board.colleague.email,
        lambda actor: services.archive_improvement(
            actor, db.session.get(Improvement, board.card_id)
        ),
    )
    expect(page.locator(f"#card-{board.card_id}")).to_have_count(0, timeout=SLOW)
    expect(page.locator("#column-plan-title")).to_be_focused()
    assert page.evaluate("window.vertaaMarker") == "still the same page"
    assert_accessible(page)


def test_while_typing_the_board_says_it_changed_and_show_keeps_the_text(page, board, live_app):
    live_app.config["FRESHNESS_POLL_SECONDS"] = 1
    log_in(page, board.member.email)
    expect(card(column(page, "Idea"), board.card_title)).to_be_visible()
    notice = page.get_by_role("status").filter(has_text="The board has changed")
    expect(notice).to_have_count(0)

    title = page.locator("#quick-add").get_by_label("Title")
    title.fill("Puolivalmis ajatus")
    as_colleague(
        live_app,
        board.colleague.email,
        lambda actor: services.move_improvement(
            actor, db.session.get(Improvement, board.card_id), Stage.PLAN
        ),
    )
    # A polite notice instead of a silent wait; the board stays as it was meanwhile.
    expect(notice).to_be_visible(timeout=SLOW)
    expect(notice).to_have_text("The board has changed — Show")
    expect(card(column(page, "Idea"), board.card_title)).to_be_visible()
    expect(title).to_be_focused()
    expect(title).to_have_value("Puolivalmis ajatus")
    assert_accessible(page)

    # Show redraws at once and keeps what was typed, with the focus back in the field.
    notice.get_by_role("button", name="Show").click()
    expect(card(column(page, "Plan"), board.card_title)).to_be_visible()
    expect(page.locator("#count-plan")).to_have_text("1 card")
    expect(title).to_have_value("Puolivalmis ajatus")
    expect(title).to_be_focused()
    expect(page.get_by_text("The board has changed")).to_have_count(0)
    # The kept quick add still adds its card.
    page.locator("#quick-add").get_by_label("Theme").select_option(label=board.theme_label)
    page.locator("#quick-add").get_by_role("button", name="Add to Idea").click()
    expect(card(column(page, "Idea"), "Puolivalmis ajatus")).to_be_visible()


def test_an_open_panel_on_the_board_gets_the_notice_too(page, board, live_app):
    live_app.config["FRESHNESS_POLL_SECONDS"] = 1
    log_in(page, board.member.email)
    page.locator("details.board-filters summary").click()
    page.locator("h1").click()
    as_colleague(
        live_app,
        board.colleague.email,
        lambda actor: services.move_improvement(
            actor, db.session.get(Improvement, board.card_id), Stage.DO
        ),
    )
    notice = page.get_by_role("status").filter(has_text="The board has changed")
    expect(notice).to_be_visible(timeout=SLOW)
    notice.get_by_role("button", name="Show").click()
    expect(card(column(page, "Do"), board.card_title)).to_be_visible()
    # The panel stays open across the redraw.
    expect(page.locator("form.filters")).to_be_visible()
    assert_accessible(page)
