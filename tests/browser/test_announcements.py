"""Every change a person makes is said in the page's one live region, in their language: moves
on the board, comments (with the focus on the comment), A3 section saves; and an open card
page shows a colleague's new comment by itself."""

import re

import pytest
from playwright.sync_api import Page, expect

from lean.a3 import services as a3
from lean.core.extensions import db
from lean.models import Improvement, User
from tests.browser.conftest import (
    assert_accessible,
    card,
    column,
    log_in,
    move_with_the_stage_list,
)

pytestmark = pytest.mark.browser
SLOW = 30_000


def live_region(page: Page):
    """The page's one polite live region (templates/base.html #messages)."""
    region = page.locator("#messages")
    expect(region).to_have_attribute("role", "status")
    expect(region).to_have_attribute("aria-live", "polite")
    return region


def set_language(live_app, email: str, language: str) -> None:
    with live_app.app_context():
        db.session.query(User).filter_by(email=email).one().language = language
        db.session.commit()
        db.session.remove()


def test_moves_on_the_board_by_keyboard_and_by_the_dialog_are_said(page, board):
    log_in(page, board.member.email)
    the_card = card(page, board.card_title)
    the_card.get_by_role("link", name=board.card_title).focus()
    page.keyboard.press("Shift+ArrowRight")
    expect(card(column(page, "Plan"), board.card_title)).to_be_visible()
    expect(live_region(page)).to_contain_text("Card moved to Plan.")
    expect(the_card.get_by_role("button", name="Move…")).to_be_focused()
    assert_accessible(page)

    move_with_the_stage_list(page, the_card, "Do")
    expect(card(column(page, "Do"), board.card_title)).to_be_visible()
    expect(live_region(page)).to_contain_text("Card moved to Do.")
    expect(the_card.get_by_role("button", name="Move…")).to_be_focused()
    assert_accessible(page)


def test_a_move_by_the_dialog_is_said_in_finnish(page, board, live_app):
    set_language(live_app, board.member.email, "fi")
    log_in(page, board.member.email)
    the_card = card(page, board.card_title)
    the_card.get_by_role("button", name="Siirrä…").click()
    page.get_by_role("dialog").get_by_role("button", name="Toteuta", exact=True).click()
    expect(card(column(page, "Toteuta"), board.card_title)).to_be_visible()
    expect(live_region(page)).to_contain_text("Kortti siirretty vaiheeseen Toteuta.")
    assert_accessible(page)


def test_a_comment_posted_saved_and_deleted_is_said_and_the_focus_follows_it(page, board):
    log_in(page, board.member.email)
    page.goto(f"/improvements/{board.card_id}")
    comments = page.locator("#comments")
    comments.get_by_label("Comment", exact=True).fill("Kysytään hakijoilta")
    comments.get_by_role("button", name="Add comment").click()

    posted = comments.locator(".comment").filter(has_text="Kysytään hakijoilta")
    expect(posted).to_be_focused(timeout=SLOW)
    expect(live_region(page)).to_have_text("Comment added.")
    # The page stays where the comment is: not scrolled back to the top.
    assert page.evaluate("window.scrollY") > 0
    assert_accessible(page)

    comments.get_by_role("link", name="Edit your comment").click()
    editor = comments.locator("textarea").first
    expect(editor).to_be_focused()
    editor.fill("Kysytään hakijoilta ja opettajilta")
    comments.get_by_role("button", name="Save the comment").click()
    saved = comments.locator(".comment").filter(has_text="ja opettajilta")
    expect(saved).to_be_focused(timeout=SLOW)
    expect(live_region(page)).to_have_text("Comment saved.")
    assert_accessible(page)

    page.once("dialog", lambda dialog: dialog.accept())
    comments.get_by_role("button", name="Delete your comment").click()
    expect(comments.locator(".comment")).to_have_count(0, timeout=SLOW)
    expect(page.get_by_role("heading", name=re.compile(r"^Comments"))).to_be_focused()
    expect(live_region(page)).to_have_text("Comment deleted.")
    assert_accessible(page)


