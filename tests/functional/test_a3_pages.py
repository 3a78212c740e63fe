"""The A3 print view on one page, its PDF, the A3 lists, query counts and the sharing read."""

from __future__ import annotations

import mimetypes
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import weasyprint
from pypdf import PdfReader
from weasyprint.urls import URLFetcher, URLFetcherResponse

from lean.a3 import services
from lean.a3.queries import a3_for_sharing
from lean.core.extensions import db
from lean.core.static import source_filename
from lean.models import A3Sheet
from lean.shared.pdf import BASE_URL
from tests.conftest import make_improvement, make_user, theme
from tests.functional.test_a3 import fill_sheet
from tests.functional.test_query_counts import BELL_QUERIES, MAX_QUERIES

HEADINGS = (
    "1. Background",
    "2. Current condition",
    "3. Goal / target condition",
    "4. Root-cause analysis",
    "5. Countermeasures",
    "6. Implementation plan",
    "7. Effect confirmation",
    "8. Follow-up",
)


class StaticFiles(URLFetcher):
    """Reads the print view's stylesheet from our static folder, as the PDF download does."""

    def __init__(self, static_folder: str):
        super().__init__()
        self.static_folder = Path(static_folder)

    def fetch(self, url, headers=None):
        path = source_filename(urlsplit(url).path.removeprefix("/static/"))
        file = self.static_folder / path
        mime_type = mimetypes.guess_type(file.name)[0]
        return URLFetcherResponse(url, file.read_bytes(), {"Content-Type": mime_type})


def rendered_pages(app, html: str):
    document = weasyprint.HTML(
        string=html, base_url=BASE_URL, url_fetcher=StaticFiles(app.static_folder)
    )
    return document.render().pages


def page_text(page) -> str:
    """All the text WeasyPrint laid out on one page."""
    texts = []

    def walk(box):
        if hasattr(box, "text"):
            texts.append(box.text)
        for child in getattr(box, "children", []):
            walk(child)

    walk(page._page_box)
    return " ".join(texts)


@pytest.fixture
def filled(world):
    sheet = services.start_a3(world.users["member"], world.improvement)
    return fill_sheet(sheet, world.users["member"], whys=5, actions=8, comments=3)


def test_a_well_filled_sheet_prints_on_one_a3_landscape_page(app, filled, login_as):
    response = login_as("member").get(f"/a3/{filled.id}/print")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    pages = rendered_pages(app, html)
    assert len(pages) == 1
    # A3 landscape: 420 mm × 297 mm, in CSS pixels (96 per inch).
    assert round(pages[0].width / 96 * 25.4) == 420
    assert round(pages[0].height / 96 * 25.4) == 297
    text = page_text(pages[0])
    for heading in HEADINGS:
        assert heading in text
    # The header and footer name the organization, the team and the revised date.
    assert "Järvilaakson koulutuskuntayhtymä" in text and "Opintotoimisto" in text
    assert "Revised" in text


