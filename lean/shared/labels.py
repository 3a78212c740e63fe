"""Names of stages and of a card's fields as people read them; every area uses them."""

from flask import g
from flask_babel import gettext as _

from lean.core.i18n import format_day
from lean.models import Stage


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
    from lean.boards.forms import ImprovementForm

    field = getattr(ImprovementForm, name, None)
    return str(field.kwargs.get("label") or field.args[0]) if field is not None else name


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
