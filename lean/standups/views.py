"""Stand-up pages: parse the request, ask the policy, call one service, render."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from markupsafe import Markup

from lean.boards import services as board_services
from lean.core import fragments
from lean.core.htmx import is_htmx
from lean.core.i18n import current_language
from lean.core.input_checks import version_from
from lean.models import Event, Improvement, Stage, StandupItem, Team
from lean.shared import freshness, pieces, policy
from lean.shared.conflicts import EditConflict
from lean.shared.labels import field_label, stage_label
from lean.shared.lookups import team_members
from lean.shared.rhythm import planned_weekdays
from lean.standups import queries, services
from lean.standups.forms import (
    AnswerForm,
    BlockForm,
    DecisionForm,
    DueDateForm,
    EscalateForm,
    FinishForm,
    MoveCardForm,
    NoteForm,
    OwnerForm,
    SettingsForm,
    ShowCardForm,
)
from lean.standups.labels import reason_label, reason_tag

standups_blueprint = Blueprint("standups", __name__)


@standups_blueprint.before_request
@login_required
def require_login():
    """Every stand-up page is for logged-in users only."""


# ---- the stand-up's pieces of the board and card pages (lean/shared/pieces.py) ----------


@pieces.provides(standups_blueprint, "standups.board_status")
def board_status_piece(team: Team) -> Markup:
    """The board's stand-up line: the last stand-up, the rhythm, start or resume (one query).
    Its markup is kept by the worker under what it shows."""
    rhythm = queries.rhythm(team)
    can_run = policy.can_run_standup(current_user, team)
    return fragments.rendered_piece(
        fragments.key("standups.board_status", team.id, rhythm, can_run, current_language()),
        lambda: render_template(
            "standups/_board_status.html", team=team, rhythm=rhythm, can_run=can_run
        ),
    )


@pieces.provides(standups_blueprint, "standups.stage_limits")
def stage_limits_piece(team: Team) -> dict[str, int]:
    """Data for the board's column headers: the days a card may stay in each working stage."""
    return queries.stage_limits(team)


@pieces.provides(standups_blueprint, "standups.card_escalations")
def card_escalations_piece(improvement: Improvement) -> Markup:
    """A card's escalated questions and their answers (one query)."""
    return pieces.partial(
        "standups/_card_escalations.html", escalations=queries.card_escalations(improvement.id)
    )


@pieces.provides(standups_blueprint, "standups.history_event")
def history_event_piece(event: Event) -> Markup:
    """A stand-up's decision, note or escalation in words, in the card's history."""
    return pieces.partial(
        "standups/_event_text.html", event=event, stage_label=stage_label, field_label=field_label
    )


# ---- the stand-up itself ----------------------------------------------------------------


def _position(cards, asked) -> int:
    """The 1-based place of the card shown, kept within the agenda."""
    try:
        position = int(asked)
    except (TypeError, ValueError):
        position = next((n for n, c in enumerate(cards, 1) if c.item.reviewed_at is None), 1)
    return min(max(position, 1), max(len(cards), 1))


def _render_standup(team, standup, position=None, forms=None, status=200, decision_conflict=None):
    cards = queries.agenda_cards(standup)
    asked = position if position is not None else request.args.get("card") or None
    # Without a card of their own, everyone sees the card the leader shows, and follows it.
    following = asked is None and standup.current_position is not None
    position = _position(cards, standup.current_position if following else asked)
    current = cards[position - 1] if cards else None
    members = team_members(team.id)
    forms = forms or {}
    if current is not None:
        improvement = current.improvement
        forms.setdefault("move", MoveCardForm(stage=improvement.stage, formdata=None))
        forms.setdefault("block", BlockForm(formdata=None))
        forms.setdefault("owner", OwnerForm(members, owner_id=improvement.owner_id, formdata=None))
        forms.setdefault("due", DueDateForm(due_date=improvement.due_date, formdata=None))
        forms.setdefault(
            "decision",
            DecisionForm(
                decision=current.item.decision, previous=current.item.decision, formdata=None
            ),
        )
        forms.setdefault("note", NoteForm(formdata=None))
        forms.setdefault("escalate", EscalateForm(formdata=None))
    return (
        render_template(
            "standups/standup.html",
            team=team,
            standup=standup,
            cards=cards,
            position=position,
            following=following,
            shared_position=_position(cards, standup.current_position),
            current=current,
            forms=forms,
            escalations=queries.standup_escalations(standup.id),
            decision_conflict=decision_conflict,
            can_run=policy.can_run_standup(current_user, team),
            can_note=policy.can_note_standup(current_user, team),
            stage_label=stage_label,
            reason_label=reason_label,
            reason_tag=reason_tag,
            now=datetime.now(UTC),
        ),
        status,
    )


