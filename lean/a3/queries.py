"""Reads behind the A3 pages, each a fixed number of queries whatever the sheet holds."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import joinedload

from lean.a3.sections import SECTIONS, cause_category_label, section_title
from lean.core.extensions import db
from lean.models import (
    A3Action,
    A3Cause,
    A3Comment,
    A3Countermeasure,
    A3Sheet,
    A3Why,
    Improvement,
    Membership,
    Team,
    User,
)


def _has(model):
    return exists().where(model.sheet_id == A3Sheet.id).correlate(A3Sheet)


def _filled(*conditions):
    return case((or_(*conditions), 1), else_=0)


def sections_filled():
    """How many of the eight sections hold something, as one SQL expression per sheet."""
    return (
        _filled(A3Sheet.background != "")
        + _filled(A3Sheet.current_condition != "")
        + _filled(
            A3Sheet.target_condition != "",
            A3Sheet.measure != "",
            A3Sheet.target.is_not(None),
        )
        + _filled(_has(A3Why), _has(A3Cause))
        + _filled(_has(A3Countermeasure))
        + _filled(_has(A3Action))
        + _filled(
            A3Sheet.effect_actual.is_not(None),
            A3Sheet.target_reached.is_not(None),
            A3Sheet.effect_note != "",
        )
        + _filled(A3Sheet.standard != "", A3Sheet.learned != "", A3Sheet.applies_elsewhere != "")
    )


def _action_count(done_only: bool = False):
    conditions = [A3Action.sheet_id == A3Sheet.id]
    if done_only:
        conditions.append(A3Action.done.is_(True))
    return select(func.count(A3Action.id)).where(*conditions).correlate(A3Sheet).scalar_subquery()


def _open_comment_count():
    return (
        select(func.count(A3Comment.id))
        .where(
            A3Comment.sheet_id == A3Sheet.id,
            A3Comment.parent_id.is_(None),
            A3Comment.resolved_at.is_(None),
        )
        .correlate(A3Sheet)
        .scalar_subquery()
    )


@dataclass
class Progress:
    sheet_id: int
    sections_filled: int
    actions_done: int
    actions_total: int
    open_comments: int = 0
    sections_total: int = len(SECTIONS)


def progress_columns():
    return (
        sections_filled().label("filled"),
        _action_count(done_only=True).label("actions_done"),
        _action_count().label("actions_total"),
        _open_comment_count().label("open_comments"),
    )


def card_summary(improvement_id: int) -> Progress | None:
    """The card page's line about its A3, in one query."""
    row = db.session.execute(
        select(A3Sheet.id, *progress_columns()).where(A3Sheet.improvement_id == improvement_id)
    ).first()
    if row is None:
        return None
    return Progress(row.id, row.filled, row.actions_done, row.actions_total, row.open_comments)


@dataclass
class SheetContent:
    whys: list[A3Why]
    causes: list[A3Cause]
    countermeasures: list[A3Countermeasure]
    actions: list[A3Action]
    # Top-level comments per section, each followed by its answers in `answers`.
    comments: dict[str, list[A3Comment]] = field(default_factory=dict)
    answers: dict[int, list[A3Comment]] = field(default_factory=dict)

    def open_comments(self, section: str) -> int:
        return sum(1 for c in self.comments.get(section, ()) if c.resolved_at is None)

    @property
    def actions_done(self) -> int:
        return sum(1 for action in self.actions if action.done)

    def filled(self, sheet: A3Sheet) -> set[str]:
        """The keys of the sections that hold something (the same rule as sections_filled)."""
        keys = set()
        if sheet.background:
            keys.add("background")
        if sheet.current_condition:
            keys.add("current_condition")
        if sheet.target_condition or sheet.measure or sheet.target is not None:
            keys.add("goal")
        if self.whys or self.causes:
            keys.add("root_cause")
        if self.countermeasures:
            keys.add("countermeasures")
        if self.actions:
            keys.add("plan")
        if sheet.effect_actual is not None or sheet.target_reached is not None or sheet.effect_note:
            keys.add("effect")
        if sheet.standard or sheet.learned or sheet.applies_elsewhere:
            keys.add("follow_up")
        return keys