def test_an_a3_section_save_is_said(page, board, live_app):
    with live_app.app_context():
        member = db.session.query(User).filter_by(email=board.member.email).one()
        a3.start_a3(member, db.session.get(Improvement, board.card_id))
        db.session.commit()
        db.session.remove()
    log_in(page, board.member.email)
    page.goto(f"/improvements/{board.card_id}/a3")
    background = page.locator("#a3-section-background")
    background.get_by_role("link", name="Edit").click()
    background.get_by_label("Background", exact=True).fill("Hakijat odottavat liian kauan.")
    background.get_by_role("button", name="Save").click()
    expect(background).to_contain_text("Hakijat odottavat liian kauan.")
    expect(live_region(page)).to_have_text("Section saved.")
    assert_accessible(page)


def test_an_open_card_page_shows_a_colleagues_comment_and_keeps_what_is_typed(
    new_context, board, live_app
):
    live_app.config["FRESHNESS_POLL_SECONDS"] = 1  # an open page asks every 20 s
    reader = new_context().new_page()
    log_in(reader, board.member.email)
    reader.goto(f"/improvements/{board.card_id}")
    reader.evaluate("window.vertaaMarker = 'still the same page'")
    not_modified = []
    reader.on("response", lambda r: r.status == 304 and not_modified.append(r.url))
    comments = reader.locator("#comments")
    expect(comments).to_contain_text("No comments yet.")

    colleague = new_context().new_page()
    log_in(colleague, board.colleague.email)
    colleague.goto(f"/improvements/{board.card_id}")
    colleague.locator("#comments").get_by_label("Comment", exact=True).fill("Minä hoidan tämän")
    colleague.locator("#comments").get_by_role("button", name="Add comment").click()
    expect(colleague.locator("#comments .comment")).to_have_count(1, timeout=SLOW)

    # Within the poll's interval, without reloading.
    expect(comments.locator(".comment")).to_contain_text("Minä hoidan tämän", timeout=SLOW)
    assert reader.evaluate("window.vertaaMarker") == "still the same page"
    assert_accessible(reader)

    # While the reader has typed a comment of their own, the page waits and keeps it.
    box = comments.get_by_label("Comment", exact=True)
    box.fill("Puolivalmis vastaus")
    reader.locator("h1").click()
    colleague.locator("#comments").get_by_label("Comment", exact=True).fill("Toinen huomio")
    colleague.locator("#comments").get_by_role("button", name="Add comment").click()
    expect(colleague.locator("#comments .comment")).to_have_count(2, timeout=SLOW)
    reader.wait_for_timeout(3_000)
    expect(comments.locator(".comment")).to_have_count(1)
    expect(box).to_have_value("Puolivalmis vastaus")
    # Once the box is empty again, the next check brings the new comment.
    box.fill("")
    reader.locator("h1").click()
    expect(comments.locator(".comment")).to_have_count(2, timeout=SLOW)

    # A comment of the reader's own being edited holds the redraw, until it is cancelled.
    box.fill("Oma kommentti")
    comments.get_by_role("button", name="Add comment").click()
    expect(comments.locator(".comment")).to_have_count(3, timeout=SLOW)
    comments.get_by_role("link", name="Edit your comment").click()
    expect(comments.locator(".comment-edit-form")).to_be_visible()
    reader.locator("h1").click()
    colleague.locator("#comments").get_by_label("Comment", exact=True).fill("Kolmas huomio")
    colleague.locator("#comments").get_by_role("button", name="Add comment").click()
    expect(colleague.locator("#comments .comment")).to_have_count(4, timeout=SLOW)
    reader.wait_for_timeout(3_000)
    expect(comments.locator(".comment-edit-form")).to_be_visible()
    expect(comments.locator(".comment")).to_have_count(3)
    comments.get_by_role("link", name="Cancel").click()
    expect(comments.locator(".comment")).to_have_count(4, timeout=SLOW)
    # Nothing new after that: the checks are answered 304.
    not_modified.clear()
    reader.wait_for_timeout(2_500)
    assert not_modified, "an unchanged card should answer its checks with 304"
    assert_accessible(reader)
