"""Every download is saved under the words of the link that was clicked, in the reader's
language, with whose it is (team, organization, sheet, person) and its period or day.

Each test reads the link's text on the page, follows the link and compares the saved name
with it: "Kehittämiskohteet (XLSX)" saves as vertaa-kehittämiskohteet-….xlsx. Both spellings of
the name are checked: RFC 6266's filename* with its own letters and the plain ASCII filename.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from html import unescape
from html.parser import HTMLParser
from urllib.parse import parse_qs, unquote, urlsplit

import pytest

from lean.a3 import services as a3_services
from lean.core.extensions import db
from lean.shared.downloads import file_name_part, link_words
from tests.conftest import make_kaizen
from tests.unit.test_metrics import NOW, History, seed_history

TERM_ARGS = "period=custom&date_from=2026-08-01&date_to=2026-11-20"
PERIOD = "2026-08-01--2026-11-20"


@pytest.fixture
def history(app, clock) -> History:
    """The dashboard's history of an autumn term, on the afternoon of its last day."""
    clock.move_to(NOW)
    return seed_history()


class _Links(HTMLParser):
    """(href, text) of every link of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self._open: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._open.append([dict(attrs).get("href") or "", ""])

    def handle_data(self, data):
        for link in self._open:
            link[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._open:
            href, text = self._open.pop()
            self.links.append((unescape(href), " ".join(text.split())))


def link_text(client, page: str, path: str, separator: str | None) -> tuple[str, str]:
    """The address and text of the page's link to `path` (with the CSV separator asked for)."""
    response = client.get(page)
    assert response.status_code == 200, page
    parser = _Links()
    parser.feed(response.get_data(as_text=True))
    found = [
        (href, text)
        for href, text in parser.links
        if urlsplit(href).path == path
        and parse_qs(urlsplit(href).query).get("separator") == ([separator] if separator else None)
    ]
    assert len(found) == 1, f"{len(found)} links to {path} on {page}"
    return found[0]


def saved_names(response) -> tuple[str, str]:
    """(plain ASCII name, name with its own letters) a browser saves the answer under."""
    assert response.status_code == 200
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="'), disposition
    plain = disposition.split('filename="', 1)[1].split('"', 1)[0]
    readable = plain
    if "filename*=UTF-8''" in disposition:
        readable = unquote(disposition.split("filename*=UTF-8''", 1)[1].split(";", 1)[0])
    assert plain.isascii()
    without_marks = unicodedata.normalize("NFKD", readable).encode("ascii", "ignore").decode()
    assert plain == without_marks, (plain, readable)
    return plain, readable


def downloaded_as(client, page: str, path: str, separator: str | None = None) -> tuple[str, str]:
    """(the link's text, the name its file is saved under), as a person sees both."""
    href, text = link_text(client, page, path, separator)
    _plain, readable = saved_names(client.get(href))
    # The link's words (before its "(XLSX)"), as they read on the page, begin the name.
    assert readable.startswith(f"vertaa-{file_name_part(link_words(text))}-"), (text, readable)
    return text, readable


# ---- the dashboard: its report and its tables ---------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "fi",
            {
                "Raportti (PDF)": f"vertaa-raportti-järvilaakson-koulutuskuntayhtymä-{PERIOD}.pdf",
                "Tiimitaulukko (CSV)": (
                    f"vertaa-tiimitaulukko-järvilaakson-koulutuskuntayhtymä-{PERIOD}.csv"
                ),
                "Tiimitaulukko (XLSX)": (
                    f"vertaa-tiimitaulukko-järvilaakson-koulutuskuntayhtymä-{PERIOD}.xlsx"
                ),
                "Kehittämiskohteet (CSV)": (
                    f"vertaa-kehittämiskohteet-järvilaakson-koulutuskuntayhtymä-{PERIOD}.csv"
                ),
                "Kehittämiskohteet (CSV suomalaiseen Exceliin)": (
                    f"vertaa-kehittämiskohteet-järvilaakson-koulutuskuntayhtymä-{PERIOD}-excel.csv"
                ),
                "Kehittämiskohteet (XLSX)": (
                    f"vertaa-kehittämiskohteet-järvilaakson-koulutuskuntayhtymä-{PERIOD}.xlsx"
                ),
            },
        ),
        (
            "sv",
            {
                "Rapport (PDF)": f"vertaa-rapport-järvilaakson-koulutuskuntayhtymä-{PERIOD}.pdf",
                "Teamtabell (CSV)": (
                    f"vertaa-teamtabell-järvilaakson-koulutuskuntayhtymä-{PERIOD}.csv"
                ),
                "Teamtabell (XLSX)": (
                    f"vertaa-teamtabell-järvilaakson-koulutuskuntayhtymä-{PERIOD}.xlsx"
                ),
                "Förbättringar (CSV)": (
                    f"vertaa-förbättringar-järvilaakson-koulutuskuntayhtymä-{PERIOD}.csv"
                ),
                "Förbättringar (CSV för finländsk Excel)": (
                    f"vertaa-förbättringar-järvilaakson-koulutuskuntayhtymä-{PERIOD}-excel.csv"
                ),
                "Förbättringar (XLSX)": (
                    f"vertaa-förbättringar-järvilaakson-koulutuskuntayhtymä-{PERIOD}.xlsx"
                ),
            },
        ),
    ],
)
def test_each_dashboard_download_is_named_as_its_link_reads(history, login, language, expected):
    history.coordinator.language = language
    db.session.commit()
    client = login(history.coordinator)
    dashboard = f"/dashboard?{TERM_ARGS}"
    names = {downloaded_as(client, dashboard, "/dashboard/improvements.csv", "semicolon")}
    names |= {
        downloaded_as(client, dashboard, path)
        for path in (
            "/dashboard/report.pdf",
            "/dashboard/teams.csv",
            "/dashboard/teams.xlsx",
            "/dashboard/improvements.csv",
            "/dashboard/improvements.xlsx",
        )
    }
    assert names == set(expected.items())


