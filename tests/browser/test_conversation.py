"""Talking on a card: a mention picked from the list, the bell, the inbox, and axe after swaps."""

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from lean.core.extensions import db
from lean.models import Notification, User
from tests.browser.conftest import assert_accessible, log_in

pytestmark = pytest.mark.browser
# The machine running the suite may be busy: waits are generous, never a fixed short sleep.
SLOW = 20_000


def test_mention_someone_and_they_see_the_bell_and_follow_the_link(new_context, board):
    page = new_context().new_page()
    log_in(page, board.member.email)
    page.goto(f"/improvements/{board.card_id}")
    page.evaluate("window.vertaaMarker = 'still the same page'")
    assert_accessible(page)

    comments = page.locator("#comments")
    # The @ and the first letters typed in the comment itself open the people who match.
    body = comments.get_by_label("Comment", exact=True)
    body.click()
    body.press_sequentially("Voisitko @Kal")
    option = page.get_by_role("option", name=board.colleague.name)
    expect(option).to_be_visible(timeout=SLOW)
    listbox = page.get_by_role("listbox", name="People to mention")
    expect(body).to_have_attribute("aria-controls", re.compile(".+"))
    assert body.get_attribute("aria-controls") == listbox.get_attribute("id")
    expect(body).to_have_attribute("aria-activedescendant", option.get_attribute("id") or "")
    expect(comments.locator("[data-mention-status]")).to_contain_text("found")
    assert_accessible(page)
    body.press("Enter")  # picks the highlighted person, does not start a new line
    expect(body).to_have_value(f"Voisitko @{board.colleague.name} ")
    expect(body).to_be_focused()
    expect(listbox).to_be_hidden()
    body.press_sequentially("katsoa tämän?")
    # Escape closes a list opened by a later @ and leaves the text as typed.
    body.press_sequentially(" @")
    expect(listbox.get_by_role("option").first).to_be_visible(timeout=SLOW)
    body.press("Escape")
    expect(listbox).to_be_hidden()
    body.press("Backspace")
    body.press("Backspace")
    expect(body).to_have_value(f"Voisitko @{board.colleague.name} katsoa tämän?")
    comments.get_by_role("button", name="Add comment").click()

    expect(page.locator("#comments .comment")).to_have_count(1, timeout=SLOW)
    # The posted mention is marked in the comment.
    expect(page.locator("#comments .comment .mention")).to_have_text(f"@{board.colleague.name}")
    expect(page.locator("#card-history")).to_contain_text("commented", timeout=SLOW)
    assert page.evaluate("window.vertaaMarker") == "still the same page"
    assert_accessible(page)

    # The colleague logs in elsewhere: the bell counts it, the inbox links to the comment.
    other = new_context().new_page()
    log_in(other, board.colleague.email)
    bell = other.locator("#bell")
    expect(bell).to_contain_text("1 unread")
    bell.click()
    expect(other).to_have_url(re.compile(r"/notifications$"))
    assert_accessible(other)
    item = other.locator(".inbox-item").first
    expect(item).to_contain_text(f"{board.member.name} mentioned you on")
    # Following the notification marks it read: the bell and the inbox say so.
    with other.expect_response(
        lambda response: response.url.endswith("/read") and response.status == 204
    ):
        item.get_by_role("link", name=board.card_title).click()
    expect(other).to_have_url(re.compile(rf"/improvements/{board.card_id}#comment-\d+$"))
    expect(other.locator("#comments")).to_contain_text(
        f"Voisitko @{board.colleague.name} katsoa tämän?"
    )
    other.goto("/notifications")
    expect(other.locator("#bell")).to_contain_text("0 unread")
    expect(other.locator(".inbox-item.is-unread")).to_have_count(0)
    other.go_back()
    other.get_by_role("link", name="My work").click()
    expect(other.locator("#my-unanswered + ul")).to_contain_text(board.card_title)
    assert_accessible(other)
    other.goto("/notifications")
    other.get_by_role("button", name="Mark all read").click()
    expect(other.locator("#bell")).to_contain_text("0 unread", timeout=SLOW)


def open_the_editor_of_a_new_comment(page, board) -> None:
    """The member comments "Ensimmäinen versio" on the card, then opens its editor."""
    log_in(page, board.member.email)
    page.goto(f"/improvements/{board.card_id}")
    comments = page.locator("#comments")
    comments.get_by_label("Comment", exact=True).fill("Ensimmäinen versio")
    comments.get_by_role("button", name="Add comment").click()
    expect(comments.locator(".comment")).to_have_count(1, timeout=SLOW)
    comments.get_by_role("link", name="Edit your comment").click()


