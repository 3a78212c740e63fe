"""The kaizen log as a person uses it: quick entry by keyboard, attachments, refused files,
no axe violations on its pages, and a plain form without JavaScript."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import Person, assert_none, axe_violations, log_in
from tests.conftest import (
    TINY_PNG,
    make_kaizen,
    make_organization,
    make_team,
    make_user,
    theme,
    today,
)

pytestmark = pytest.mark.browser

NEW_TITLE = "Tulostin lähemmäs"
NEW_BEFORE = "Todistukset haettiin toisesta kerroksesta."
NEW_AFTER = "Tulostin on palvelupisteen vieressä."
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NOT_A_PDF = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def png_bytes(size=(64, 48), colour=(0, 105, 92)) -> bytes:
    """A real, small PNG made with Pillow."""
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


# ---- data: made in a short app context, handed over as plain values -------------------


@dataclass(frozen=True)
class KaizenLogData:
    team_id: int
    member: Person
    supervisor: Person
    theme_label: str  # the theme's English name, as the theme select shows it
    titles: tuple[str, ...]  # the entries already logged, newest first
    photo_entry_id: int  # the member's entry with a picture attached
    photo_entry_title: str


@pytest.fixture
def kaizen_log(live_app, live_server) -> KaizenLogData:
    """A team with a member and a supervisor and three older kaizens, one with a picture."""
    from lean.shared.uploads import CheckedUpload

    with live_app.app_context():
        organization = make_organization(name="Järvilaakson koulutuskuntayhtymä")
        team = make_team(organization, name="Opintotoimisto")
        member = make_user(organization, {team: "member"}, name="Maija Meikäläinen")
        supervisor = make_user(organization, {team: "supervisor"}, name="Sanna Esihenkilö")
        day = today()
        photo_entry = make_kaizen(
            team,
            member,
            title="Hyllyt merkitty",
            before="Kansioita etsittiin joka aamu.",
            after="Hyllyissä on värikoodit.",
            done_on=day - timedelta(days=1),
            uploads=[CheckedUpload("hylly.png", TINY_PNG, "image/png")],
        )
        second = make_kaizen(
            team, member, title="Lomakepohja yhteiseksi", done_on=day - timedelta(days=2)
        )
        third = make_kaizen(
            team, supervisor, title="Aamupalaveri 10 minuuttiin", done_on=day - timedelta(days=3)
        )
        data = KaizenLogData(
            team_id=team.id,
            member=Person(member.email, member.name),
            supervisor=Person(supervisor.email, supervisor.name),
            theme_label=theme().name_in("en"),
            titles=(photo_entry.title, second.title, third.title),
            photo_entry_id=photo_entry.id,
            photo_entry_title=photo_entry.title,
        )
    return data


# ---- what a user does and sees --------------------------------------------------------


def open_log(page: Page, data: KaizenLogData, person: Person | None = None) -> None:
    log_in(page, (person or data.member).email)
    page.goto(f"/teams/{data.team_id}/kaizen")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Kaizen log")


def quick_entry(page: Page) -> Locator:
    return page.locator("#kaizen-entry")


def open_attachments(page: Page) -> None:
    """The file slots are folded under one disclosure in the entry form."""
    quick_entry(page).get_by_text("Add photos or documents").click()


def entries_heading(page: Page) -> Locator:
    return page.locator("#entries-title")


def entry_titles(page: Page) -> Locator:
    return page.locator(".kaizen-list > li h3")


def entry(page: Page, title: str) -> Locator:
    return page.get_by_role("article", name=title, exact=True)


def is_focused(locator: Locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page: Page, target: Locator, within: Locator | None = None, limit: int = 60) -> None:
    """Press Tab until the target has focus; with `within`, focus may not leave that element."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if is_focused(target):
            return
        if within is not None:
            assert within.evaluate("element => element.contains(document.activeElement)"), (
                "Tab left the quick entry before reaching " + target.evaluate("e => e.outerHTML")
            )
    pytest.fail(f"{limit} presses of Tab never reached {target}")


def choose_by_keyboard(page: Page, select: Locator, label: str, limit: int = 30) -> None:
    """Arrow down a focused select until the option with this label is chosen."""
    selected = "select => select.selectedOptions[0] && select.selectedOptions[0].label"
    for _ in range(limit):
        if select.evaluate(selected) == label:
            return
        page.keyboard.press("ArrowDown")
    pytest.fail(f"ArrowDown never chose “{label}” in the select")


