"""The team's work-in-progress limits page: parse, ask the policy, call one service, render."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lean.boards import limits
from lean.boards.limits_forms import WipLimitsForm
from lean.boards.views import boards_blueprint
from lean.shared import policy
from lean.shared.conflicts import EditConflict
from lean.shared.labels import stage_label


@boards_blueprint.route("/teams/<int:team_id>/board/limits", methods=["GET", "POST"])
def wip_limits(team_id: int):
    """How many cards each working stage of the team's board may hold, and whether a full
    column refuses a card or asks for the reason."""
    team = policy.team_for_wip_limits(current_user, team_id)
    if request.method == "GET":
        form = WipLimitsForm(
            formdata=None,
            **{stage.value: limits.wip_limit(team, stage) for stage in limits.LIMITED_STAGES},
            hard=team.wip_limits_hard,
            seen=limits.limits_seen(team),
        )
        return render_template("boards/limits.html", team=team, form=form)
    form = WipLimitsForm()
    if not form.validate():
        return render_template("boards/limits.html", team=team, form=form), 422
    try:
        limits.set_wip_limits(
            current_user, team, form.limits(), bool(form.hard.data), form.seen.data or None
        )
    except EditConflict:
        # What the person typed stays in the form; saving again puts theirs over the new ones.
        form.seen.data = limits.limits_seen(team)
        saved = [
            (stage_label(stage), limits.wip_limit(team, stage)) for stage in limits.LIMITED_STAGES
        ]
        return render_template(
            "boards/limits.html",
            team=team,
            form=form,
            conflict=saved,
            conflict_hard=team.wip_limits_hard,
        ), 409
    flash(_("Work-in-progress limits saved."), "success")
    return redirect(url_for("boards.show", team_id=team.id), 303)
