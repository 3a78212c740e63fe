"""Photos and documents on a card as a person adds them: a photo added in place and said in the
live region, made the cover and seen on the board, a refused file named, a file removed, the
same without JavaScript; axe finds nothing after each change."""

from __future__ import annotations

import io
import json
import re
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Locator, Page, expect

from lean.core.extensions import db
from tests.browser.conftest import assert_none, axe_violations, card, log_in
from tests.browser.test_valid_html import VNU
from tests.functional.test_card_files import card_files, post_file

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
NOT_A_PDF = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48
DESCRIPTION = "Jonotusnumerolaite palvelupisteellä"


def png_bytes(size=(320, 240), colour=(0, 105, 92)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "PNG")
    return buffer.getvalue()


def files_section(page: Page) -> Locator:
    return page.locator("#card-files")


def live_region(page: Page) -> Locator:
    return page.locator("#messages")


def image_loaded(page: Page, image: Locator) -> None:
    image.scroll_into_view_if_needed()
    page.wait_for_function(
        "image => image.complete && image.naturalWidth > 0", arg=image.element_handle()
    )


def add_file(page: Page, name: str, mime: str, content: bytes, description: str = "") -> None:
    section = files_section(page)
    section.get_by_label("Photo or document").set_input_files(
        {"name": name, "mimeType": mime, "buffer": content}
    )
    if description:
        section.get_by_label("Short description").fill(description)
    section.get_by_role("button", name="Add the file").click()


def test_a_photo_added_on_the_card_becomes_the_cover_on_the_board(page, board):
    found = {}
    log_in(page, board.member.email)
    page.goto(f"/improvements/{board.card_id}")
    page.evaluate("window.vertaaMarker = 'still the same page'")
    expect(files_section(page)).to_contain_text("No photos or documents yet.")

    add_file(page, "jonotus.png", "image/png", png_bytes(), DESCRIPTION)
    photo = files_section(page).get_by_role("img", name=DESCRIPTION)
    expect(photo).to_be_visible()
    image_loaded(page, photo)
    expect(live_region(page)).to_have_text("“jonotus.png” added to the card.")
    # Ready for the next file, and the history tells of this one.
    expect(files_section(page).get_by_label("Photo or document")).to_be_focused()
    expect(files_section(page).get_by_label("Short description")).to_have_value("")
    expect(page.locator("#card-history")).to_contain_text("added the photo “jonotus.png”")
    assert page.evaluate("window.vertaaMarker") == "still the same page"
    found["card page after adding a photo"] = axe_violations(page)

    # By keyboard: the photo's "Use as cover" button.
    use = files_section(page).get_by_role("button", name="Use as cover")
    use.focus()
    page.keyboard.press("Enter")
    remove_cover = files_section(page).get_by_role("button", name="Remove cover")
    expect(remove_cover).to_be_focused()
    expect(live_region(page)).to_have_text("“jonotus.png” is now the card's cover on the board.")
    expect(files_section(page)).to_contain_text("Cover")
    expect(page.locator("#card-history")).to_contain_text(
        "made the photo “jonotus.png” the card's cover"
    )
    assert page.evaluate("window.vertaaMarker") == "still the same page"
    found["card page after choosing the cover"] = axe_violations(page)

    page.goto(f"/teams/{board.team_id}/board")
    cover = card(page, board.card_title).get_by_role("img", name=DESCRIPTION)
    expect(cover).to_be_visible()
    # Its size is fixed before it loads, so the card never jumps.
    expect(cover).to_have_attribute("width", "240")
    expect(cover).to_have_attribute("height", "72")
    height_before = cover.evaluate("image => image.getBoundingClientRect().height")
    image_loaded(page, cover)
    box = cover.bounding_box()
    assert box is not None and round(box["height"]) == round(height_before) == 72
    found["board with a cover"] = axe_violations(page)
    assert_none(found)


def test_a_refused_file_is_named_and_its_description_kept(page, board):
    log_in(page, board.member.email)
    page.goto(f"/improvements/{board.card_id}")
    add_file(page, "ohjelma.pdf", "application/pdf", NOT_A_PDF, "Ohje")
    alert = files_section(page).get_by_role("alert")
    expect(alert).to_contain_text("“ohjelma.pdf” is not a JPG, PNG, WebP or PDF file.")
    expect(alert).to_be_focused()
    expect(files_section(page).get_by_label("Short description")).to_have_value("Ohje")
    expect(files_section(page)).to_contain_text("No photos or documents yet.")
    assert_none({"card page with a refused file": axe_violations(page)})


