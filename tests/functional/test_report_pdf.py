"""The funder report's PDF as a funder gets it: as few pages as the browser prints, labels that
read on one line, its title and period in the document's metadata and in the file's name; and
the A3 sheet's PDF, named after the sheet."""

from __future__ import annotations

import re
from io import BytesIO
from urllib.parse import unquote

import pytest
from pypdf import PdfReader
from pypdf.generic import BooleanObject

from lean.a3 import services as a3_services
from lean.core.extensions import db
from lean.seeds.demo import DEMO_LOGINS, DEMO_PASSWORD, seed_demo
from tests.functional.test_a3 import fill_sheet

# The autumn term up to the tests' Monday (16 November 2026), as the dashboard offers it.
TERM = "period=term"
PERIOD = "2026-08-01--2026-11-16"
# The browser prints the summary and one page per theme; the PDF may take one page more.
MAX_PAGES = 4
# The labels of a completed card's facts, all of which the demo's completed cards fill in.
LABELS = {
    "en": (
        "Problem",
        "Measured result",
        "Standard or decision",
        "Hours saved per month",
        "Money saved per year",
        "Quality or satisfaction",
    ),
    "fi": (
        "Ongelma",
        "Mitattu tulos",
        "Uusi käytäntö tai päätös",
        "Säästetyt tunnit kuukaudessa",
        "Rahallinen säästö vuodessa",
        "Laatu tai tyytyväisyys",
    ),
}


@pytest.fixture
def demo(app):
    """The demo network, as `make run` loads it."""
    seed_demo()
    db.session.commit()


def coordinator_in(app, language: str):
    """The demo coordinator, logged in, having chosen the language on the page."""
    client = app.test_client()
    response = client.post(
        "/login", data={"email": DEMO_LOGINS["coordinator"], "password": DEMO_PASSWORD}
    )
    assert response.status_code == 303
    client.post("/language", data={"language": language})
    return client


def saved_names(content_disposition: str) -> tuple[str, str]:
    """The plain file name and the one written with its own letters (RFC 6266's filename*)."""
    plain = re.search(r'filename="([^"]+)"', content_disposition)
    readable = re.search(r"filename\*=UTF-8''([^;\s]+)", content_disposition)
    assert plain and readable, content_disposition
    assert content_disposition.startswith("attachment;")
    return plain.group(1), unquote(readable.group(1))


def pdf_text(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_demo_terms_report_fits_a_few_pages_with_labels_on_one_line(app, demo):
    response = coordinator_in(app, "en").get(f"/dashboard/report.pdf?{TERM}")
    assert response.status_code == 200
    reader = PdfReader(BytesIO(response.data))
    assert len(reader.pages) <= MAX_PAGES

    lines = pdf_text(reader).splitlines()
    for label in LABELS["en"]:
        assert any(line.startswith(label) for line in lines), f"{label!r} is not on one line"

    # Tagged for screen readers (PDF/UA).
    catalog = reader.trailer["/Root"]
    assert catalog["/MarkInfo"]["/Marked"] == BooleanObject(True)
    assert "/StructTreeRoot" in catalog and catalog["/StructTreeRoot"]["/K"]
    # A funder's file list and the reader's title bar say which report and period it is.
    title = reader.metadata.title
    assert title.startswith("Improvement report · Järvilaakson koulutuskuntayhtymä")
    assert "1.8.2026 – 16.11.2026" in title
    assert reader.metadata.author == "Järvilaakson koulutuskuntayhtymä"
    assert "1.8.2026 – 16.11.2026" in reader.metadata.subject

    plain, readable = saved_names(response.headers["Content-Disposition"])
    # Named as the link reads: "Report (PDF)".
    assert plain == f"vertaa-report-jarvilaakson-koulutuskuntayhtyma-{PERIOD}.pdf"
    assert readable == f"vertaa-report-järvilaakson-koulutuskuntayhtymä-{PERIOD}.pdf"


def test_the_report_in_finnish_is_as_short_and_named_in_finnish(app, demo):
    response = coordinator_in(app, "fi").get(f"/dashboard/report.pdf?{TERM}")
    reader = PdfReader(BytesIO(response.data))
    assert len(reader.pages) <= MAX_PAGES
    lines = pdf_text(reader).splitlines()
    for label in LABELS["fi"]:
        assert any(line.startswith(label) for line in lines), f"{label!r} is not on one line"
    assert reader.trailer["/Root"]["/Lang"] == "fi"
    assert "1.8.2026 – 16.11.2026" in reader.metadata.title

    plain, readable = saved_names(response.headers["Content-Disposition"])
    assert plain == f"vertaa-raportti-jarvilaakson-koulutuskuntayhtyma-{PERIOD}.pdf"
    assert readable == f"vertaa-raportti-järvilaakson-koulutuskuntayhtymä-{PERIOD}.pdf"


def test_the_a3_pdf_is_named_after_its_sheet_and_date(world, login_as):
    member = world.users["member"]
    world.improvement.title = "Hakemusten käsittelyaika"
    sheet = fill_sheet(a3_services.start_a3(member, world.improvement), member)
    db.session.commit()
    revised_on = sheet.revised_at.date().isoformat()  # a Monday morning: the same day in Helsinki

    response = login_as("coordinator").get(f"/a3/{sheet.id}/print.pdf")
    plain, readable = saved_names(response.headers["Content-Disposition"])
    # Named as the link reads ("A3 sheet (PDF)"), with the team and the sheet's title.
    team = world.team.name.lower()
    assert plain == f"vertaa-a3-sheet-{team}-hakemusten-kasittelyaika-{revised_on}.pdf"
    assert readable == f"vertaa-a3-sheet-{team}-hakemusten-käsittelyaika-{revised_on}.pdf"


def test_a_long_title_is_cut_after_a_whole_word_in_the_file_name(world, login_as):
    member = world.users["member"]
    world.improvement.title = "Opiskelijapalvelujen " * 9 + "ajanvaraus"
    sheet = a3_services.start_a3(member, world.improvement)
    db.session.commit()

    response = login_as("coordinator").get(f"/a3/{sheet.id}/print.pdf")
    plain = re.search(r'filename="([^"]+)"', response.headers["Content-Disposition"])
    assert plain, response.headers["Content-Disposition"]
    # Within what every file system takes, and no word broken off in the middle.
    title_part = plain.group(1).removeprefix("vertaa-a3-sheet-opintotoimisto-").rsplit("-", 3)[0]
    assert len(title_part) <= 60
    assert set(title_part.split("-")) == {"opiskelijapalvelujen"}
    # The name is plain ASCII, so no second spelling is needed.
    assert "filename*" not in response.headers["Content-Disposition"]
