"""Names of stages and of a card's fields as people read them; every area uses them."""

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lean.core.i18n import format_day
from lean.models import Stage

# A card's fields as its form and its history name them.
IMPROVEMENT_FIELDS = {
    "title": _l("Title"),
    "problem": _l("Problem"),
    "theme_id": _l("Theme"),
    "focus_area_id": _l("Focus area"),
    "owner_id": _l("Owner"),
    "due_date": _l("Due date"),
    "blocked": _l("Blocked"),
    "blocked_reason": _l("Reason for the block"),
    "expected_effect": _l("Plan: expected effect"),
    "what_was_tried": _l("Do: what was tried"),
    "measured_result": _l("Check: measured result"),
    "standard": _l("Act: standard or decision"),
    "hours_saved_per_month": _l("Hours saved per month"),
    "money_saved_per_year": _l("Money saved per year (€)"),
    "quality_change": _l("Quality or satisfaction change"),
}


def stage_label(stage: Stage | str) -> str:
    # A board asks for these hundreds of times; translate them once per request.
    labels = g.get("stage_labels")
    if labels is None:
        labels = g.stage_labels = {
            Stage.IDEA: _("Idea"),
            Stage.PLAN: _("Plan"),
            Stage.DO: _("Do"),
            Stage.CHECK: _("Check"),
            Stage.ACT: _("Act"),
            Stage.DONE: _("Done"),
        }
    return labels[Stage(stage)]


def field_label(name: str) -> str:
    label = IMPROVEMENT_FIELDS.get(name)
    return str(label) if label is not None else name


def display_value(name: str, value, form) -> str:
    """A field's value as the edit form would show it (names for ids, Yes/No for flags)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    field = form[name]
    if getattr(field, "choices", None):
        labels = {choice.value: choice.label for choice in field.choices}
        return str(labels.get(value, value))
    if hasattr(value, "isoformat"):
        return format_day(value)
    return str(value)


# A checklist change in a card's history and the stand-up's list of changes.
CHECKLIST_EVENTS = {
    "checklist_item_added": _l("added the checklist item “%(text)s”"),
    "checklist_item_edited": _l("changed the checklist item “%(before)s” to “%(text)s”"),
    "checklist_item_ticked": _l("ticked the checklist item “%(text)s”"),
    "checklist_item_unticked": _l("unticked the checklist item “%(text)s”"),
    "checklist_item_removed": _l("removed the checklist item “%(text)s”"),
    "checklist_reordered": _l("moved the checklist item “%(text)s” to place %(place)s of %(of)s"),
}


def checklist_event_text(kind: str, data: dict) -> str:
    """What a checklist event did, in words; its item's text as it was then."""
    sentence = CHECKLIST_EVENTS.get(kind)
    if sentence is None:
        return kind
    values = {"text": "", "before": "", "place": "", "of": ""}
    values.update({key: value for key, value in data.items() if key in values})
    return str(sentence) % values