def test_the_pdf_download_is_drawn_from_the_print_view(filled, login_as):
    response = login_as("coordinator").get(f"/a3/{filled.id}/print.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    assert "attachment" in response.headers["Content-Disposition"]
    # Tagged for screen readers (PDF/UA), with the page's language and title.
    catalog = PdfReader(BytesIO(response.data)).trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/StructTreeRoot"]["/K"]
    assert catalog["/Lang"] == "en"
    assert PdfReader(BytesIO(response.data)).metadata.title == f"A3: {filled.title} · Vertaa"


def test_the_team_and_organization_lists_filter_by_theme_stage_coach_and_progress(world, login_as):
    member = world.users["member"]
    coach = make_user(world.organization, name="Vilma Valmentaja")
    complete = fill_sheet(
        services.start_a3(
            member, make_improvement(world.team, member, title="Valmis A3", stage="act")
        ),
        member,
        actions=1,
    )
    services.toggle_item(member, complete, services.ITEM_KINDS["actions"], _first_action(complete))
    started = services.start_a3(
        member,
        make_improvement(
            world.team, member, title="Aloitettu A3", stage="plan", theme=theme("service_process")
        ),
    )
    services.update_section(
        member, started, "header", 1, {"title": "Aloitettu A3", "coach_id": coach.id}
    )
    elsewhere = services.start_a3(
        member,
        make_improvement(world.other_team, world.users["supervisor"], title="Toisen tiimin A3"),
    )
    assert elsewhere

    client = login_as("member")
    team_list = client.get(f"/teams/{world.team.id}/a3").get_data(as_text=True)
    assert "Valmis A3" in team_list and "Aloitettu A3" in team_list
    assert "Toisen tiimin A3" not in team_list
    assert "8 / 8" in team_list  # sections filled

    def listed(url):
        html = client.get(url).get_data(as_text=True)
        return {t for t in ("Valmis A3", "Aloitettu A3") if t in html}

    base = f"/teams/{world.team.id}/a3"
    assert listed(f"{base}?theme={theme('service_process').id}") == {"Aloitettu A3"}
    assert listed(f"{base}?stage=act") == {"Valmis A3"}
    assert listed(f"{base}?coach={coach.id}") == {"Aloitettu A3"}
    assert listed(f"{base}?progress=complete") == {"Valmis A3"}
    assert listed(f"{base}?progress=incomplete") == {"Aloitettu A3"}

    organization = login_as("coordinator").get("/a3").get_data(as_text=True)
    assert "Toisen tiimin A3" in organization and "Valmis A3" in organization
    assert login_as("member").get("/a3").status_code == 403


def _first_action(sheet):
    from sqlalchemy import select

    from lean.models import A3Action

    return db.session.scalar(select(A3Action).where(A3Action.sheet_id == sheet.id))


def test_the_sharing_read_gives_the_content_without_any_persons_name(world, app):
    member = world.users["member"]
    sheet = fill_sheet(services.start_a3(member, world.improvement), member)
    coach = make_user(world.organization, name="Valtteri Valmentaja")
    services.update_section(
        member, sheet, "header", 1, {"title": sheet.title, "coach_id": coach.id}
    )
    db.session.commit()
    with app.test_request_context(headers={"Accept-Language": "fi"}):
        shared = a3_for_sharing(world.improvement.id)
    assert shared["sections"][0]["heading"] == "Tausta"
    assert shared["background"].startswith("Opiskelijat odottavat")
    assert shared["whys"] == ["Koska syy 1", "Koska syy 2", "Koska syy 3"]
    assert shared["goal"]["baseline"] == "10.00" and shared["goal"]["target"] == "5.00"
    assert shared["actions"][0] == {
        "what": "Toimenpide 1",
        "due_on": shared["actions"][0]["due_on"],
        "done": False,
    }
    assert shared["effect"]["target_reached"] is True
    text = repr(shared)
    for person in (member.name, coach.name, member.email):
        assert person not in text
    assert a3_for_sharing(world.foreign_improvement.id) is None


# The user and their memberships, the sheet with its card, team and people, then one query
# per list (whys, causes, countermeasures, actions, comments) and the team's people. The card
# page's budget is the one every card page keeps (its A3 summary is one query of it).
QUERIES = {
    "sheet": 9 + BELL_QUERIES,
    "print": 9,
    "team_list": 5 + BELL_QUERIES,
    "organization_list": 5 + BELL_QUERIES,
    "card": MAX_QUERIES,
}


def count_queries(client, query_counter, url) -> int:
    client.get(url)  # warm what a running app has warm (templates)
    with query_counter() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.value


@pytest.mark.parametrize("page", ["sheet", "print", "team_list", "organization_list", "card"])
def test_a3_pages_run_a_fixed_number_of_queries(world, login_as, query_counter, page):
    member = world.users["member"]
    sheet = services.start_a3(member, world.improvement)
    sheet_id = sheet.id
    client = login_as("coordinator" if page == "organization_list" else "member")
    url = {
        "sheet": f"/improvements/{world.improvement.id}/a3",
        "print": f"/a3/{sheet_id}/print",
        "team_list": f"/teams/{world.team.id}/a3",
        "organization_list": "/a3",
        "card": f"/improvements/{world.improvement.id}",
    }[page]
    fill_sheet(db.session.get(A3Sheet, sheet_id), member, whys=1, actions=1, comments=1)
    small = count_queries(client, query_counter, url)
    fill_sheet(
        db.session.get(A3Sheet, sheet_id),
        world.users["supervisor"],
        whys=4,
        actions=20,
        comments=30,
    )
    for number in range(6):
        other = make_improvement(world.team, member, title=f"Kortti {number}")
        fill_sheet(services.start_a3(member, other), member, whys=2, actions=3, comments=2)
    large = count_queries(client, query_counter, url)
    assert small == large
    assert large <= QUERIES[page]
