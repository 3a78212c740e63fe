"""Work-in-progress limits: how many cards a team's working column may hold.

A move into a full column needs a reason ("over the limit because …"), kept in the move's
event; with the team's hard limit it is refused, and the card stays where it was. Every day a
column stands over its limit is kept as an OverLimitDay (by the move that leaves it over, and
by the daily command), which the dashboard counts per period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from lean.core.extensions import db
from lean.models import Improvement, OverLimitDay, Stage, Team, User
from lean.shared.conflicts import EditConflict
from lean.shared.events import EventKind, record_admin_event
from lean.shared.labels import stage_label

# The stages a team may limit: where work is in progress.
LIMITED_STAGES = (Stage.PLAN, Stage.DO, Stage.CHECK, Stage.ACT)
# The reason given for a move over the limit, at most this long.
REASON_MAX = 500


def wip_limit(team: Team, stage: str | Stage) -> int | None:
    """The team's limit of cards in a stage, None when it has none."""
    if Stage(stage) not in LIMITED_STAGES:
        return None
    return getattr(team, f"{Stage(stage).value}_wip_limit")


def wip_limits(team: Team) -> dict[str, int]:
    """The stages the team has limited, with their limits."""
    limits = {stage.value: wip_limit(team, stage) for stage in LIMITED_STAGES}
    return {stage: limit for stage, limit in limits.items() if limit is not None}


def local_today() -> date:
    """Today in the installation's time zone (Helsinki): the day an OverLimitDay counts for."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.now(zone).date()


@dataclass
class WipLimitReached(Exception):
    """A move would put a column over its limit: with a hard limit it is refused; with a soft
    one it needs the reason."""

    stage: Stage
    limit: int
    hard: bool
    # The reason given was too long (a soft limit's reason is at most REASON_MAX characters).
    too_long: bool = False

    @property
    def message(self) -> str:
        """The refusal or the question, naming the column and its limit."""
        stage = stage_label(self.stage)
        if self.hard:
            return ngettext(
                "%(stage)s holds at most %(num)d card. The card stays where it was.",
                "%(stage)s holds at most %(num)d cards. The card stays where it was.",
                self.limit,
                stage=stage,
            )
        if self.too_long:
            return _("Say why in at most %(num)d characters.", num=REASON_MAX)
        return ngettext(
            "%(stage)s is at its limit of %(num)d card. Say why this card goes over the limit.",
            "%(stage)s is at its limit of %(num)d cards. Say why this card goes over the limit.",
            self.limit,
            stage=stage,
        )


def _column_counts(team_id: int) -> dict[str, int]:
    """The cards on the team's board per working stage (one statement)."""
    rows = db.session.execute(
        select(Improvement.stage, func.count())
        .where(
            Improvement.team_id == team_id,
            Improvement.archived.is_(False),
            Improvement.stage.in_([stage.value for stage in LIMITED_STAGES]),
        )
        .group_by(Improvement.stage)
    )
    return dict(rows.tuples().all())


def check_move(
    improvement: Improvement, from_stage: str, to_stage: Stage, reason: str | None
) -> tuple[dict[str, object], list[str]]:
    """Whether the card may move from one stage to another under the team's limits.

    Returns the move event's extra data (the limit and the reason when it goes over) and the
    stages left over their limits by the move, for record_over_limit_days; raises
    WipLimitReached when the move is refused or needs a reason. No statement for a team
    without limits, nor for an archived card (it is not on the board).
    """
    team = improvement.team
    limits = wip_limits(team)
    touched = {stage: limits[stage] for stage in (from_stage, to_stage.value) if stage in limits}
    if not touched or improvement.archived or from_stage == to_stage.value:
        return {}, []
    counts = _column_counts(team.id)
    counts[from_stage] = counts.get(from_stage, 0) - 1
    counts[to_stage.value] = counts.get(to_stage.value, 0) + 1
    data: dict[str, object] = {}
    limit = touched.get(to_stage.value)
    if limit is not None and counts[to_stage.value] > limit:
        reason = (reason or "").strip()
        if team.wip_limits_hard or not reason or len(reason) > REASON_MAX:
            raise WipLimitReached(
                to_stage, limit, hard=team.wip_limits_hard, too_long=len(reason) > REASON_MAX
            )
        data = {"over_limit": limit, "over_limit_reason": reason}
    over = [stage for stage, limit in touched.items() if counts.get(stage, 0) > limit]
    return data, over


