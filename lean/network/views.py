"""Network pages: parse the request, ask the policy, call one service, render."""

from __future__ import annotations

import hashlib
import json
from typing import cast

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from lean.core import fragments
from lean.core.extensions import db
from lean.core.i18n import current_language
from lean.core.input_checks import id_from, version_from
from lean.models import (
    FocusArea,
    Improvement,
    KaizenEntry,
    Organization,
    PracticeComment,
    Team,
    Theme,
)
from lean.network import queries, services, snapshot
from lean.network.forms import (
    AdoptForm,
    AnswerForm,
    CommentForm,
    LibraryFilterForm,
    NameSharingForm,
    NetworkSettingsForm,
    PublishForm,
    kind_label,
)
from lean.shared import charts, pieces, policy
from lean.shared.conflicts import EditConflict
from lean.shared.labels import stage_label
from lean.shared.lookups import active_themes
from lean.shared.web import is_safe_next, page_count, requested_page

network_blueprint = Blueprint("network", __name__, url_prefix="/network")


@network_blueprint.before_request
@login_required
def require_login():
    """Every network page is for logged-in users only."""


# ---- the network's pieces of other areas' pages (lean/shared/pieces.py) -------------------


def _unread_notices() -> queries.Notices:
    """The latest unread notices of the reader's organization, in one query."""
    return queries.notices_for_organization(
        policy.notices_scope(current_user), unread_only=True, limit=5
    )


@pieces.provides(network_blueprint, "network.board_notices")
def board_notices_piece() -> Markup:
    """On a team's board: the organization's unread notices, folded; nothing when none. Read
    on every page, their markup is kept by the worker under the notices it shows."""
    notices = _unread_notices()
    shows = fragments.key("network.board_notices", notices, current_language(), request.path)
    return fragments.rendered_piece(
        shows, lambda: render_template("network/_board_notices.html", notices=notices)
    )


@pieces.provides(network_blueprint, "network.notices")
def notices_piece() -> Markup:
    """On the dashboard: the organization's unread notices, or that there are none."""
    return pieces.partial("network/_notices.html", notices=_unread_notices())


@pieces.provides(network_blueprint, "network.card_links")
def card_links_piece(improvement: Improvement) -> Markup:
    """On a card's page: where an adopted card came from, what was published from it, and the
    publish link for those who may (one query)."""
    return pieces.partial(
        "network/_card_network.html",
        improvement=improvement,
        network=queries.card_network_links(improvement),
        can_publish=policy.can_publish_improvement(current_user, improvement),
    )


@pieces.provides(network_blueprint, "network.kaizen_publish")
def kaizen_publish_piece(entry: KaizenEntry, team: Team) -> Markup:
    """On a kaizen of the log: its publish link, for those who may publish from the team."""
    return pieces.partial(
        "network/_kaizen_publish.html",
        entry=entry,
        can_publish=policy.can_publish_from_team(current_user, team),
    )


@pieces.provides(network_blueprint, "network.settings_form")
def settings_form_piece(organization: Organization) -> Markup:
    """On the administration's organization page: the organization's network settings."""
    return pieces.partial(
        "network/_settings_form.html",
        organization=organization,
        network_form=NetworkSettingsForm(obj=organization, formdata=None),
    )


@pieces.provides(network_blueprint, "network.name_sharing")
def name_sharing_piece() -> Markup:
    """On the profile page: one's own choice whether other organizations see one's name."""
    return pieces.partial("network/_name_sharing.html")


# ---- the library ---------------------------------------------------------------------------


@network_blueprint.get("")
def library():
    """Every organization's published practices: filters, full-text search, three orderings."""
    themes = active_themes()
    organizations = queries.publishing_organizations()
    form = LibraryFilterForm(themes, organizations, formdata=request.args)
    form.validate()
    valid = lambda field: field.data if not field.errors else None  # noqa: E731
    filters = queries.LibraryFilters(
        text=valid(form.q) or "",
        theme_id=valid(form.theme),
        focus_area_id=valid(form.focus_area),
        organization_id=valid(form.organization),
        kind=valid(form.kind) or None,
        order=valid(form.order) or "newest",
    )
    size = current_app.config.get("NETWORK_PAGE_SIZE", 20)
    rows, total = queries.library_page(filters, requested_page(), size)
    pages = page_count(total, size)
    return render_template(
        "network/library.html",
        form=form,
        filters=filters,
        rows=rows,
        total=total,
        page=min(requested_page(), pages),
        pages=pages,
        can_manage_settings=policy.can_manage_network_settings(current_user),
        practice_kind_label=kind_label,
    )