@standups_blueprint.get("/teams/<int:team_id>/standup")
def current(team_id: int):
    """The team's stand-up in progress, or the page to start one."""
    team = policy.team_for_read(current_user, team_id)
    standup = queries.open_standup(team.id)
    # The open stand-up asks again with htmx and its tag: unchanged costs a 304. The tag
    # covers the card the leader shows, so a follower's view moves with the leader.
    version = freshness.team_version(team)
    if standup is not None:
        version = f"{version}-s{standup.id}.{standup.current_position}"
    g.freshness_etag = etag = freshness.team_etag(team, version)
    if is_htmx() and (unchanged := freshness.not_modified(etag)) is not None:
        return unchanged
    if standup is None:
        return render_template(
            "standups/start.html",
            team=team,
            last=queries.last_finished_standup(team.id),
            rhythm=queries.rhythm(team),
            can_run=policy.can_run_standup(current_user, team),
        )
    return freshness.tagged(_render_standup(team, standup), etag)


@standups_blueprint.post("/teams/<int:team_id>/standup")
def start(team_id: int):
    """Start the team's stand-up, or join the one already running."""
    team = policy.team_for_standup_run(current_user, team_id)
    _standup, created = services.start_standup(current_user, team)
    if not created:
        flash(_("A stand-up is already running: you joined it."), "info")
    return redirect(url_for("standups.current", team_id=team.id), 303)


def _item_or_404(standup, improvement_id: int) -> tuple[StandupItem, Improvement]:
    """A card on this stand-up's agenda, its stand-up still running."""
    item = queries.agenda_item(standup.id, improvement_id)
    if item is None:
        abort(404)
    if standup.finished_at is not None:
        abort(409)
    return item, item.improvement


def _back_to(standup, item, anchor="current-card"):
    """Back to the card acted on: the followed view when it is the card the stand-up shows."""
    card = None if item.position == standup.current_position else item.position
    return redirect(
        url_for("standups.current", team_id=standup.team_id, card=card) + f"#{anchor}", 303
    )


@standups_blueprint.post("/standups/<int:standup_id>/show")
def show_card(standup_id: int):
    """Show another card of the agenda to everyone following the stand-up (its leaders only)."""
    standup = policy.standup_for_run(current_user, standup_id)
    if standup.finished_at is not None:
        abort(409)
    form = ShowCardForm()
    if not form.validate():
        return _render_standup(standup.team, standup, forms={"show": form}, status=422)
    services.show_card(current_user, standup, cast(int, form.card.data))
    return redirect(url_for("standups.current", team_id=standup.team_id) + "#current-card", 303)


def _card_action(standup_id: int, improvement_id: int, form_name: str, make_form, apply, message):
    """The shared shape of every card action: validate, change, say so, back to the card.
    `message` is the sentence, or makes it from the card as changed."""
    standup = policy.standup_for_run(current_user, standup_id)
    item, improvement = _item_or_404(standup, improvement_id)
    form = make_form(standup)
    if not form.validate():
        return _render_standup(
            standup.team, standup, position=item.position, forms={form_name: form}, status=422
        )
    try:
        apply(standup, improvement, form)
    except EditConflict:
        flash(_("Someone else changed this card at the same moment. Try again."), "error")
        return _back_to(standup, item)
    flash(message(improvement) if callable(message) else message, "success")
    return _back_to(standup, item)


@standups_blueprint.post("/standups/<int:standup_id>/cards/<int:improvement_id>/move")
def move_card(standup_id: int, improvement_id: int):
    """Move the card to another stage from the stand-up; into a full column only with the
    reason, and never under the team's hard limit."""
    try:
        return _card_action(
            standup_id,
            improvement_id,
            "move",
            lambda standup: MoveCardForm(),
            lambda s, i, f: services.move_card(
                current_user, s, i, Stage(f.stage.data), (f.over_limit_reason.data or "").strip()
            ),
            lambda card: _("Card moved to %(stage)s.", stage=stage_label(card.stage)),
        )
    except board_services.WipLimitReached as reached:
        standup = policy.standup_for_run(current_user, standup_id)
        item, _improvement = _item_or_404(standup, improvement_id)
        if reached.hard:
            flash(reached.message, "error")
            return _back_to(standup, item)
        form = MoveCardForm()
        form.over_limit_reason.errors = [reached.message]
        return _render_standup(
            standup.team, standup, position=item.position, forms={"move": form}, status=422
        )


@standups_blueprint.post("/standups/<int:standup_id>/cards/<int:improvement_id>/block")
def block_card(standup_id: int, improvement_id: int):
    """Mark the card blocked, with the reason."""
    return _card_action(
        standup_id,
        improvement_id,
        "block",
        lambda standup: BlockForm(),
        lambda s, i, f: services.block_card(current_user, s, i, f.reason.data),
        _("Card marked blocked."),
    )