def _insert_days(rows: list[dict]) -> None:
    """OverLimitDay rows, each team's stage and day once, whoever wrote it first."""
    if not rows:
        return
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(OverLimitDay).on_conflict_do_nothing(
        index_elements=["team_id", "stage", "day"]
    )
    db.session.execute(statement, rows)


def record_over_limit_days(team_id: int, stages: list[str], day: date | None = None) -> None:
    """Keep that these columns of the team stand over their limits today."""
    day = day or local_today()
    _insert_days([{"team_id": team_id, "stage": stage, "day": day} for stage in stages])


def record_if_over_limit(improvement: Improvement) -> None:
    """Keep today's OverLimitDay when the card's column now stands over its limit (a card come
    back by an undo, which goes even into a full column). No statement without a limit."""
    limit = wip_limit(improvement.team, improvement.stage)
    if limit is None or improvement.archived:
        return
    if _column_counts(improvement.team_id).get(improvement.stage, 0) > limit:
        record_over_limit_days(improvement.team_id, [improvement.stage])


def record_every_over_limit_day(day: date | None = None) -> int:
    """The daily command's part: every column of every team over its limit now counts for
    today (one statement to find them, one to keep them). Returns how many columns."""
    day = day or local_today()
    limit = case(
        *((Improvement.stage == stage.value, getattr(Team, f"{stage.value}_wip_limit"))
          for stage in LIMITED_STAGES),
        else_=None,
    )  # fmt: skip
    any_limit = or_(*(getattr(Team, f"{stage.value}_wip_limit").is_not(None)
                      for stage in LIMITED_STAGES))  # fmt: skip
    rows = db.session.execute(
        select(Improvement.team_id, Improvement.stage)
        .join(Team, Team.id == Improvement.team_id)
        .where(
            and_(
                Team.archived.is_(False),
                any_limit,
                Improvement.archived.is_(False),
                Improvement.stage.in_([stage.value for stage in LIMITED_STAGES]),
            )
        )
        .group_by(Improvement.team_id, Improvement.stage, limit)
        .having(func.count() > limit)
    ).all()
    _insert_days([{"team_id": team_id, "stage": stage, "day": day} for team_id, stage in rows])
    return len(rows)


def limits_seen(team: Team) -> str:
    """The team's limits as one value a form carries ("3,4,,2,hard"), to tell on its save
    whether someone else changed them in between."""
    values = [str(wip_limit(team, stage) or "") for stage in LIMITED_STAGES]
    return ",".join([*values, "hard" if team.wip_limits_hard else "soft"])


def set_wip_limits(
    actor: User,
    team: Team,
    limits: dict[str, int | None],
    hard: bool,
    seen: str | None = None,
) -> bool:
    """The team's limit per working stage (None: no limit) and whether they are hard; False
    when nothing changed. Recorded as the team's event, so its board is drawn anew.

    `seen` is limits_seen() as the form showed it: when someone else has saved other limits
    since, EditConflict is raised with the team (its limits as saved) and nothing changes.
    """
    # Two saves at once take turns (SQLite's writes do anyway), so the second sees the first.
    db.session.refresh(team, with_for_update=True)
    before = {stage.value: wip_limit(team, stage) for stage in LIMITED_STAGES}
    after = {stage.value: limits.get(stage.value) for stage in LIMITED_STAGES}
    if before == after and team.wip_limits_hard == hard:
        return False
    if seen is not None and seen != limits_seen(team):
        raise EditConflict(current=team)
    for stage, limit in after.items():
        setattr(team, f"{stage}_wip_limit", limit)
    team.wip_limits_hard = hard
    record_admin_event(
        actor,
        EventKind.WIP_LIMITS_SET,
        "team",
        team.id,
        team.organization_id,
        team.id,
        **{f"{stage}_wip_limit": limit for stage, limit in after.items()},
        wip_limits_hard=hard,
    )
    db.session.flush()
    return True