# ---- one practice --------------------------------------------------------------------------


def _publisher_label(practice) -> str:
    publisher = practice.published_by
    return queries.display_name(
        publisher.name,
        publisher.show_name_to_network,
        practice.organization.name,
        practice.organization_id == current_user.organization_id,
    )


def _render_practice(practice, status=200, comment_form=None, answer_form=None, adopt_form=None):
    own_practices = queries.own_practices_for_similar(current_user, practice)
    teams = (
        policy.adopting_teams(current_user)
        if policy.can_adopt_practice(current_user, practice)
        else []
    )
    return render_template(
        "network/practice.html",
        practice=practice,
        publisher_label=_publisher_label(practice),
        lineage=queries.lineage(practice),
        comments=queries.comments_of(practice, current_user),
        adoptions=queries.adoptions_of(practice, current_user),
        comment_form=comment_form or CommentForm(own_practices, formdata=None),
        answer_form=answer_form,
        adopt_form=adopt_form or (AdoptForm(teams, formdata=None) if teams else None),
        can_comment=policy.can_comment_on_practice(current_user, practice),
        can_adopt=policy.can_adopt_practice(current_user, practice),
        can_manage=policy.can_manage_practice(current_user, practice),
        stage_label=stage_label,
        practice_kind_label=kind_label,
    ), status


@network_blueprint.get("/practices/<int:practice_id>")
def practice(practice_id: int):
    """A practice as every organization sees it, with its comments, adoptions and lineage."""
    return _render_practice(policy.practice_for_read(current_user, practice_id))


@network_blueprint.post("/practices/<int:practice_id>/comments")
def comment(practice_id: int):
    """Comment, ask, say "we tried something similar", or answer a comment."""
    practice = policy.practice_for_comment(current_user, practice_id)
    answer_to = None
    if request.form.get("answer_to"):
        form = AnswerForm()
        answer_to = db.session.get(PracticeComment, id_from(request.form.get("answer_to")) or 0)
        if answer_to is None or answer_to.practice_id != practice.id or answer_to.parent_id:
            form.answer_to.errors = [_("Answer one of this practice's comments.")]
            return _render_practice(practice, 422, answer_form=form)
        if not form.validate():
            return _render_practice(practice, 422, answer_form=form)
        similar = None
    else:
        own = queries.own_practices_for_similar(current_user, practice)
        form = CommentForm(own)
        if not form.validate():
            return _render_practice(practice, 422, comment_form=form)
        similar = policy.similar_practice_for_comment(
            current_user, practice, form.similar_practice_id.data
        )
    services.comment_on_practice(
        current_user, practice, cast(str, form.body.data), answer_to=answer_to, similar=similar
    )
    flash(_("Comment published."), "success")
    return redirect(url_for("network.practice", practice_id=practice.id) + "#comments", 303)


@network_blueprint.post("/practices/<int:practice_id>/adopt")
def adopt(practice_id: int):
    """Adopt a practice: a new card in Plan on one of the user's teams, linked to it."""
    practice = policy.practice_for_adoption(current_user, practice_id)
    teams = policy.adopting_teams(current_user)
    form = AdoptForm(teams)
    team = policy.team_for_adoption(current_user, form.team_id.data) if form.validate() else None
    if team is None:
        if not form.team_id.errors:
            form.team_id.errors = [_("Choose one of your teams.")]
        return _render_practice(practice, 422, adopt_form=form)
    try:
        improvement = services.adopt_practice(current_user, practice, team)
    except services.AlreadyAdopted:
        form.team_id.errors = [_("This team has already adopted this practice.")]
        return _render_practice(practice, 422, adopt_form=form)
    flash(_("Practice adopted: a new card waits in Plan on %(team)s's board.", team=team.name))
    return redirect(url_for("boards.detail", improvement_id=improvement.id), 303)


@network_blueprint.post("/practices/<int:practice_id>/withdraw")
def withdraw(practice_id: int):
    """Take a practice out of the library; adopters keep their cards."""
    practice = policy.practice_for_management(current_user, practice_id)
    services.withdraw_practice(current_user, practice)
    flash(_("Practice withdrawn. Other organizations no longer see it."), "success")
    return redirect(url_for("network.practice", practice_id=practice.id), 303)


# ---- publishing: form, preview, publish ------------------------------------------------------