def sheet_content(sheet_id: int, with_comments: bool = True) -> SheetContent:
    """Everything listed on a sheet: five queries, whatever their number of rows."""
    content = SheetContent(
        whys=list(
            db.session.scalars(
                select(A3Why).where(A3Why.sheet_id == sheet_id).order_by(A3Why.position, A3Why.id)
            )
        ),
        causes=list(
            db.session.scalars(
                select(A3Cause)
                .where(A3Cause.sheet_id == sheet_id)
                .order_by(A3Cause.category, A3Cause.id)
            )
        ),
        countermeasures=list(
            db.session.scalars(
                select(A3Countermeasure)
                .where(A3Countermeasure.sheet_id == sheet_id)
                .order_by(A3Countermeasure.id)
            )
        ),
        actions=list(
            db.session.scalars(
                select(A3Action)
                .where(A3Action.sheet_id == sheet_id)
                .options(joinedload(A3Action.who))
                .order_by(A3Action.due_on.is_(None), A3Action.due_on, A3Action.id)
            )
        ),
    )
    if with_comments:
        comments = db.session.scalars(
            select(A3Comment)
            .where(A3Comment.sheet_id == sheet_id)
            .options(joinedload(A3Comment.author), joinedload(A3Comment.resolved_by))
            .order_by(A3Comment.created_at, A3Comment.id)
        )
        for comment in comments:
            if comment.parent_id is None:
                content.comments.setdefault(comment.section, []).append(comment)
            else:
                content.answers.setdefault(comment.parent_id, []).append(comment)
    return content


def team_people(team_id: int) -> list[User]:
    """Who an action can be given to: the team's members."""
    return list(
        db.session.scalars(
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.team_id == team_id, User.active.is_(True))
            .order_by(User.name)
        )
    )


def coach_candidates(organization_id: int, current_coach_id: int | None) -> list[User]:
    """Anyone of the organization, plus the current coach when a peer from elsewhere."""
    condition = and_(User.organization_id == organization_id, User.active.is_(True))
    if current_coach_id:
        condition = or_(condition, User.id == current_coach_id)
    return list(db.session.scalars(select(User).where(condition).order_by(User.name)))


def user_by_email(email: str) -> User | None:
    return db.session.scalar(
        select(User).where(func.lower(User.email) == email.strip().lower(), User.active.is_(True))
    )


# ---- lists -------------------------------------------------------------------------------


@dataclass
class A3Filters:
    theme_id: int | None = None
    stage: str | None = None
    coach_id: int | None = None
    progress: str | None = None


@dataclass
class ListedSheet:
    sheet: A3Sheet
    progress: Progress


def list_sheets(
    organization_id: int, filters: A3Filters, team_id: int | None = None
) -> list[ListedSheet]:
    """A team's or an organization's A3s with their progress, in one query."""
    filled = sections_filled()
    actions_done, actions_total, open_comments = (
        _action_count(done_only=True),
        _action_count(),
        _open_comment_count(),
    )
    query = (
        select(
            A3Sheet,
            filled.label("filled"),
            actions_done.label("actions_done"),
            actions_total.label("actions_total"),
            open_comments.label("open_comments"),
        )
        .join(Improvement, Improvement.id == A3Sheet.improvement_id)
        .join(Team, Team.id == Improvement.team_id)
        .where(Team.organization_id == organization_id, Improvement.archived.is_(False))
        .options(
            joinedload(A3Sheet.improvement).joinedload(Improvement.team),
            joinedload(A3Sheet.improvement).joinedload(Improvement.theme),
            joinedload(A3Sheet.coach),
        )
        .order_by(A3Sheet.revised_at.desc(), A3Sheet.id.desc())
    )
    if team_id is not None:
        query = query.where(Improvement.team_id == team_id)
    if filters.theme_id:
        query = query.where(Improvement.theme_id == filters.theme_id)
    if filters.stage:
        query = query.where(Improvement.stage == filters.stage)
    if filters.coach_id:
        query = query.where(A3Sheet.coach_id == filters.coach_id)
    if filters.progress == "complete":
        query = query.where(filled == len(SECTIONS))
    elif filters.progress == "incomplete":
        query = query.where(filled < len(SECTIONS))
    elif filters.progress == "open_actions":
        query = query.where(actions_done < actions_total)
    return [
        ListedSheet(row.A3Sheet, Progress(row.A3Sheet.id, *row[1:]))
        for row in db.session.execute(query)
    ]


def coaches_in_lists(organization_id: int) -> list[User]:
    """The people coaching any A3 of the organization, for the coach filter."""
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.id.in_(
                    select(A3Sheet.coach_id)
                    .join(Improvement, Improvement.id == A3Sheet.improvement_id)
                    .join(Team, Team.id == Improvement.team_id)
                    .where(Team.organization_id == organization_id)
                )
            )
            .order_by(User.name)
        )
    )


# ---- for the practice network ----------------------------------------------------------