def test_the_report_pages_download_and_a_themes_report_name_the_theme(history, login):
    history.coordinator.language = "fi"
    db.session.commit()
    client = login(history.coordinator)
    text, name = downloaded_as(client, f"/dashboard/report?{TERM_ARGS}", "/dashboard/report.pdf")
    assert (text, name) == (
        "Raportti (PDF)",
        f"vertaa-raportti-järvilaakson-koulutuskuntayhtymä-{PERIOD}.pdf",
    )
    theme_id = history.cards["a1"].theme_id
    _text, name = downloaded_as(
        client, f"/dashboard?{TERM_ARGS}&theme={theme_id}", "/dashboard/improvements.xlsx"
    )
    theme = history.cards["a1"].theme
    assert name == (
        f"vertaa-kehittämiskohteet-järvilaakson-koulutuskuntayhtymä-"
        f"{file_name_part(theme.name_fi)}-{PERIOD}.xlsx"
    )


# ---- the kaizen log's exports -----------------------------------------------------------


def test_the_kaizen_logs_downloads_are_named_as_their_links_read(world, login_as):
    member = world.users["member"]
    member.language = "fi"
    make_kaizen(world.team, member, title="Hyllyt", done_on=date(2026, 3, 4))
    make_kaizen(world.team, member, title="Lomake", done_on=date(2026, 5, 5))
    make_kaizen(world.other_team, title="Toisen tiimin kaizen", done_on=date(2026, 6, 1))
    db.session.commit()
    client = login_as("member")
    log = f"/teams/{world.team.id}/kaizen"
    export = f"/teams/{world.team.id}/kaizen/export"
    names = {
        downloaded_as(client, log, f"{export}.csv"),
        downloaded_as(client, log, f"{export}.csv", "semicolon"),
        downloaded_as(client, log, f"{export}.xlsx"),
    }
    # Whose log, and the first and last day the file holds.
    assert names == {
        ("Kaizenit (CSV)", "vertaa-kaizenit-opintotoimisto-2026-03-04--2026-05-05.csv"),
        (
            "Kaizenit (CSV suomalaiseen Exceliin)",
            "vertaa-kaizenit-opintotoimisto-2026-03-04--2026-05-05-excel.csv",
        ),
        ("Kaizenit (XLSX)", "vertaa-kaizenit-opintotoimisto-2026-03-04--2026-05-05.xlsx"),
    }
    # A filtered log: the filter's dates are the file's period.
    _text, name = downloaded_as(
        client, f"{log}?date_from=2026-03-01&date_to=2026-03-31", f"{export}.xlsx"
    )
    assert name == "vertaa-kaizenit-opintotoimisto-2026-03-01--2026-03-31.xlsx"


def test_the_coordinators_whole_organization_file_is_named_as_its_link_reads(world, login_as):
    coordinator = world.users["coordinator"]
    coordinator.language = "sv"
    make_kaizen(world.team, title="Hyllyt", done_on=date(2026, 3, 4))
    make_kaizen(world.other_team, title="Lomake", done_on=date(2026, 5, 5))
    db.session.commit()
    client = login_as("coordinator")
    text, name = downloaded_as(client, f"/teams/{world.team.id}/kaizen", "/kaizen/export.xlsx")
    assert text == "Kaizen från alla team (XLSX)"
    assert name == (
        "vertaa-kaizen-från-alla-team-järvilaakson-koulutuskuntayhtymä-2026-03-04--2026-05-05.xlsx"
    )


# ---- the A3 sheet and one's own data ------------------------------------------------------


def test_the_a3_sheets_pdf_is_named_as_its_link_reads_with_team_title_and_day(world, login_as):
    member = world.users["member"]
    member.language = "fi"
    world.improvement.title = "Hakemusten käsittelyaika"
    sheet = a3_services.start_a3(member, world.improvement)
    db.session.commit()
    day = sheet.revised_at.date().isoformat()  # a Monday morning: the same day in Helsinki
    client = login_as("member")
    expected = f"vertaa-a3-lomake-opintotoimisto-hakemusten-käsittelyaika-{day}.pdf"
    for page in (f"/improvements/{world.improvement.id}/a3", f"/a3/{sheet.id}/print"):
        assert downloaded_as(client, page, f"/a3/{sheet.id}/print.pdf") == (
            "A3-lomake (PDF)",
            expected,
        )


@pytest.mark.parametrize(
    ("language", "text", "words"),
    [
        ("fi", "Omat tietosi (JSON)", "omat-tietosi"),
        ("sv", "Dina uppgifter (JSON)", "dina-uppgifter"),
        ("en", "Your data (JSON)", "your-data"),
    ],
)
def test_ones_own_data_is_named_as_its_link_reads_with_ones_name_and_the_day(
    world, login_as, language, text, words
):
    member = world.users["member"]
    member.language = language
    db.session.commit()
    person = file_name_part(member.name)
    assert downloaded_as(login_as("member"), "/profile", "/profile/data.json") == (
        text,
        f"vertaa-{words}-{person}-2026-11-16.json",
    )