def test_edit_and_delete_a_comment_in_place(page, board):
    open_the_editor_of_a_new_comment(page, board)
    editor = page.locator("#comments").get_by_label("Comment").first
    expect(editor).to_be_focused(timeout=SLOW)
    assert_accessible(page)
    editor.fill("Korjattu versio")
    page.locator("#comments").get_by_role("button", name="Save the comment").click()
    expect(page.locator("#comments .comment .prose")).to_have_text("Korjattu versio", timeout=SLOW)
    expect(page.locator("#card-history")).to_contain_text("edited a comment")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#comments").get_by_role("button", name="Delete your comment").click()
    expect(page.locator("#comments .comment")).to_have_count(0, timeout=SLOW)
    expect(page.locator("#card-history")).to_contain_text("deleted a comment")
    assert_accessible(page)


def test_the_top_bar_search_finds_the_card(page, board):
    log_in(page, board.member.email)
    box = page.get_by_role("search").get_by_label("Find cards, kaizens, A3 sheets and practices")
    box.fill(board.card_title.split()[0][:6])
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q="))
    results = page.locator("#found-cards + ul")
    expect(results.get_by_role("link", name=board.card_title)).to_be_visible()
    assert_accessible(page)
    results.get_by_role("link", name=board.card_title).click()
    expect(page).to_have_url(re.compile(rf"/improvements/{board.card_id}$"))


def test_mention_someone_while_editing_a_comment(page, board, live_app):
    open_the_editor_of_a_new_comment(page, board)
    editor = page.locator(".comment-edit-form")
    body = editor.get_by_label("Comment", exact=True)
    expect(body).to_be_focused(timeout=SLOW)
    body.press("End")
    body.press_sequentially(", katso @kal")
    option = editor.get_by_role("option", name=board.colleague.name)
    expect(option).to_be_visible(timeout=SLOW)
    expect(body).to_have_attribute("aria-activedescendant", re.compile(r"-options-0$"))
    assert_accessible(page)  # two lists on the page, each with ids of its own
    option.click()  # a pointer picks as Enter does
    expect(body).to_have_value(f"Ensimmäinen versio, katso @{board.colleague.name} ")
    expect(body).to_be_focused()
    editor.get_by_role("button", name="Save the comment").click()
    expect(page.locator("#comments .comment .prose")).to_have_text(
        f"Ensimmäinen versio, katso @{board.colleague.name}", timeout=SLOW
    )

    # The colleague, mentioned only by the edit, hears of it.
    with live_app.app_context():
        colleague = db.session.query(User).filter_by(email=board.colleague.email).one()
        reasons = db.session.scalars(
            select(Notification.reason).where(Notification.user_id == colleague.id)
        ).all()
        db.session.remove()
    assert reasons == ["mentioned"]


def test_an_open_pages_bell_counts_a_new_mention_without_a_reload(new_context, board, live_app):
    live_app.config["BELL_POLL_SECONDS"] = 1  # a page asks every 45 s
    page = new_context().new_page()
    log_in(page, board.colleague.email)
    bell = page.locator("#bell")
    expect(bell).to_contain_text("0 unread")
    page.evaluate("window.vertaaMarker = 'still the same page'")

    # Someone mentions the colleague in a session of their own.
    other = new_context().new_page()
    log_in(other, board.member.email)
    other.goto(f"/improvements/{board.card_id}")
    comments = other.locator("#comments")
    comments.get_by_label("Comment", exact=True).fill(f"@{board.colleague.name} katso tätä")
    comments.get_by_role("button", name="Add comment").click()
    expect(comments.locator(".comment")).to_have_count(1, timeout=SLOW)

    expect(bell).to_contain_text("1 unread", timeout=SLOW)
    expect(bell).to_have_class(re.compile(r"\bhas-unread\b"))
    expect(page.locator("#bell-news")).to_have_text("You have 1 unread notification.")
    assert page.evaluate("window.vertaaMarker") == "still the same page"
    assert_accessible(page)
    # Nothing new after that: the bell's next check is answered 304 and the count stays.
    with page.expect_response(
        lambda r: "/notifications/bell" in r.url and r.status == 304, timeout=SLOW
    ):
        pass
    expect(bell).to_contain_text("1 unread")
    bell.click()
    expect(page).to_have_url(re.compile(r"/notifications$"))