def _figure(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def a3_for_sharing(improvement_id: int) -> dict | None:
    """A sheet's content to publish to the network: no person's name anywhere in it.

    Headings are in the current language; actions keep what and when, never who.
    """
    sheet = db.session.scalar(select(A3Sheet).where(A3Sheet.improvement_id == improvement_id))
    if sheet is None:
        return None
    content = sheet_content(sheet.id, with_comments=False)
    return {
        "title": sheet.title,
        "sections": [
            {"key": section.key, "number": section.number, "heading": section_title(section.key)}
            for section in SECTIONS
        ],
        "background": sheet.background,
        "current_condition": sheet.current_condition,
        "goal": {
            "target_condition": sheet.target_condition,
            "measure": sheet.measure,
            "unit": sheet.unit,
            "baseline": _figure(sheet.baseline),
            "target": _figure(sheet.target),
            "target_date": sheet.target_date.isoformat() if sheet.target_date else None,
        },
        "whys": [why.text for why in content.whys],
        "causes": [
            {
                "category": cause.category,
                "category_label": cause_category_label(cause.category),
                "text": cause.text,
            }
            for cause in content.causes
        ],
        "countermeasures": [
            {"option": c.option, "pros": c.pros, "cons": c.cons, "chosen": c.chosen}
            for c in content.countermeasures
        ],
        "actions": [
            {
                "what": action.what,
                "due_on": action.due_on.isoformat() if action.due_on else None,
                "done": action.done,
            }
            for action in content.actions
        ],
        "effect": {
            "planned": _figure(sheet.effect_planned),
            "planned_on": sheet.effect_planned_on.isoformat() if sheet.effect_planned_on else None,
            "actual": _figure(sheet.effect_actual),
            "actual_on": sheet.effect_actual_on.isoformat() if sheet.effect_actual_on else None,
            "target_reached": sheet.target_reached,
            "note": sheet.effect_note,
        },
        "follow_up": {
            "standard": sheet.standard,
            "learned": sheet.learned,
            "applies_elsewhere": sheet.applies_elsewhere,
        },
    }


def a3_sections_for_sharing(improvement_id: int) -> dict | None:
    """The shareable sheet as the network shows it: each section's heading, text and list.

    The words are those of the publisher's language at publishing time, like the rest of the
    practice's snapshot.
    """
    sheet = a3_for_sharing(improvement_id)
    if sheet is None:
        return None
    goal, effect, follow_up = sheet["goal"], sheet["effect"], sheet["follow_up"]

    def labelled(pairs):
        return [f"{label}: {value}" for label, value in pairs if value not in (None, "")]

    reached = {True: _("yes"), False: _("no")}.get(effect["target_reached"])
    content = {
        "background": (sheet["background"], []),
        "current_condition": (sheet["current_condition"], []),
        "goal": (
            goal["target_condition"],
            labelled(
                [
                    (_("Measure"), " ".join(filter(None, [goal["measure"], goal["unit"]]))),
                    (_("Baseline"), goal["baseline"]),
                    (_("Target"), goal["target"]),
                    (_("Target date"), goal["target_date"]),
                ]
            ),
        ),
        "root_cause": (
            "",
            [f"{_('Why?')} {why}" for why in sheet["whys"]]
            + [f"{cause['category_label']}: {cause['text']}" for cause in sheet["causes"]],
        ),
        "countermeasures": (
            "",
            [
                " — ".join(
                    filter(
                        None,
                        [
                            option["option"],
                            option["pros"] and f"{_('Pros')}: {option['pros']}",
                            option["cons"] and f"{_('Cons')}: {option['cons']}",
                            option["chosen"] and _("chosen"),
                        ],
                    )
                )
                for option in sheet["countermeasures"]
            ],
        ),
        "plan": (
            "",
            [
                " — ".join(
                    filter(
                        None,
                        [action["what"], action["due_on"], action["done"] and _("done")],
                    )
                )
                for action in sheet["actions"]
            ],
        ),
        "effect": (
            effect["note"],
            labelled(
                [
                    (_("Planned"), effect["planned"]),
                    (_("Planned for"), effect["planned_on"]),
                    (_("Actual"), effect["actual"]),
                    (_("Measured on"), effect["actual_on"]),
                    (_("Target reached"), reached),
                ]
            ),
        ),
        "follow_up": (
            follow_up["standard"],
            labelled(
                [
                    (_("What was learned"), follow_up["learned"]),
                    (_("Where else it could apply"), follow_up["applies_elsewhere"]),
                ]
            ),
        ),
    }
    return {
        "sections": [
            {
                "heading": f"{section['number']}. {section['heading']}",
                "text": content[section["key"]][0] or "",
                "items": content[section["key"]][1],
            }
            for section in sheet["sections"]
        ]
    }
