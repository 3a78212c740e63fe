"""A card's checklist by keyboard: add, tick, reorder, edit and delete items in place, each
change said in the live region with focus kept on the control used; and the same without
JavaScript. axe finds nothing after each swap."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, card, log_in

pytestmark = pytest.mark.browser


# No htmx request, swap or settling under way, so that a key reaches a control htmx has taken
# over (pressed within the few milliseconds of a swap, a form would be sent as a plain form).
HTMX_IDLE = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"


def press(page: Page, key: str) -> None:
    page.wait_for_function(HTMX_IDLE)
    page.keyboard.press(key)


def checklist(page: Page):
    return page.locator("#checklist")


def item_texts(page: Page) -> list[str]:
    return [text.strip() for text in checklist(page).locator(".checklist-text").all_inner_texts()]


def open_card(page: Page, board) -> None:
    log_in(page, board.member.email)
    page.goto(f"/improvements/{board.card_id}")
    expect(page.get_by_role("heading", name="Checklist")).to_be_visible()


def add_by_keyboard(page: Page, text: str) -> None:
    field = page.get_by_label("New checklist item")
    field.focus()
    page.keyboard.type(text)
    press(page, "Enter")
    expect(page.get_by_role("status")).to_have_text(f"Item added: {text}")
    expect(checklist(page).locator(".checklist-text").last).to_have_text(text)
    # Ready for the next item: the field is empty and still focused.
    expect(page.get_by_label("New checklist item")).to_be_focused()
    expect(page.get_by_label("New checklist item")).to_have_value("")


def test_a_checklist_is_made_ticked_and_reordered_by_keyboard(page, board):
    open_card(page, board)
    assert_accessible(page)
    add_by_keyboard(page, "Kysy palaute")
    add_by_keyboard(page, "Kokoa tulokset")
    add_by_keyboard(page, "Jaa tiimille")
    assert_accessible(page)

    # Tick the first item with the space bar: it is said, and focus stays on its box.
    box = page.get_by_role("checkbox", name="Kysy palaute")
    expect(box).to_have_attribute("aria-checked", "false")
    box.focus()
    press(page, "Space")
    expect(page.get_by_role("status")).to_have_text("Item ticked: Kysy palaute")
    box = page.get_by_role("checkbox", name="Kysy palaute")
    expect(box).to_be_checked()
    expect(box).to_be_focused()
    expect(page.get_by_role("heading", name=re.compile("Checklist"))).to_contain_text("1/3")
    history = page.locator("#card-history")
    expect(history).to_contain_text("ticked the checklist item “Kysy palaute”")
    assert_accessible(page)

    # Untick it again by keyboard.
    press(page, "Space")
    expect(page.get_by_role("status")).to_have_text("Item unticked: Kysy palaute")
    expect(page.get_by_role("checkbox", name="Kysy palaute")).not_to_be_checked()
    expect(page.get_by_role("checkbox", name="Kysy palaute")).to_be_focused()
    press(page, "Space")
    expect(page.get_by_role("status")).to_have_text("Item ticked: Kysy palaute")
    expect(page.get_by_role("checkbox", name="Kysy palaute")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Kysy palaute")).to_be_focused()

    # Move the last item up twice: focus follows it, and at the top moves to its "Move down".
    move_up = page.get_by_role("button", name="Move up: Jaa tiimille")
    move_up.focus()
    expect(move_up).to_be_focused()
    press(page, "Enter")
    expect(page.get_by_role("status")).to_have_text("Item moved to place 2 of 3: Jaa tiimille")
    assert item_texts(page) == ["Kysy palaute", "Jaa tiimille", "Kokoa tulokset"]
    expect(page.get_by_role("button", name="Move up: Jaa tiimille")).to_be_focused()
    press(page, "Enter")
    expect(page.get_by_role("status")).to_have_text("Item moved to place 1 of 3: Jaa tiimille")
    expect(page.get_by_role("button", name="Move down: Jaa tiimille")).to_be_focused()
    assert item_texts(page) == ["Jaa tiimille", "Kysy palaute", "Kokoa tulokset"]
    assert_accessible(page)

    # Edit an item's text in place: the field opens focused, Enter saves, focus returns.
    page.get_by_role("link", name="Edit: Kokoa tulokset").focus()
    press(page, "Enter")
    field = page.get_by_label("Checklist item", exact=True)
    expect(field).to_be_focused()
    assert_accessible(page)
    field.press("End")
    page.keyboard.type(" ja vertaa")
    press(page, "Enter")
    expect(page.get_by_role("status")).to_have_text("Item saved: Kokoa tulokset ja vertaa")
    expect(page.get_by_role("link", name="Edit: Kokoa tulokset ja vertaa")).to_be_focused()

    # Delete one: focus goes to the next item's box.
    page.get_by_role("button", name="Delete: Kysy palaute").focus()
    press(page, "Enter")
    expect(page.get_by_role("status")).to_have_text("Item removed: Kysy palaute")
    expect(page.get_by_role("checkbox", name="Kokoa tulokset ja vertaa")).to_be_focused()
    assert item_texts(page) == ["Jaa tiimille", "Kokoa tulokset ja vertaa"]
    assert_accessible(page)

    # The board card says how far its checklist is.
    page.goto(f"/teams/{board.team_id}/board")
    count = card(page, board.card_title).locator(".checklist-count")
    expect(count).to_have_text(re.compile(r"☑ 0/2\s*0 of 2 checklist items done"))
    assert_accessible(page)


# Each control focused after a swap, and whether by then (the next task, where a key press
# would run) htmx had taken over its form.
RECORD_FOCUS = """() => {
  window.focusedForms = [];
  document.addEventListener("focusin", (event) => {
    const control = event.target;
    setTimeout(() => window.focusedForms.push(
      [control.id, Boolean(control.form && (control.form["htmx-internal-data"] || {}).initHash)]
    ), 0);
  }, true);
}"""


def test_a_key_pressed_the_moment_focus_returns_reaches_a_form_htmx_has_taken_over(page, board):
    # htmx puts the focus back on the swapped-in field at once; its new form used to be taken
    # over only when the swap settled 20 ms later, and an Enter pressed in between sent it as a
    # plain form (a full page). templates/base.html settles swaps at once.
    open_card(page, board)
    page.wait_for_load_state("load")
    page.evaluate(RECORD_FOCUS)
    field = page.get_by_label("New checklist item")
    for number in range(3):
        field.fill(f"Kohta {number}")
        press(page, "Enter")
        expect(page.get_by_role("status")).to_have_text(f"Item added: Kohta {number}")
    focused = page.evaluate("window.focusedForms")
    assert focused and all(taken_over for _, taken_over in focused), focused


def test_cancelling_an_edit_and_a_refused_item_keep_focus_and_are_said(page, board):
    open_card(page, board)
    add_by_keyboard(page, "Kysy palaute")
    page.get_by_role("link", name="Edit: Kysy palaute").click()
    expect(page.get_by_label("Checklist item", exact=True)).to_be_focused()
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("link", name="Edit: Kysy palaute")).to_be_focused()
    # An empty item is refused where it was typed.
    page.get_by_label("New checklist item").focus()
    press(page, "Enter")
    field = page.get_by_label("New checklist item")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_be_focused()
    expect(page.get_by_role("status")).to_have_text("This field is required.")
    assert_accessible(page)


@pytest.fixture
def plain_page(new_context):
    return new_context(java_script_enabled=False).new_page()


def test_without_javascript_every_action_comes_back_to_the_checklist(plain_page, board):
    page = plain_page
    open_card(page, board)
    page.get_by_label("New checklist item").fill("Kysy palaute")
    page.get_by_role("button", name="Add item").click()
    expect(page).to_have_url(re.compile(rf"/improvements/{board.card_id}#checklist$"))
    expect(page.get_by_role("status")).to_have_text("Item added: Kysy palaute")
    page.get_by_label("New checklist item").fill("Kokoa tulokset")
    page.get_by_role("button", name="Add item").click()

    page.get_by_role("checkbox", name="Kokoa tulokset").click()
    expect(page.get_by_role("status")).to_have_text("Item ticked: Kokoa tulokset")
    expect(page.get_by_role("checkbox", name="Kokoa tulokset")).to_be_checked()

    page.get_by_role("button", name="Move up: Kokoa tulokset").click()
    assert item_texts(page) == ["Kokoa tulokset", "Kysy palaute"]

    page.get_by_role("link", name="Edit: Kysy palaute").click()
    expect(page).to_have_url(re.compile(r"/checklist/\d+/edit$"))
    page.get_by_label("Checklist item", exact=True).fill("Kysy palautetta")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Item saved: Kysy palautetta")

    page.get_by_role("button", name="Delete: Kokoa tulokset").click()
    expect(page.get_by_role("status")).to_have_text("Item removed: Kokoa tulokset")
    assert item_texts(page) == ["Kysy palautetta"]


def test_a_second_edit_of_the_same_item_is_told_in_place_and_kept(new_context, board):
    first, second = new_context().new_page(), new_context().new_page()
    open_card(first, board)
    add_by_keyboard(first, "Kysy palaute")
    log_in(second, board.colleague.email)
    second.goto(f"/improvements/{board.card_id}")
    for page in (first, second):
        page.get_by_role("link", name="Edit: Kysy palaute").click()
        expect(page.get_by_label("Checklist item", exact=True)).to_be_focused()
    first.get_by_label("Checklist item", exact=True).fill("Kysy palaute opiskelijoilta")
    first.keyboard.press("Enter")
    expect(first.get_by_role("status")).to_have_text("Item saved: Kysy palaute opiskelijoilta")

    second.get_by_label("Checklist item", exact=True).fill("Kysy palaute huoltajilta")
    second.keyboard.press("Enter")
    conflict = second.locator("#conflict")
    expect(conflict).to_be_focused()
    expect(conflict).to_contain_text("it now reads “Kysy palaute opiskelijoilta”")
    expect(second.get_by_role("status")).to_contain_text("Someone changed this item")
    expect(second.get_by_label("Checklist item", exact=True)).to_have_value(
        "Kysy palaute huoltajilta"
    )
    assert_accessible(second)
    # Saving again replaces the first one's text, knowingly.
    second.get_by_role("button", name="Save").click()
    expect(second.get_by_role("status")).to_have_text("Item saved: Kysy palaute huoltajilta")
    assert item_texts(second) == ["Kysy palaute huoltajilta"]