def _digest(form: PublishForm) -> str:
    """What the preview showed, so that publishing publishes exactly that."""
    values = [form[name].data for name in ("title", "summary", "learnings", "theme_id")]
    values += [form[name].data for name in ("focus_area_id", "share_approach", "share_result")]
    values += [form.share_impact.data, form.share_a3.data]
    return hashlib.sha256(json.dumps(values, default=str).encode()).hexdigest()


def _text_from(form: PublishForm, a3_available: bool) -> services.PracticeText:
    return services.PracticeText(
        title=cast(str, form.title.data),
        summary=cast(str, form.summary.data),
        learnings=form.learnings.data or "",
        theme=cast(Theme, db.session.get(Theme, form.theme_id.data)),  # one of the choices
        focus_area=db.session.get(FocusArea, form.focus_area_id.data)
        if form.focus_area_id.data
        else None,
        shares=form.shares(a3_available),
    )


def _render_publish(source, form, *, action_url, a3, preview=None, digest="", status=200, **extra):
    publisher = queries.display_name(
        current_user.name,
        current_user.show_name_to_network,
        current_user.organization.name,
        same_organization=False,
    )
    return render_template(
        "network/publish.html",
        source=source,
        source_kind="kaizen" if isinstance(source, KaizenEntry) else "improvement",
        form=form,
        action_url=action_url,
        a3_available=a3 is not None,
        preview=preview,
        preview_publisher=publisher,
        digest=digest,
        practice_kind_label=kind_label,
        **extra,
    ), status


def _publish_flow(source, form, *, action_url, a3, publish, **extra):
    """GET shows the form; "Preview" shows exactly what others will see; "Publish" publishes
    what the preview showed (a changed text is previewed again first)."""
    if request.method == "GET":
        return _render_publish(source, form, action_url=action_url, a3=a3, **extra)
    if not form.validate():
        return _render_publish(source, form, action_url=action_url, a3=a3, status=422, **extra)
    text = _text_from(form, a3 is not None)
    digest = _digest(form)
    if request.form.get("action") == "publish" and request.form.get("previewed") == digest:
        return publish(text)
    if request.form.get("action") == "publish":
        flash(_("The text changed after the preview: check the preview, then publish."), "info")
    preview = services.preview_practice(current_user, source, text, a3)
    return _render_publish(
        source, form, action_url=action_url, a3=a3, preview=preview, digest=digest, **extra
    )


def _prefilled(source) -> PublishForm:
    themes = active_themes()
    if isinstance(source, KaizenEntry):
        data = {"title": source.title, "summary": source.after, "theme_id": source.theme_id}
    else:
        data = {
            "title": source.title,
            "summary": source.problem,
            "theme_id": source.theme_id,
            "focus_area_id": source.focus_area_id,
        }
    if request.method == "GET":
        return PublishForm(themes, data=data)
    return PublishForm(themes)


def _published(practice):
    flash(_("Published to the network."), "success")
    return redirect(url_for("network.practice", practice_id=practice.id), 303)


@network_blueprint.route("/publish/improvements/<int:improvement_id>", methods=["GET", "POST"])
def publish_improvement(improvement_id: int):
    """Publish a Done card (and its A3 sheet, if chosen) as a practice, after a preview."""
    improvement = policy.improvement_for_publishing(current_user, improvement_id)
    a3 = snapshot.a3_sheet_for_sharing(improvement.id)
    return _publish_flow(
        improvement,
        _prefilled(improvement),
        action_url=url_for("network.publish_improvement", improvement_id=improvement.id),
        a3=a3,
        publish=lambda text: _published(
            services.publish_practice(current_user, improvement, text, a3)
        ),
        already=queries.published_from(improvement_id=improvement.id),
    )


@network_blueprint.route("/publish/kaizens/<int:kaizen_id>", methods=["GET", "POST"])
def publish_kaizen(kaizen_id: int):
    """Publish a kaizen as a practice, after a preview."""
    entry = policy.kaizen_for_publishing(current_user, kaizen_id)
    return _publish_flow(
        entry,
        _prefilled(entry),
        action_url=url_for("network.publish_kaizen", kaizen_id=entry.id),
        a3=None,
        publish=lambda text: _published(services.publish_practice(current_user, entry, text)),
        already=queries.published_from(kaizen_id=entry.id),
    )