@standups_blueprint.post("/standups/<int:standup_id>/cards/<int:improvement_id>/unblock")
def unblock_card(standup_id: int, improvement_id: int):
    """Remove the card's block."""
    return _card_action(
        standup_id,
        improvement_id,
        "unblock",
        lambda standup: FlaskForm(),
        lambda s, i, f: services.unblock_card(current_user, s, i),
        _("Block removed."),
    )


@standups_blueprint.post("/standups/<int:standup_id>/cards/<int:improvement_id>/owner")
def change_owner(standup_id: int, improvement_id: int):
    """Give the card another owner (or none): one of the team's people."""
    return _card_action(
        standup_id,
        improvement_id,
        "owner",
        lambda standup: OwnerForm(team_members(standup.team_id)),
        lambda s, i, f: services.change_owner(current_user, s, i, f.owner_id.data),
        _("Owner changed."),
    )


@standups_blueprint.post("/standups/<int:standup_id>/cards/<int:improvement_id>/due")
def change_due_date(standup_id: int, improvement_id: int):
    """Set or clear the card's due date."""
    return _card_action(
        standup_id,
        improvement_id,
        "due",
        lambda standup: DueDateForm(),
        lambda s, i, f: services.change_due_date(current_user, s, i, f.due_date.data),
        _("Due date saved."),
    )


@standups_blueprint.post("/standups/<int:standup_id>/cards/<int:improvement_id>/decision")
def record_decision(standup_id: int, improvement_id: int):
    """Write down what the stand-up decided about the card."""
    standup = policy.standup_for_run(current_user, standup_id)
    item, improvement = _item_or_404(standup, improvement_id)
    form = DecisionForm()
    if not form.validate():
        return _render_standup(
            standup.team, standup, position=item.position, forms={"decision": form}, status=422
        )
    if (form.previous.data or "") != item.decision:
        # Someone saved another decision since this form was shown: keep both visible.
        form.previous.data = item.decision
        return _render_standup(
            standup.team,
            standup,
            position=item.position,
            forms={"decision": form},
            status=409,
            decision_conflict=item.decision,
        )
    services.record_decision(current_user, standup, improvement, cast(str, form.decision.data))
    flash(_("Decision saved."), "success")
    return _back_to(standup, item)


@standups_blueprint.post("/standups/<int:standup_id>/cards/<int:improvement_id>/escalate")
def escalate(standup_id: int, improvement_id: int):
    """Ask the organization's coordinators a question about the card."""
    return _card_action(
        standup_id,
        improvement_id,
        "escalate",
        lambda standup: EscalateForm(),
        lambda s, i, f: services.escalate_card(current_user, s, i, f.question.data),
        _("Question sent to the coordinators."),
    )


@standups_blueprint.post("/standups/<int:standup_id>/cards/<int:improvement_id>/note")
def add_note(standup_id: int, improvement_id: int):
    """A note on the card: members may add one while they follow the stand-up."""
    standup = policy.standup_for_note(current_user, standup_id)
    item, improvement = _item_or_404(standup, improvement_id)
    form = NoteForm()
    if not form.validate():
        return _render_standup(
            standup.team, standup, position=item.position, forms={"note": form}, status=422
        )
    services.add_note(current_user, standup, improvement, cast(str, form.note.data))
    flash(_("Note added."), "success")
    return _back_to(standup, item)


# ---- finishing and the record ------------------------------------------------------------


def _render_finish(standup, form, status=200, conflict=None):
    return (
        render_template(
            "standups/finish.html",
            team=standup.team,
            standup=standup,
            form=form,
            conflict=conflict,
            cards=queries.agenda_cards(standup),
        ),
        status,
    )


@standups_blueprint.route("/standups/<int:standup_id>/finish", methods=["GET", "POST"])
def finish(standup_id: int):
    """Close the stand-up: who came, a note, and a quick plus/delta of the stand-up itself."""
    standup = policy.standup_for_run(current_user, standup_id)
    members = team_members(standup.team_id)
    if standup.finished_at is not None:
        flash(_("This stand-up is already finished."), "info")
        return redirect(url_for("standups.record", standup_id=standup.id), 303)
    if request.method == "GET":
        form = FinishForm(members, formdata=None)
        form.version.data = standup.version
        form.attendees.data = sorted(queries.attendee_ids(standup.id))
        return _render_finish(standup, form)
    form = FinishForm(members)
    if not form.validate():
        return _render_finish(standup, form, status=422)
    try:
        services.finish_standup(
            current_user,
            standup,
            version_from(form.version.data),
            attendee_ids=form.attendees.data or [],
            guests=form.guests.data or "",
            note=form.note.data or "",
            plus=form.plus.data or "",
            delta=form.delta.data or "",
        )
    except services.StandupConflict as conflict:
        form.version.data = conflict.current.version
        return _render_finish(conflict.current, form, status=409, conflict=conflict.current)
    flash(_("Stand-up finished and saved."), "success")
    return redirect(url_for("standups.record", standup_id=standup.id), 303)


