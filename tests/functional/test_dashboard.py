"""The dashboard as coordinators use it: figures, filters, sorting, exports, report, access."""

from __future__ import annotations

import csv
import io
import re
from io import BytesIO

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from lean.core.extensions import db
from tests.conftest import make_team, make_user, theme
from tests.functional.test_download_names import saved_names
from tests.functional.test_query_counts import BELL_QUERIES, BOARD_QUERIES
from tests.unit.test_metrics import NOW, History, seed_history

TERM_ARGS = "period=custom&date_from=2026-08-01&date_to=2026-11-20"


@pytest.fixture
def history(app, clock) -> History:
    """The metrics tests' history, looked at on the afternoon of NOW, as they compute it: ages,
    overdue cards and the stand-up rhythm are those of that Friday."""
    clock.move_to(NOW)
    return seed_history()


@pytest.fixture
def coordinator(history, login):
    return login(history.coordinator)


def figure(html: str, label: str) -> str:
    """The value shown next to a key figure's label."""
    match = re.search(rf"<dt>{re.escape(label)}</dt><dd>(?:<a [^>]*>)?([^<]*)", html)
    assert match, f"no key figure {label!r}"
    return match.group(1).strip()


def team_row(html: str, team: str) -> list[str]:
    """The cells of a team's row in the team table, as text."""
    table = html[html.index('class="table team-table"') :]
    row = re.search(
        rf"<tr>\s*<th scope=\"row\"><a [^>]*>{re.escape(team)}</a>(.*?)</tr>", table, re.S
    )
    assert row, f"no row for {team}"
    cells = re.findall(r"<td>(.*?)</td>", row.group(1), re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip() for cell in cells]


def test_key_figures_and_the_team_table(history, coordinator):
    response = coordinator.get(f"/dashboard?{TERM_ARGS}")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert figure(html, "In progress (Plan–Act)") == "3"
    assert figure(html, "Completed in the period") == "8"
    assert figure(html, "Median cycle time (Plan → Done)") == "30 days"
    assert figure(html, "Median lead time (created → Done)") == "31,5 days"
    assert figure(html, "Kaizens logged") == "3"
    assert figure(html, "Hours saved per month") == "12,5"
    assert figure(html, "Open escalations") == "2"
    # idea, plan, do, check, act, blocked, overdue, completed, kaizens, last stand-up, escalations
    assert team_row(html, "Opintotoimisto") == [
        "1", "0", "1", "1", "0", "1", "1", "4", "2", "16.11.2026", "1"
    ]  # fmt: skip
    # Team B meets on Mondays and Wednesdays; on Friday its last stand-up is the Monday before.
    assert team_row(html, "Rakennusala") == [
        "0", "1", "0", "0", "0", "0", "0", "2", "1", "9.11.2026 rhythm broken", "1"
    ]  # fmt: skip
    assert team_row(html, "Vanha tiimi")[7] == "2"
    assert 'Vanha tiimi</a> <span class="tag">archived</span>' in html
    assert f'href="/teams/{history.team_a.id}/board"' in html
    assert "Opiskelijapalvelut" not in html and "Vieras valmis" not in html


def test_charts_are_svg_with_titles_and_data_tables(history, coordinator):
    html = coordinator.get(f"/dashboard?{TERM_ARGS}").get_data(as_text=True)
    for title in (
        "Work in progress per team by stage",
        "Completed per month and theme",
        "Cycle time of the cards completed in the period",
        "Work in progress, completed work and kaizens by theme",
    ):
        assert re.search(
            rf'<svg class="chart" role="img"[^>]*>\s*<title id="[^"]+">{title}</title>', html
        )
    assert "<caption>Cards completed per month and theme</caption>" in html
    # The throughput table: August has the two completions of the archived team.
    assert re.search(r"<th scope=\"row\">Aug 2026</th><td>2</td><td>0</td><td>2</td>", html)
    assert "<script" not in html.split("</head>")[1]


