"""The eight sections of an A3, their order on paper and the PDCA stage each belongs to."""

from __future__ import annotations

from dataclasses import dataclass

from flask import g
from flask_babel import gettext as _

from lean.models import CauseCategory, Stage


@dataclass(frozen=True)
class Section:
    key: str
    number: int
    stage: Stage
    # The sheet's own columns the section's form edits; lists (whys, actions…) have none.
    fields: tuple[str, ...] = ()

    @property
    def version_column(self) -> str:
        return f"{self.key}_version"

    @property
    def half(self) -> str:
        """Sections 1–4 fill the left half of the paper, 5–8 the right."""
        return "left" if self.number <= 4 else "right"


SECTIONS = (
    Section("background", 1, Stage.PLAN, ("background",)),
    Section("current_condition", 2, Stage.PLAN, ("current_condition",)),
    Section(
        "goal",
        3,
        Stage.PLAN,
        ("target_condition", "measure", "unit", "baseline", "target", "target_date"),
    ),
    Section("root_cause", 4, Stage.PLAN),
    Section("countermeasures", 5, Stage.PLAN),
    Section("plan", 6, Stage.DO),
    Section(
        "effect",
        7,
        Stage.CHECK,
        (
            "effect_planned",
            "effect_planned_on",
            "effect_actual",
            "effect_actual_on",
            "target_reached",
            "effect_note",
        ),
    ),
    Section("follow_up", 8, Stage.ACT, ("standard", "learned", "applies_elsewhere")),
)
# The header (title and coach) is versioned like a section, but is not one of the eight.
HEADER = Section("header", 0, Stage.PLAN, ("title", "coach_id"))
BY_KEY = {section.key: section for section in (*SECTIONS, HEADER)}
# Sections whose content is the sheet's own text fields, edited with one form each.
FORM_SECTIONS = {s.key for s in (*SECTIONS, HEADER) if s.fields}


def section_title(key: str) -> str:
    titles = g.get("a3_section_titles")
    if titles is None:
        titles = g.a3_section_titles = {
            "header": _("Title and coach"),
            "background": _("Background"),
            "current_condition": _("Current condition"),
            "goal": _("Goal / target condition"),
            "root_cause": _("Root-cause analysis"),
            "countermeasures": _("Countermeasures"),
            "plan": _("Implementation plan"),
            "effect": _("Effect confirmation"),
            "follow_up": _("Follow-up"),
        }
    return titles[key]


def section_prompt(key: str) -> str:
    """The question each section answers, shown while it is still empty."""
    return {
        "background": _("Why does this matter? How does it serve the theme?"),
        "current_condition": _(
            "What happens today, in facts and figures from where the work is done?"
        ),
        "goal": _("What do we measure, from what baseline to what target, by when?"),
        "root_cause": _("Ask “why?” until the root cause shows; sort the causes."),
        "countermeasures": _("Which options could remove the root cause? Which do we choose?"),
        "plan": _("What is done, by whom, by when?"),
        "effect": _("Did the measure move as planned? Was the target reached?"),
        "follow_up": _("What becomes the standard, what did we learn, where else could it apply?"),
    }[key]


def cause_category_label(category: str) -> str:
    return {
        CauseCategory.PEOPLE: _("People"),
        CauseCategory.METHODS: _("Methods"),
        CauseCategory.EQUIPMENT: _("Equipment"),
        CauseCategory.MATERIALS: _("Materials"),
        CauseCategory.MEASUREMENT: _("Measurement"),
        CauseCategory.ENVIRONMENT: _("Environment"),
    }[CauseCategory(category)]


def section_for_stage(stage: str) -> set[str]:
    """The sections the card's current stage works on: Plan 1–5, Do 6, Check 7, Act 8."""
    return {section.key for section in SECTIONS if section.stage.value == stage}