def test_a_document_is_removed_after_asking(page, board):
    log_in(page, board.member.email)
    page.goto(f"/improvements/{board.card_id}")
    add_file(page, "ohje.pdf", "application/pdf", PDF)
    link = files_section(page).get_by_role("link", name="ohje.pdf")
    expect(link).to_have_attribute("href", re.compile(r"^/attachments/\d+$"))
    expect(files_section(page)).to_contain_text("PDF, 1 kB")
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.accept()))
    files_section(page).get_by_role("button", name="Remove").click()
    expect(files_section(page)).to_contain_text("No photos or documents yet.")
    assert asked == ["Remove “ohje.pdf” from the card?"]
    expect(live_region(page)).to_have_text("“ohje.pdf” removed from the card.")
    expect(page.get_by_role("heading", name=re.compile("^Photos and documents"))).to_be_focused()
    expect(page.locator("#card-history")).to_contain_text("removed the document “ohje.pdf”")
    assert_none({"card page after removing a file": axe_violations(page)})


def test_a_photos_description_is_given_later_by_keyboard(page, board):
    log_in(page, board.member.email)
    page.goto(f"/improvements/{board.card_id}")
    add_file(page, "jonotus.png", "image/png", png_bytes())
    expect(files_section(page).get_by_role("img", name="jonotus.png")).to_be_visible()
    summary = files_section(page).locator("summary", has_text="Edit the description")
    summary.focus()
    page.keyboard.press("Enter")
    field = files_section(page).get_by_label("Description of “jonotus.png”")
    expect(field).to_be_visible()
    page.keyboard.press("Tab")
    expect(field).to_be_focused()
    page.keyboard.type(DESCRIPTION)
    page.keyboard.press("Enter")
    expect(live_region(page)).to_have_text("The description of “jonotus.png” is saved.")
    expect(files_section(page).get_by_role("img", name=DESCRIPTION)).to_be_visible()
    expect(files_section(page).locator("summary", has_text="Edit the description")).to_be_focused()
    expect(page.locator("#card-history")).to_contain_text(f"described “jonotus.png”: {DESCRIPTION}")
    assert_none({"card page after describing a photo": axe_violations(page)})


def test_without_javascript_a_photo_is_added_and_made_the_cover(new_context, board):
    page = new_context(java_script_enabled=False).new_page()
    log_in(page, board.member.email)
    page.goto(f"/improvements/{board.card_id}")
    add_file(page, "jonotus.png", "image/png", png_bytes(), DESCRIPTION)
    expect(page).to_have_url(re.compile(rf"/improvements/{board.card_id}#card-files$"))
    expect(page.get_by_text("“jonotus.png” added to the card.")).to_be_visible()
    files_section(page).get_by_role("button", name="Use as cover").click()
    expect(page.get_by_text("“jonotus.png” is now the card's cover on the board.")).to_be_visible()
    page.goto(f"/teams/{board.team_id}/board")
    expect(card(page, board.card_title).get_by_role("img", name=DESCRIPTION)).to_be_visible()


def test_the_card_with_files_and_the_board_with_a_cover_are_valid_html(app, world, login, tmp_path):
    """The Nu HTML checker finds no error in the files' section, refused or not, nor on the
    board's card with a cover."""
    client = login(world.users["member"])
    improvement = world.improvement
    post_file(client, improvement, "kuva.png", png_bytes(), DESCRIPTION)
    post_file(client, improvement, "ohje.pdf", PDF, "Ohje")
    photo = card_files(db, improvement)[0]
    client.post(f"/attachments/{photo.id}/cover", data={"cover": "1"})
    refused = post_file(client, improvement, "x.pdf", NOT_A_PDF, "Kuvaus", {"HX-Request": "true"})
    pages = {
        "card": client.get(f"/improvements/{improvement.id}").data,
        "board": client.get(f"/teams/{world.team.id}/board").data,
        "refused": post_file(client, improvement, "x.pdf", NOT_A_PDF, "Kuvaus").data,
    }
    assert refused.status_code == 422
    files = []
    for name, body in pages.items():
        target = tmp_path / f"{name}.html"
        target.write_bytes(body)
        files.append(str(target))
    result = subprocess.run(
        ["java", "-jar", str(VNU), "--format", "json", "--exit-zero-always", *files],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
    )
    errors = [
        f"{Path(m['url']).name}:{m.get('lastLine')}: {m['message']}"
        for m in json.loads(result.stderr)["messages"]
        if m["type"] == "error"
    ]
    assert errors == [], "\n".join(errors)