def test_the_ageing_table_links_the_oldest_cards_first(history, coordinator):
    html = coordinator.get(f"/dashboard?{TERM_ARGS}").get_data(as_text=True)
    ageing = html[html.index('class="table ageing"') :]
    titles = re.findall(r'<a href="/improvements/\d+">([^<]+)</a>', ageing)
    assert titles[:3] == ["Takaisin tarkistukseen", "Varastointi", "Myöhässä"]
    assert ageing.count("over the limit") == 2


def test_the_team_table_sorts_by_any_column(history, coordinator):
    html = coordinator.get(f"/dashboard?{TERM_ARGS}&sort=completed&order=desc").get_data(
        as_text=True
    )
    table = html[html.index('class="table team-table"') :]
    names = re.findall(r'<th scope="row"><a href="/teams/\d+/board">([^<]+)</a>', table)
    assert names == ["Opintotoimisto", "Rakennusala", "Vanha tiimi"]
    assert 'aria-sort="descending"' in table
    # The sorted column's link turns the order around and keeps the filters.
    assert "sort=completed&amp;order=asc" in table and "date_from=2026-08-01" in table

    ascending = coordinator.get(f"/dashboard?{TERM_ARGS}&sort=kaizens").get_data(as_text=True)
    table = ascending[ascending.index('class="table team-table"') :]
    names = re.findall(r'<th scope="row"><a href="/teams/\d+/board">([^<]+)</a>', table)
    assert names == ["Vanha tiimi", "Rakennusala", "Opintotoimisto"]


def test_theme_and_team_filters(history, coordinator):
    sp = theme("service_process").id
    html = coordinator.get(f"/dashboard?{TERM_ARGS}&theme={sp}").get_data(as_text=True)
    assert figure(html, "Completed in the period") == "2"
    assert figure(html, "Open escalations") == "1"

    html = coordinator.get(f"/dashboard?{TERM_ARGS}&teams={history.team_b.id}").get_data(
        as_text=True
    )
    assert figure(html, "Completed in the period") == "2"
    assert figure(html, "Median lead time (created → Done)") == "55 days"
    assert "1 team" in html
    # The chosen team stays ticked, so the filter form shows what the figures cover.
    assert re.search(
        rf'checked[^>]*value="{history.team_b.id}"|value="{history.team_b.id}"[^>]*checked', html
    )


def test_another_organization_s_team_in_the_filter_gives_nothing_of_it(history, coordinator):
    foreign = history.foreign_team.id
    response = coordinator.get(f"/dashboard?{TERM_ARGS}&teams={foreign}")
    assert response.status_code == 422  # not a team one may choose
    html = response.get_data(as_text=True)
    assert "Some filters could not be used." in html
    assert "The figures show this term instead." not in html
    assert "Opiskelijapalvelut" not in html and "Vieras" not in html
    # Only the organization's own teams are counted (all of them, as nothing valid was chosen).
    assert figure(html, "Completed in the period") == "8"
    assert figure(html, "Hours saved per month") == "12,5"
    mixed = coordinator.get(f"/dashboard?{TERM_ARGS}&teams={foreign}&teams={history.team_b.id}")
    assert figure(mixed.get_data(as_text=True), "Completed in the period") == "2"
    export = coordinator.get(f"/dashboard/improvements.csv?{TERM_ARGS}&teams={foreign}")
    assert "Vieras" not in export.get_data(as_text=True)


def test_a_coordinator_cannot_choose_another_organization(history, coordinator):
    other = history.foreign_team.organization_id
    html = coordinator.get(f"/dashboard?organization={other}&{TERM_ARGS}").get_data(as_text=True)
    assert "Järvilaakson koulutuskuntayhtymä" in html
    assert "Opiskelijapalvelut" not in html


def test_admins_choose_the_organization(history, login):
    admin = make_user(history.organization, is_admin=True)
    client = login(admin)
    other = history.foreign_team.organization_id
    html = client.get(f"/dashboard?organization={other}&{TERM_ARGS}").get_data(as_text=True)
    assert "Opiskelijapalvelut" in html and "Opintotoimisto" not in html
    assert figure(html, "Completed in the period") == "1"
    assert client.get("/dashboard?organization=999999").status_code == 404


