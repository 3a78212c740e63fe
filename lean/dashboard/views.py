"""The coordinator dashboard, its exports and the printable report: thin views over metrics."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from sqlalchemy import select

from lean.core.extensions import db
from lean.core.input_checks import id_from
from lean.dashboard import exports
from lean.dashboard.forms import DashboardFilterForm, preset_period
from lean.models import Organization, Team, Theme
from lean.models.base import utcnow
from lean.shared import charts, metrics, pieces, policy
from lean.shared.downloads import download_name
from lean.shared.labels import stage_label
from lean.shared.pdf import html_to_pdf, pdf_download
from lean.shared.spreadsheets import as_csv, as_xlsx, download
from lean.shared.web import name_in_language, render_page_or_partial

dashboard_blueprint = Blueprint("dashboard", __name__)

# The team table's sort keys: ?sort=<key>&order=desc
SORTS = {
    "team": lambda row: row.team.name.lower(),
    "idea": lambda row: row.stages["idea"],
    "plan": lambda row: row.stages["plan"],
    "do": lambda row: row.stages["do"],
    "check": lambda row: row.stages["check"],
    "act": lambda row: row.stages["act"],
    "blocked": lambda row: row.blocked,
    "overdue": lambda row: row.overdue,
    "completed": lambda row: row.completed,
    "kaizens": lambda row: row.kaizens,
    "standup": lambda row: (row.last_standup_at is not None, row.last_standup_at or utcnow()),
    "escalations": lambda row: row.open_escalations,
    "over_limit": lambda row: row.days_over_limit,
}


@dashboard_blueprint.before_request
@login_required
def require_login():
    """Every dashboard page is for logged-in users only."""


@dataclass
class Selection:
    """What a request asked to see, after the policy had its say."""

    form: DashboardFilterForm
    organization: Organization
    teams: list[metrics.TeamFacts]
    themes: dict[int, Theme]
    scope: metrics.Scope
    valid: bool

    def args(self, **extra) -> dict:
        """The filters as query parameters, for links and exports of the same view."""
        return {**filter_args(), **extra}


def filter_args() -> dict:
    keys = ("organization", "period", "date_from", "date_to", "theme")
    args: dict[str, str | list[str]] = {
        key: request.args[key] for key in keys if request.args.get(key)
    }
    if request.args.getlist("teams"):
        args["teams"] = request.args.getlist("teams")
    return args


def zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _select() -> Selection:
    """Parse the filters; the policy decides the organization and keeps only its own teams."""
    organization = policy.dashboard_organization(
        current_user, id_from(request.args.get("organization"))
    )
    organizations = (
        list(db.session.scalars(select(Organization).order_by(Organization.name)))
        if policy.can_read_every_organization(current_user)
        else None
    )
    themes = list(db.session.scalars(select(Theme).order_by(Theme.position, Theme.id)))
    theme_id = id_from(request.args.get("theme"))
    teams = metrics.organization_teams(
        organization.id, theme_id if theme_id in {t.id for t in themes} else None
    )
    form = DashboardFilterForm(
        [theme for theme in themes if not theme.retired or theme.id == theme_id],
        [facts.team for facts in teams],
        organizations,
        formdata=request.args,
    )
    if organizations:
        form.organization.data = organization.id
    valid = form.validate()
    now = utcnow()
    start, end = form.period_dates(now.astimezone(zone()).date())
    team_ids = policy.dashboard_team_ids([facts.team.id for facts in teams], form.teams.data or [])
    scope = metrics.Scope(
        team_ids=team_ids,
        start=start,
        end=end,
        zone=zone(),
        now=now,
        theme_id=form.theme.data if not form.theme.errors else None,
    )
    return Selection(form, organization, teams, {t.id: t for t in themes}, scope, valid)


def _sorted(rows: list[metrics.TeamRow]) -> tuple[list[metrics.TeamRow], str, bool]:
    sort = request.args.get("sort", "team")
    if sort not in SORTS:
        sort = "team"
    descending = request.args.get("order") == "desc"
    return sorted(rows, key=SORTS[sort], reverse=descending), sort, descending


def _charts(dashboard: metrics.Dashboard, themes: dict[int, Theme]) -> dict:
    shown_themes = [theme for theme in themes.values() if theme.id in dashboard.themes]
    stages = metrics.IN_PROGRESS
    wip = charts.stacked_rows(
        [
            (
                row.team.name,
                [(f"stage-{stage}", stage_label(stage), row.stages[stage]) for stage in stages],
            )
            for row in dashboard.teams
        ]
    )
    throughput = charts.grouped_columns(
        [
            (
                format_date(month, "LLL yyyy"),
                [
                    (
                        f"theme-{theme.id}",
                        name_in_language(theme),
                        dashboard.throughput.get(theme.id, [0] * len(dashboard.months))[index],
                    )
                    for theme in shown_themes
                ],
            )
            for index, month in enumerate(dashboard.months)
        ]
    )
    distribution = charts.grouped_columns(
        [
            (bin_label(bound, previous), [("cycle-bar", _("Completed cards"), cards)])
            for (bound, cards), previous in zip(
                dashboard.cycle_distribution,
                [0, *metrics.CYCLE_BINS],
                strict=True,
            )
        ]
    )
    split = charts.stacked_rows(
        [
            (
                label,
                [
                    (f"theme-{theme.id}", name_in_language(theme), dashboard.themes[theme.id][i])
                    for theme in shown_themes
                ],
            )
            for i, label in ((0, _("In progress")), (1, _("Completed")), (2, _("Kaizens")))
        ]
    )
    return {
        "wip": wip,
        "throughput": throughput,
        "distribution": distribution,
        "split": split,
        "shown_themes": shown_themes,
    }


def bin_label(bound: int | None, previous: int) -> str:
    if bound is None:
        return _("over %(days)d days", days=previous)
    return _("%(low)d–%(high)d days", low=previous + 1 if previous else 0, high=bound)


def _context(selection: Selection) -> dict:
    dashboard = metrics.dashboard(selection.scope, selection.teams)
    rows, sort, descending = _sorted(dashboard.teams)
    return {
        "selection": selection,
        "form": selection.form,
        "organization": selection.organization,
        "dashboard": dashboard,
        "figures": dashboard.figures,
        "team_rows": rows,
        "sort": sort,
        "dashboard_sort_url": dashboard_sort_url,
        "descending": descending,
        "themes": selection.themes,
        "charts": _charts(dashboard, selection.themes),
        "stage_label": stage_label,
        "in_progress_stages": metrics.IN_PROGRESS,
        "zone": zone(),
    }


@dashboard_blueprint.get("/dashboard")
def index():
    """Every team of the organization at a glance, following the filters in the address."""
    return _dashboard_page(_select())


def _dashboard_page(selection: Selection):
    return render_page_or_partial(
        "dashboard/index.html",
        "dashboard/_figures.html",
        status=200 if selection.valid else 422,
        open_escalations=metrics.open_escalations(selection.scope),
        **_context(selection),
    )


@dashboard_blueprint.get("/dashboard/teams.<any(csv, xlsx):file_format>")
def export_teams(file_format: str):
    """The team table, as filtered, as CSV or XLSX."""
    selection = _select()
    if not selection.valid:
        # A file of another period than the one asked for would mislead: show what to fix.
        return _dashboard_page(selection)
    rows, _sort, _descending = _sorted(metrics.dashboard(selection.scope, selection.teams).teams)
    headers, cells = exports.team_headers(), exports.team_rows(rows, zone())
    # The name of the file is the text of the link that downloads it.
    links = {"csv": _("Team table (CSV)"), "xlsx": _("Team table (XLSX)")}
    return _file(headers, cells, _("Teams"), links, selection, file_format)


@dashboard_blueprint.get("/dashboard/improvements.<any(csv, xlsx):file_format>")
def export_improvements(file_format: str):
    """The cards behind the figures: in progress now and completed in the period."""
    selection = _select()
    if not selection.valid:
        return _dashboard_page(selection)
    cards = metrics.improvement_list(selection.scope)
    headers = exports.improvement_headers()
    cells = exports.improvement_rows(cards, zone(), exports.owners_of(cards))
    links = {
        "csv": _("Improvements (CSV)"),
        "csv;": _("Improvements (CSV for Finnish Excel)"),
        "xlsx": _("Improvements (XLSX)"),
    }
    return _file(headers, cells, _("Improvements"), links, selection, file_format)


def _file(
    headers, cells, title: str, links: dict[str, str], selection: Selection, file_format: str
):
    """The table as a file named after its link, the organization (and theme) and the period."""
    if file_format == "xlsx":
        filename = _download_name(links["xlsx"], selection)
        return download(as_xlsx(title, headers, cells), filename, file_format)
    separator = ";" if request.args.get("separator") == "semicolon" else ","
    link = links.get("csv;", links["csv"]) if separator == ";" else links["csv"]
    filename = _download_name(link, selection, separator=separator)
    return download(as_csv(headers, cells, separator), filename, file_format)


def _download_name(link_text: str, selection: Selection, separator: str | None = None) -> str:
    """vertaa-raportti-järvilaakson-koulutuskuntayhtymä-2026-08-01--2026-11-20: the link's words
    in the reader's language, the organization, the theme when one is chosen, the period."""
    scope = selection.scope
    theme = selection.themes.get(scope.theme_id) if scope.theme_id else None
    subjects = [selection.organization.name, name_in_language(theme) if theme else ""]
    return download_name(
        link_text, *subjects, start=scope.start, end=scope.end, separator=separator
    )


