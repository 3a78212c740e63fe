"""The demo's work-in-progress limits: one team limits its working stages, one column of it
stands over its limit and has done so for some days, so the board and the dashboard show it."""

from datetime import timedelta

from lean.boards.limits import local_today, record_over_limit_days
from lean.models import Team


def seed_limits_demo(team: Team) -> None:
    """Limits set after the cards are in place (a move into a full column would need a
    reason): Check holds more than its limit, as it has for the last few days."""
    team.plan_wip_limit = 2
    team.do_wip_limit = 2
    team.check_wip_limit = 1
    team.act_wip_limit = 2
    today = local_today()
    for days_ago in (6, 5, 2, 1, 0):
        record_over_limit_days(team.id, ["check"], today - timedelta(days=days_ago))