def fill_entry(page: Page, data: KaizenLogData, title=NEW_TITLE) -> None:
    form = quick_entry(page)
    form.get_by_label("Title").fill(title)
    form.get_by_label("Theme").select_option(label=data.theme_label)
    form.get_by_label("Before: what was the problem?").fill(NEW_BEFORE)
    form.get_by_label("After: what changed?").fill(NEW_AFTER)


def image_loaded(page: Page, image: Locator) -> None:
    """Wait until the <img> has really loaded a picture (naturalWidth > 0)."""
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "image => image.complete && image.naturalWidth > 0", arg=image.element_handle()
    )


# ---- 1. quick entry by keyboard only ----------------------------------------------------


def test_quick_entry_by_keyboard_only_puts_the_entry_on_top_without_reloading(page, kaizen_log):
    open_log(page, kaizen_log)
    expect(entries_heading(page)).to_have_text("3 kaizens")
    page.evaluate("window.vertaaMarker = 'still the same page'")
    form = quick_entry(page)
    title = form.get_by_label("Title")
    theme_select = form.get_by_label("Theme")
    before = form.get_by_label("Before: what was the problem?")
    after = form.get_by_label("After: what changed?")
    button = form.get_by_role("button", name="Log kaizen")

    tab_to(page, title)
    page.keyboard.type(NEW_TITLE)
    page.keyboard.press("Tab")
    expect(theme_select).to_be_focused()
    choose_by_keyboard(page, theme_select, kaizen_log.theme_label)
    page.keyboard.press("Tab")
    expect(before).to_be_focused()
    page.keyboard.type(NEW_BEFORE)
    page.keyboard.press("Tab")
    expect(after).to_be_focused()
    page.keyboard.type(NEW_AFTER)
    tab_to(page, button, within=form, limit=20)
    page.keyboard.press("Enter")

    expect(entry_titles(page).first).to_have_text(NEW_TITLE)
    expect(entry_titles(page)).to_have_text([NEW_TITLE, *kaizen_log.titles])
    expect(entries_heading(page)).to_have_text("4 kaizens")
    new_entry = entry(page, NEW_TITLE)
    expect(new_entry).to_contain_text(NEW_BEFORE)
    expect(new_entry).to_contain_text(NEW_AFTER)
    expect(new_entry).to_contain_text(kaizen_log.theme_label)
    assert page.evaluate("window.vertaaMarker") == "still the same page"
    # Ready for the next one: an empty title with focus, and the other fields emptied.
    expect(title).to_have_value("")
    expect(title).to_be_focused()
    expect(before).to_have_value("")
    expect(after).to_have_value("")
    expect(form.get_by_role("alert")).to_have_count(0)


def test_the_log_kaizen_button_also_submits_with_space(page, kaizen_log):
    open_log(page, kaizen_log)
    page.evaluate("window.vertaaMarker = 'still the same page'")
    fill_entry(page, kaizen_log)
    quick_entry(page).get_by_role("button", name="Log kaizen").focus()
    page.keyboard.press("Space")

    expect(entry_titles(page).first).to_have_text(NEW_TITLE)
    expect(entries_heading(page)).to_have_text("4 kaizens")
    assert page.evaluate("window.vertaaMarker") == "still the same page"
    expect(quick_entry(page).get_by_label("Title")).to_be_focused()


# ---- 2. attachments ----------------------------------------------------------------------