@network_blueprint.route("/practices/<int:practice_id>/update", methods=["GET", "POST"])
def update(practice_id: int):
    """Take a new snapshot of the source deliberately, after a preview; a stale form gets 409."""
    practice = policy.practice_for_management(current_user, practice_id)
    source = services.practice_source(practice)
    a3 = snapshot.a3_sheet_for_sharing(source.id) if isinstance(source, Improvement) else None
    themes = active_themes()
    if request.method == "GET":
        content = practice.content or {}
        form = PublishForm(
            themes,
            data={
                "version": practice.version,
                "title": practice.title,
                "summary": practice.summary,
                "learnings": practice.learnings,
                "theme_id": practice.theme_id,
                "focus_area_id": practice.focus_area_id,
                "share_approach": "approach" in content,
                "share_result": "result" in content,
                "share_impact": "impact" in content,
                "share_a3": "a3" in content,
            },
        )
    else:
        form = PublishForm(themes)

    def save(text):
        try:
            services.update_practice(
                current_user, practice, version_from(form.version.data), text, a3
            )
        except EditConflict:
            db.session.refresh(practice)
            form.version.data = str(practice.version)  # publishing again now replaces it knowingly
            return _render_publish(
                source,
                form,
                action_url=url_for("network.update", practice_id=practice.id),
                a3=a3,
                status=409,
                practice=practice,
                conflict=True,
            )
        flash(_("The practice was updated."), "success")
        return redirect(url_for("network.practice", practice_id=practice.id), 303)

    return _publish_flow(
        source,
        form,
        action_url=url_for("network.update", practice_id=practice.id),
        a3=a3,
        publish=save,
        practice=practice,
    )


# ---- the network dashboard -------------------------------------------------------------------


@network_blueprint.get("/dashboard")
def dashboard():
    """How practices spread across the network: counts and published content only."""
    months = queries.spread_by_month()
    return render_template(
        "network/dashboard.html",
        table=queries.counts_by_organization_and_theme(),
        spread=queries.most_spread(),
        months=months,
        chart=spread_chart(months),
    )


def spread_chart(months: list[queries.MonthPoint]) -> charts.Chart:
    """Adoptions made so far, month by month: each column is the running total at month's end."""
    return charts.grouped_columns(
        [
            (
                format_date(point.month, "LLL yyyy"),
                [("chart-bar", _("Adoptions so far"), point.total_adoptions)],
            )
            for point in months
        ],
        # The network's chart has the page's width to itself.
        max_plot_width=1000,
    )


# ---- notices ---------------------------------------------------------------------------------


@network_blueprint.get("/notices")
def notices():
    """The organization's notices of comments and adoptions, newest first."""
    organization_id = policy.notices_scope(current_user)
    size = 50
    total = queries.count_notices(organization_id)
    pages = page_count(total, size)
    page = min(requested_page(), pages)
    found = queries.notices_for_organization(
        organization_id, unread_only=False, limit=size, offset=(page - 1) * size
    )
    return render_template(
        "network/notices.html",
        notices=found,
        page=page,
        pages=pages,
    )


@network_blueprint.post("/notices/read")
def read_notices():
    """Mark the organization's notices read."""
    services.mark_notices_read(current_user, policy.notices_scope(current_user))
    flash(_("Notices marked as read."), "success")
    target = request.form.get("next")
    return redirect(target if is_safe_next(target) else url_for("network.notices"), 303)


# ---- settings --------------------------------------------------------------------------------


@network_blueprint.route("/organizations/<int:organization_id>/settings", methods=["GET", "POST"])
def settings(organization_id: int):
    """Whether the organization's supervisors may publish: its coordinators and admins decide."""
    organization = policy.organization_for_network_settings(current_user, organization_id)
    form = NetworkSettingsForm(obj=organization)
    if form.validate_on_submit():
        services.set_supervisors_may_publish(
            current_user, organization, bool(form.supervisors_may_publish.data)
        )
        flash(_("Network settings saved."), "success")
        target = request.form.get("next")
        if is_safe_next(target):
            return redirect(target, 303)
        return redirect(url_for("network.settings", organization_id=organization.id), 303)
    return render_template("network/settings.html", network_form=form, organization=organization), (
        422 if form.errors else 200
    )


@network_blueprint.post("/name-sharing")
def name_sharing():
    """One's own choice on the profile page: show one's name to other organizations or not."""
    form = NameSharingForm()
    if form.validate():
        services.set_name_shown_to_network(current_user, bool(form.show_name_to_network.data))
        flash(_("Profile saved."), "success")
    return redirect(url_for("profile.show"), 303)