@pytest.mark.parametrize("role", ["member", "supervisor"])
def test_members_and_supervisors_may_not_see_the_dashboard(world, login_as, role):
    client = login_as(role)
    for url in ("/dashboard", "/dashboard/teams.csv", "/dashboard/report", "/dashboard/report.pdf"):
        assert client.get(url).status_code == 403
    assert "/dashboard" not in client.get(f"/teams/{world.team.id}/board").get_data(as_text=True)


@pytest.mark.parametrize(
    ("args", "field", "message"),
    [
        (
            "period=custom&date_from=2026-10-31&date_to=2026-10-01",
            "To",
            "The last day comes before the first.",
        ),
        ("period=custom&date_to=2026-10-01", "From", "Give the first day."),
        ("period=custom&date_from=2010-01-01&date_to=2026-10-01", "To", "at most five years"),
    ],
)
def test_a_wrong_period_answers_422_and_keeps_what_was_typed(
    history, coordinator, args, field, message
):
    response = coordinator.get(f"/dashboard?{args}")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'value="2026-10-01"' in html
    assert "The figures show this term instead." in html


def test_htmx_gets_only_the_figures(history, coordinator):
    response = coordinator.get(f"/dashboard?{TERM_ARGS}", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="dashboard-figures"')
    assert "<html" not in html and "dashboard-filters" not in html


def test_team_table_exports(history, coordinator):
    response = coordinator.get(f"/dashboard/teams.csv?{TERM_ARGS}")
    # Named as its link reads ("Team table (CSV)"), whose and which period.
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="vertaa-team-table-jarvilaakson-koulutuskuntayhtyma-'
        '2026-08-01--2026-11-20.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert rows[0][:3] == ["Team", "Archived", "Idea"]
    assert rows[1] == [
        "Opintotoimisto",
        "",
        "1",
        "0",
        "1",
        "1",
        "0",
        "1",
        "1",
        "4",
        "2",
        "2026-11-16",
        "1",
    ]
    assert rows[3][:2] == ["Vanha tiimi", "Yes"]

    workbook = load_workbook(io.BytesIO(coordinator.get(f"/dashboard/teams.xlsx?{TERM_ARGS}").data))
    sheet = workbook.active
    assert [cell.value for cell in sheet[2]][:3] == ["Opintotoimisto", None, 1]


def test_improvement_exports(history, coordinator):
    response = coordinator.get(f"/dashboard/improvements.csv?{TERM_ARGS}&separator=semicolon")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")), delimiter=";"))
    by_title = {row[2]: row for row in rows[1:]}
    assert len(by_title) == 11
    back_and_forth = by_title["Palautelomake"]
    assert back_and_forth[12:16] == ["2026-10-12", "61,0", "63,0", "2,5"]
    assert by_title["Arkistoitu valmis"][5] == "Yes"  # archived after Done, still listed

    workbook = load_workbook(
        io.BytesIO(coordinator.get(f"/dashboard/improvements.xlsx?{TERM_ARGS}").data)
    )
    titles = [row[2] for row in workbook.active.iter_rows(min_row=2, values_only=True)]
    assert sorted(titles) == sorted(by_title)


def test_the_improvements_workbook_is_ready_to_read(history, coordinator):
    card = history.cards["a1"]
    card.blocked, card.blocked_reason = True, "Odottaa tietohallintoa"
    card.owner_id = history.coordinator.id
    db.session.commit()
    response = coordinator.get(f"/dashboard/improvements.xlsx?{TERM_ARGS}")
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="vertaa-improvements-jarvilaakson-koulutuskuntayhtyma-'
        '2026-08-01--2026-11-20.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.data)).active
    headers = [cell.value for cell in sheet[1]]
    assert headers[0] == "Card" and headers[-1] == "Link"
    assert {"Owner", "Reason for the block"} <= set(headers)
    assert all(cell.font.bold for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == sheet.dimensions
    row = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == card.id)
    cells = dict(zip(headers, row, strict=True))
    assert cells["Owner"].value == history.coordinator.name
    assert cells["Reason for the block"].value == "Odottaa tietohallintoa"
    assert cells["Link"].value == f"http://localhost/improvements/{card.id}"
    assert cells["Link"].hyperlink.target == cells["Link"].value
    assert cells["Card"].data_type == "n"
    assert cells["Created"].is_date and cells["Created"].number_format == "yyyy-mm-dd"
    # Wide enough for what they hold: no "####" for a date, the whole link readable.
    widths = {h: sheet.column_dimensions[c.column_letter].width for h, c in cells.items()}
    assert widths["Created"] >= 10 and widths["Link"] >= len(cells["Link"].value)
    assert widths["Card"] < widths["Title"]


def test_the_improvement_links_use_the_configured_address(app, history, coordinator):
    app.config["BASE_URL"] = "https://vertaa.example.fi"
    sheet = load_workbook(
        io.BytesIO(coordinator.get(f"/dashboard/improvements.xlsx?{TERM_ARGS}").data)
    ).active
    links = [row[-1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert links and all(
        link.startswith("https://vertaa.example.fi/improvements/") for link in links
    )


@pytest.mark.parametrize(
    ("language", "name"),
    [
        ("fi", "vertaa-kehittämiskohteet"),
        ("sv", "vertaa-förbättringar"),
        ("en", "vertaa-improvements"),
    ],
)
def test_download_names_say_what_whose_and_which_period(history, login, language, name):
    history.coordinator.language = language
    db.session.commit()
    client = login(history.coordinator)
    names = {
        saved_names(client.get(f"/dashboard/improvements.{ending}"))[1]
        for ending in (
            f"csv?{TERM_ARGS}",
            f"csv?{TERM_ARGS}&separator=semicolon",
            f"xlsx?{TERM_ARGS}",
        )
    }
    whose_and_when = "järvilaakson-koulutuskuntayhtymä-2026-08-01--2026-11-20"
    assert names == {
        f"{name}-{whose_and_when}.csv",
        f"{name}-{whose_and_when}-excel.csv",
        f"{name}-{whose_and_when}.xlsx",
    }


def test_the_printable_report_has_a_page_per_theme(history, coordinator):
    a1 = history.cards["a1"]
    a1.measured_result = "Käsittelyaika 10 päivästä 3 päivään"
    from lean.core.extensions import db

    db.session.commit()
    html = coordinator.get(f"/dashboard/report?{TERM_ARGS}").get_data(as_text=True)
    assert html.count('class="report-theme"') == 2
    assert "Käsittelyaika 10 päivästä 3 päivään" in html
    assert "/static/css/dashboard-print." in html
    assert "Vieras valmis" not in html

    pdf = coordinator.get(f"/dashboard/report.pdf?{TERM_ARGS}")
    assert pdf.status_code == 200
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.data.startswith(b"%PDF-")
    # Tagged for screen readers (PDF/UA), with the page's language and title.
    reader = PdfReader(BytesIO(pdf.data))
    catalog = reader.trailer["/Root"]
    assert "/StructTreeRoot" in catalog and catalog["/StructTreeRoot"]["/K"]
    assert catalog["/Lang"] == "en"
    assert reader.metadata.title.startswith("Improvement report · Järvilaakson")


def test_numbers_and_dates_follow_the_language(history, login):
    history.coordinator.language = "fi"
    from lean.core.extensions import db

    db.session.commit()
    html = login(history.coordinator).get(f"/dashboard?{TERM_ARGS}").get_data(as_text=True)
    assert figure(html, "Säästetyt tunnit kuukaudessa") == "12,5"
    assert figure(html, "Kokonaisajan mediaani (luotu → Valmis)") == "31,5 päivää"
    assert "1.8.2026" in html

    history.coordinator.language = "sv"
    db.session.commit()
    html = login(history.coordinator).get(f"/dashboard?{TERM_ARGS}").get_data(as_text=True)
    assert figure(html, "Sparade timmar per månad") == "12,5"
    assert figure(html, "Median för ledtid (skapad → Klar)") == "31,5 dagar"
    assert "1.8.2026" in html


# ---- the team's key figures on its board ----------------------------------------------------


def test_members_see_their_team_s_key_figures_on_the_board(history, login):
    member = make_user(history.organization, {history.team_a: "member"})
    html = login(member).get(f"/teams/{history.team_a.id}/board").get_data(as_text=True)
    assert "Key figures of the team this term" in html
    section = html[html.index('class="team-figures"') :]
    assert "<dt>Blocked</dt><dd>1</dd>" in section
    assert "<dt>Open escalations</dt><dd>1</dd>" in section

    outsider = make_user(history.organization, {history.team_b: "member"})
    html = login(outsider).get(f"/teams/{history.team_a.id}/board").get_data(as_text=True)
    assert "Key figures of the team this term" not in html


def test_the_key_figures_show_on_the_board_within_its_query_budget(history, login, query_counter):
    """The team's own member sees them; a member of another team reads the board without."""
    url = f"/teams/{history.team_a.id}/board"
    for who, team in (("own", history.team_a), ("other", history.team_b)):
        client = login(make_user(history.organization, {team: "member"}))
        client.get(url)
        with query_counter() as counter:
            html = client.get(url).get_data(as_text=True)
        assert ("team-figures" in html) == (who == "own")
        assert counter.value <= BOARD_QUERIES


# ---- a fixed number of queries ---------------------------------------------------------------


def fill_organization(organization, teams: int, first: int = 0):
    from tests.unit.test_metrics import at, seeded_card

    author = make_user(organization)
    for number in range(first, first + teams):
        team = make_team(organization, name=f"Tiimi {number:03d}", standup_weekdays="1")
        seeded_card(
            team,
            author,
            f"Valmis {number}",
            [("idea", at("2026-09-01")), ("plan", at("2026-09-02")), ("done", at("2026-10-02"))],
        )
        seeded_card(
            team, author, f"Kesken {number}", [("idea", at("2026-09-01")), ("do", at("2026-09-03"))]
        )


@pytest.mark.parametrize(
    "url",
    ["/dashboard", "/dashboard/teams.csv", "/dashboard/improvements.xlsx", "/dashboard/report"],
)
def test_the_dashboard_runs_a_fixed_number_of_queries(world, login, query_counter, url):
    coordinator = world.users["coordinator"]
    client = login(coordinator)

    def count() -> int:
        client.get(f"{url}?{TERM_ARGS}")
        with query_counter() as counter:
            assert client.get(f"{url}?{TERM_ARGS}").status_code == 200
        return counter.value

    fill_organization(world.organization, 1)  # 3 teams with the world's two
    small = count()
    fill_organization(world.organization, 57, first=1)  # 60 teams
    large = count()
    assert small == large
    # The page also reads the open escalations and the organization's network notices; the
    # figures include the days over a work-in-progress limit (one statement for all teams).
    assert (
        large
        == {
            "/dashboard": 11 + BELL_QUERIES,
            "/dashboard/teams.csv": 9,
            "/dashboard/improvements.xlsx": 5,  # the cards, then their owners' names in one query
            "/dashboard/report": 10,
        }[url]
    )


def test_open_escalations_wait_on_the_dashboard_with_their_age(history, coordinator):
    html = coordinator.get(f"/dashboard?{TERM_ARGS}").get_data(as_text=True)
    waiting = html[html.index("Questions waiting for an answer") :]
    waiting = waiting[: waiting.index("</section>")]
    assert waiting.index("Kuka päättää?") < waiting.index("Budjetti?")  # oldest first
    assert "Saako?" not in waiting and "Vieras?" not in waiting  # answered; another organization
    # Asked on Monday 16 November at noon UTC, four days before NOW.
    assert re.search(r"Kuka päättää\?</td>\s*<td>[^<]*</td>\s*<td>(<span[^>]*>)?4 days", waiting)
    assert 'href="/escalations"' in waiting