def _report_html(selection: Selection) -> str:
    completed = metrics.improvement_list(selection.scope, completed_only=True)
    by_theme: dict[int, list[metrics.ListedCard]] = {}
    for card in completed:
        by_theme.setdefault(card.improvement.theme_id, []).append(card)
    context = _context(selection)
    report_themes = [
        theme
        for theme in selection.themes.values()
        if theme.id in by_theme or theme.id in context["dashboard"].themes
    ]
    return render_template(
        "dashboard/report.html",
        by_theme=by_theme,
        report_themes=report_themes,
        **context,
    )


@dashboard_blueprint.get("/dashboard/report")
def report():
    """The printable report for the funder: a summary, then one page per theme."""
    selection = _select()
    if not selection.valid:
        return _dashboard_page(selection)
    return _report_html(selection)


@dashboard_blueprint.get("/dashboard/report.pdf")
def report_pdf():
    """The same report as a PDF download, named after whose report it is and its period."""
    selection = _select()
    if not selection.valid:
        return _dashboard_page(selection)
    name = _download_name(_("Report (PDF)"), selection)
    return pdf_download(html_to_pdf(_report_html(selection)), name)


# ---- the team's key figures on its board (a piece, lean/shared/pieces.py) ----------------


@pieces.provides(dashboard_blueprint, "dashboard.team_figures")
def team_figures_piece(team: Team) -> Markup:
    """This term's key figures of a team for its board, to those the policy shows them to."""
    if not current_user.is_authenticated or not policy.can_see_team_figures(current_user, team):
        return Markup()
    now = utcnow()
    start, end = preset_period("term", now.astimezone(zone()).date())
    scope = metrics.Scope(team_ids=(team.id,), start=start, end=end, zone=zone(), now=now)
    return pieces.partial(
        "dashboard/_team_figures.html", team_figures=metrics.team_figures(team, scope)
    )


def dashboard_sort_url(key: str, sort: str, descending: bool) -> str:
    """The team table sorted by a column; the sorted column's link turns the order around."""
    order = "asc" if key == sort and descending else ("desc" if key == sort else "asc")
    return url_for("dashboard.index", **filter_args(), sort=key, order=order) + "#team-table"
