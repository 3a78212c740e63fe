"""What the card page's checklist shows: its items, the form to add one, the item being
edited, a refused edit's conflict, and where focus goes after the checklist is redrawn."""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length

from lean.boards import checklists
from lean.models import ChecklistItem, Improvement


def _text_checks() -> list:
    return [DataRequired(), Length(max=checklists.TEXT_LENGTH)]


class AddChecklistItemForm(FlaskForm):
    """A new item's text."""

    text = StringField(_l("New checklist item"), validators=_text_checks())


class EditChecklistItemForm(FlaskForm):
    """An item's new text, with the version of the item the editor loaded."""

    text = StringField(_l("Checklist item"), validators=_text_checks())
    version = HiddenField()


@dataclass
class ChecklistConflict:
    """An edit refused because someone else edited or removed the item meanwhile: what it
    says now (None when removed), and what the editor typed, which is kept."""

    item_id: int
    current_text: str | None
    your_text: str
    # A removal refused because the item's text changed after the remover saw it.
    removing: bool = False


@dataclass
class ChecklistState:
    improvement: Improvement
    items: list[ChecklistItem]
    can_write: bool
    add_form: AddChecklistItemForm
    editing: int | None = None
    edit_form: EditChecklistItemForm | None = None
    conflict: ChecklistConflict | None = None
    # The id of the control that gets focus once htmx has swapped the checklist in.
    focus: str | None = None

    @property
    def done(self) -> int:
        return sum(1 for item in self.items if item.done)

    @classmethod
    def load(cls, improvement: Improvement, can_write: bool, **shown) -> ChecklistState:
        add_form = shown.pop("add_form", None) or AddChecklistItemForm(formdata=None)
        return cls(
            improvement=improvement,
            items=checklists.checklist_items(improvement),
            can_write=can_write,
            add_form=add_form,
            **shown,
        )