@standups_blueprint.get("/standups/<int:standup_id>")
def record(standup_id: int):
    """What a stand-up went through: attendees, cards and decisions, escalations, notes."""
    standup = policy.standup_for_read(current_user, standup_id)
    return render_template(
        "standups/record.html",
        team=standup.team,
        standup=standup,
        cards=queries.agenda_cards(standup),
        attendees=queries.attendees(standup.id),
        escalations=queries.standup_escalations(standup.id),
        events=queries.standup_events(standup),
        can_run=policy.can_run_standup(current_user, standup.team),
        stage_label=stage_label,
        field_label=field_label,
        reason_label=reason_label,
    )


@standups_blueprint.get("/teams/<int:team_id>/standups")
def history(team_id: int):
    """The team's stand-ups, newest first."""
    team = policy.team_for_read(current_user, team_id)
    return render_template(
        "standups/history.html",
        team=team,
        rows=queries.history(team.id),
        rhythm=queries.rhythm(team),
        can_run=policy.can_run_standup(current_user, team),
    )


@standups_blueprint.get("/teams/<int:team_id>/since-standup")
def since(team_id: int):
    """What changed on the board since the last stand-up ended."""
    team = policy.team_for_read(current_user, team_id)
    last = queries.last_finished_standup(team.id)
    window_start = datetime.now(UTC) - queries.FIRST_STANDUP_WINDOW
    since_at = cast(datetime, last.finished_at) if last else window_start  # a finished one
    return render_template(
        "standups/since.html",
        team=team,
        last=last,
        since_at=since_at,
        events=queries.events_since(team.id, since_at),
        stage_label=stage_label,
        field_label=field_label,
    )


@standups_blueprint.route("/teams/<int:team_id>/standup/settings", methods=["GET", "POST"])
def settings(team_id: int):
    """The team's stand-up length, rhythm and stage limits."""
    team = policy.team_for_standup_run(current_user, team_id)
    if request.method == "GET":
        form = SettingsForm(
            formdata=None,
            minutes=team.standup_minutes,
            weekdays=planned_weekdays(team.standup_weekdays),
            at=team.standup_time,
            plan=team.plan_limit_days,
            do=team.do_limit_days,
            check=team.check_limit_days,
            act=team.act_limit_days,
        )
        return render_template("standups/settings.html", team=team, form=form)
    form = SettingsForm()
    if not form.validate():
        return render_template("standups/settings.html", team=team, form=form), 422
    services.update_settings(
        current_user,
        team,
        minutes=cast(int, form.minutes.data),
        weekdays=form.weekdays.data or [],
        at=form.at.data,
        limits={name: form[name].data for name in ("plan", "do", "check", "act")},
    )
    flash(_("Stand-up settings saved."), "success")
    return redirect(url_for("standups.history", team_id=team.id), 303)


# ---- escalations -------------------------------------------------------------------------


def _render_escalations(forms=None, status=200, conflict=None):
    open_ones, answered = queries.organization_escalations(current_user.organization_id)
    forms = forms or {}
    for escalation in open_ones:
        forms.setdefault(escalation.id, AnswerForm(formdata=None, prefix=f"e{escalation.id}"))
    return (
        render_template(
            "standups/escalations.html",
            open_escalations=open_ones,
            answered=answered,
            forms=forms,
            conflict=conflict,
            rhythms=queries.organization_rhythms(current_user.organization_id),
        ),
        status,
    )


@standups_blueprint.get("/escalations")
def escalations():
    """The coordinators' list: open questions of their organization's teams, oldest first."""
    policy.require_escalation_answerer(current_user)
    return _render_escalations()


@standups_blueprint.post("/escalations/<int:escalation_id>/answer")
def answer(escalation_id: int):
    """Answer a team's question; the answer shows on the card and in the next stand-up."""
    escalation = policy.escalation_for_answer(current_user, escalation_id)
    form = AnswerForm(prefix=f"e{escalation.id}")
    if not form.validate():
        return _render_escalations(forms={escalation.id: form}, status=422)
    try:
        services.answer_escalation(current_user, escalation, cast(str, form.answer.data))
    except services.StandupConflict:
        flash(
            _("Another coordinator answered this question first. Your answer was not saved."),
            "error",
        )
        return _render_escalations(status=409, conflict=(escalation, form.answer.data))
    flash(_("Answer sent to the team."), "success")
    return redirect(url_for("standups.escalations"), 303)