def test_before_and_after_photos_side_by_side_a_pdf_as_a_link_and_the_upload_shown(
    page, kaizen_log
):
    open_log(page, kaizen_log)
    fill_entry(page, kaizen_log)
    open_attachments(page)
    form = quick_entry(page)
    form.get_by_label("Before photo", exact=True).set_input_files(
        {"name": "ennen.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    form.get_by_label("Description of the before photo").fill("Tulostin toisessa kerroksessa")
    form.get_by_label("After photo", exact=True).set_input_files(
        {"name": "jalkeen.png", "mimeType": "image/png", "buffer": png_bytes(colour=(200, 0, 0))}
    )
    form.get_by_label("Description of the after photo").fill("Tulostin palvelupisteellä")
    form.get_by_label("Another photo or document", exact=True).set_input_files(
        {"name": "ohje.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    # What the button says while the files go: every text it shows, and whether it is pressable.
    button = form.get_by_role("button", name="Log kaizen")
    button.evaluate(
        """button => {
            window.buttonStates = [];
            const note = () => window.buttonStates.push([button.textContent, button.disabled]);
            new MutationObserver(note)
                .observe(button, {childList: true, characterData: true, subtree: true});
        }"""
    )
    button.click()

    new_entry = entry(page, NEW_TITLE)
    expect(new_entry).to_be_visible()
    expect(entries_heading(page)).to_have_text("4 kaizens")
    states = page.evaluate("window.buttonStates")
    assert states[0][1] is True and re.fullmatch(r"Sending… \d+ %", states[0][0]), states
    assert ["Saving…", True] in states, states
    # Side by side, the before photo on the left, each named; the description is the alt text.
    before = new_entry.get_by_role("img", name="Tulostin toisessa kerroksessa")
    after = new_entry.get_by_role("img", name="Tulostin palvelupisteellä")
    image_loaded(page, before)
    image_loaded(page, after)
    assert before.evaluate("image => image.naturalWidth") == 64
    before_box, after_box = before.bounding_box(), after.bounding_box()
    assert before_box and after_box
    assert before_box["x"] + before_box["width"] <= after_box["x"]
    assert abs(before_box["y"] - after_box["y"]) < 2
    expect(new_entry.locator(".photo-before figcaption")).to_have_text("Before")
    expect(new_entry.locator(".photo-after figcaption")).to_have_text("After")

    pdf_link = new_entry.get_by_role("link", name="ohje.pdf")
    expect(pdf_link).to_be_visible()
    expect(pdf_link).to_have_attribute("href", re.compile(r"^/attachments/\d+$"))
    response = page.request.get(pdf_link.get_attribute("href"))
    assert response.ok
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")


def test_the_thumbnail_of_an_earlier_entry_loads(page, kaizen_log):
    open_log(page, kaizen_log)
    thumbnail = entry(page, kaizen_log.photo_entry_title).get_by_role("img", name="hylly.png")
    expect(thumbnail).to_be_visible()
    image_loaded(page, thumbnail)


# ---- 3. a refused file -------------------------------------------------------------------


def test_a_refused_file_is_named_and_the_typed_text_is_kept(page, kaizen_log):
    open_log(page, kaizen_log)
    page.evaluate("window.vertaaMarker = 'still the same page'")
    fill_entry(page, kaizen_log)
    open_attachments(page)
    form = quick_entry(page)
    form.get_by_label("Before photo", exact=True).set_input_files(
        {"name": "ohjelma.pdf", "mimeType": "application/pdf", "buffer": NOT_A_PDF}
    )
    form.get_by_role("button", name="Log kaizen").click()

    alert = form.get_by_role("alert")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text("“ohjelma.pdf” is not a JPG, PNG, WebP or PDF file.")
    # The file slots come back open, to pick another file at once.
    expect(form.get_by_label("Before photo", exact=True)).to_be_visible()
    expect(form.get_by_label("Title")).to_have_value(NEW_TITLE)
    expect(form.get_by_label("Before: what was the problem?")).to_have_value(NEW_BEFORE)
    expect(form.get_by_label("After: what changed?")).to_have_value(NEW_AFTER)
    expect(form.get_by_label("Theme")).to_have_value(re.compile(r"^\d+$"))
    assert form.get_by_label("Theme").evaluate("s => s.selectedOptions[0].label") == (
        kaizen_log.theme_label
    )
    expect(entries_heading(page)).to_have_text("3 kaizens")
    expect(entry(page, NEW_TITLE)).to_have_count(0)
    assert page.evaluate("window.vertaaMarker") == "still the same page"


# ---- 4. axe-core -------------------------------------------------------------------------


def test_axe_on_the_log_after_a_quick_entry_and_with_errors(page, kaizen_log):
    found = {}
    open_log(page, kaizen_log)
    image_loaded(page, entry(page, kaizen_log.photo_entry_title).get_by_role("img"))
    found["kaizen log with entries and a picture"] = axe_violations(page)

    page.evaluate("window.vertaaMarker = 'no reload'")
    fill_entry(page, kaizen_log)
    quick_entry(page).get_by_role("button", name="Log kaizen").click()
    expect(entry_titles(page).first).to_have_text(NEW_TITLE)
    expect(quick_entry(page).get_by_label("Title")).to_be_focused()
    found["kaizen log after an htmx quick entry"] = axe_violations(page)

    quick_entry(page).get_by_role("button", name="Log kaizen").click()
    expect(quick_entry(page).get_by_role("alert")).to_contain_text("The kaizen was not saved.")
    expect(quick_entry(page).get_by_label("Title")).to_have_attribute("aria-invalid", "true")
    found["quick entry with errors"] = axe_violations(page)

    assert page.evaluate("window.vertaaMarker") == "no reload"
    assert_none(found)


def test_axe_on_the_edit_delete_and_deleted_entries_pages(new_context, kaizen_log):
    found = {}
    page = new_context().new_page()
    open_log(page, kaizen_log)
    title = kaizen_log.photo_entry_title

    entry(page, title).get_by_role("link", name=f"Edit “{title}”").click()
    expect(page).to_have_url(re.compile(rf"/kaizen/{kaizen_log.photo_entry_id}/edit$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Edit kaizen")
    found["edit page"] = axe_violations(page)

    page.get_by_role("link", name="Kaizen log").click()
    entry(page, title).get_by_role("link", name=f"Delete “{title}”").click()
    expect(page).to_have_url(re.compile(rf"/kaizen/{kaizen_log.photo_entry_id}/delete$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Delete “{title}”?")
    found["delete confirmation page"] = axe_violations(page)

    page.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(f"Kaizen “{title}” deleted.")
    expect(entry(page, title)).to_have_count(0)

    supervisor_page = new_context().new_page()
    open_log(supervisor_page, kaizen_log, kaizen_log.supervisor)
    supervisor_page.get_by_role("link", name="Deleted entries").click()
    expect(supervisor_page).to_have_url(re.compile(rf"/teams/{kaizen_log.team_id}/kaizen/deleted$"))
    expect(supervisor_page.get_by_role("button", name=f"Restore “{title}”")).to_be_visible()
    found["deleted entries page"] = axe_violations(supervisor_page)
    assert_none(found)


# ---- 5. without JavaScript ---------------------------------------------------------------


@pytest.fixture
def page_without_javascript(new_context) -> Page:
    return new_context(java_script_enabled=False).new_page()


def test_without_javascript_logging_a_kaizen_is_a_plain_form(page_without_javascript, kaizen_log):
    page = page_without_javascript
    open_log(page, kaizen_log)
    fill_entry(page, kaizen_log)
    open_attachments(page)
    quick_entry(page).get_by_label("Before photo", exact=True).set_input_files(
        {"name": "tulostin.png", "mimeType": "image/png", "buffer": png_bytes()}
    )
    quick_entry(page).get_by_role("button", name="Log kaizen").click()

    expect(page.get_by_role("status")).to_have_text("Kaizen logged.")
    expect(page).to_have_url(re.compile(rf"/teams/{kaizen_log.team_id}/kaizen$"))
    expect(entry_titles(page)).to_have_text([NEW_TITLE, *kaizen_log.titles])
    expect(entries_heading(page)).to_have_text("4 kaizens")
    thumbnail = entry(page, NEW_TITLE).get_by_role("img", name="tulostin.png")
    expect(thumbnail).to_be_visible()
    response = page.request.get(thumbnail.get_attribute("src"))
    assert response.ok and response.headers["content-type"] == "image/webp"


def test_without_javascript_a_refused_file_keeps_the_typed_text(
    page_without_javascript, kaizen_log
):
    page = page_without_javascript
    open_log(page, kaizen_log)
    fill_entry(page, kaizen_log)
    open_attachments(page)
    form = quick_entry(page)
    form.get_by_label("Before photo", exact=True).set_input_files(
        {"name": "ohjelma.pdf", "mimeType": "application/pdf", "buffer": NOT_A_PDF}
    )
    form.get_by_role("button", name="Log kaizen").click()

    expect(form.get_by_role("alert")).to_contain_text(
        "“ohjelma.pdf” is not a JPG, PNG, WebP or PDF file."
    )
    expect(form.get_by_label("Before photo", exact=True)).to_be_visible()
    expect(form.get_by_label("Title")).to_have_value(NEW_TITLE)
    expect(form.get_by_label("Before: what was the problem?")).to_have_value(NEW_BEFORE)
    expect(form.get_by_label("After: what changed?")).to_have_value(NEW_AFTER)
    expect(entries_heading(page)).to_have_text("3 kaizens")
