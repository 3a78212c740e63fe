"""Forms of card templates: the template itself with its schedule, and the quick add's choice."""

from typing import Any, cast

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    Field,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lean.boards import recurrence
from lean.boards.card_templates import CHECKLIST_ITEM_LENGTH, CHECKLIST_ITEMS, checklist_lines
from lean.models import Recurrence, Theme
from lean.shared.fields import DayField, id_choice, optional_int, theme_choices
from lean.shared.labels import IMPROVEMENT_FIELDS
from lean.shared.web import choices, name_in_language


def _week_of_month(value: str | int | None) -> int | None:
    """The coerce of "which week of the month": 1 to 4, or -1 for the last."""
    if value in (None, "", "None"):
        return None
    if value in (-1, "-1"):
        return -1
    return id_choice(value)


class CardTemplateForm(FlaskForm):
    version = HiddenField()
    title = StringField(IMPROVEMENT_FIELDS["title"], validators=[DataRequired(), Length(max=200)])
    problem = TextAreaField(IMPROVEMENT_FIELDS["problem"], validators=[Length(max=5000)])
    theme_id = SelectField(
        IMPROVEMENT_FIELDS["theme_id"], coerce=optional_int, validators=[InputRequired()]
    )
    focus_area_id = SelectField(
        IMPROVEMENT_FIELDS["focus_area_id"], coerce=optional_int, validators=[Optional()]
    )
    checklist = TextAreaField(_l("Checklist, one item per line"), validators=[Length(max=20000)])
    recurrence = RadioField(_l("Repeat"), default=Recurrence.NONE, validators=[Optional()])
    every_weeks = IntegerField(
        _l("Every how many weeks"), validators=[Optional(), NumberRange(min=1, max=52)]
    )
    weekday = SelectField(_l("Weekday"), coerce=optional_int, validators=[Optional()])
    week_of_month = SelectField(
        _l("Which one of the month"), coerce=_week_of_month, validators=[Optional()]
    )
    starts_on = DayField(_l("Starting from"))

    def __init__(self, themes: list[Theme], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.theme_id.choices = theme_choices(themes)
        self.focus_area_id.choices = choices(
            [("", _l("No focus area"))]
            + [
                (area.id, f"{name_in_language(theme)}: {name_in_language(area)}")
                for theme in themes
                for area in theme.focus_areas
            ]
        )
        self.focus_areas_of_theme = {t.id: {a.id for a in t.focus_areas} for t in themes}
        self.recurrence.choices = [
            (Recurrence.NONE, _l("Not recurring: cards are made from it by hand")),
            (Recurrence.WEEKS, _l("Every few weeks on a weekday")),
            (Recurrence.MONTHDAY, _l("On a weekday of every month")),
        ]
        self.weekday.choices = choices(
            [("", _l("Choose a weekday")), *list(recurrence.WEEKDAY_NAMES.items())]
        )
        self.week_of_month.choices = choices(
            [("", _l("Choose one")), *list(recurrence.WEEKS_OF_MONTH.items())]
        )

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        focus = self.focus_area_id.data
        if focus and focus not in self.focus_areas_of_theme.get(self.theme_id.data, ()):
            self._refuse(self.focus_area_id, _l("Choose a focus area of the chosen theme."))
            valid = False
        lines = [line for line in (self.checklist.data or "").splitlines() if line.strip()]
        if len(lines) > CHECKLIST_ITEMS:
            self._refuse(
                self.checklist,
                _l("A checklist has at most %(count)d items.", count=CHECKLIST_ITEMS),
            )
            valid = False
        elif any(len(line.strip()) > CHECKLIST_ITEM_LENGTH for line in lines):
            self._refuse(
                self.checklist,
                _l("An item has at most %(count)d characters.", count=CHECKLIST_ITEM_LENGTH),
            )
            valid = False
        kind = self.recurrence.data
        needed: list[tuple[Field, Any]] = []
        if kind in (Recurrence.WEEKS, Recurrence.MONTHDAY):
            needed.append((self.weekday, _l("Choose the weekday.")))
        if kind == Recurrence.WEEKS:
            needed.append((self.every_weeks, _l("Say every how many weeks.")))
            needed.append((self.starts_on, _l("Give the date the weeks are counted from.")))
        if kind == Recurrence.MONTHDAY:
            needed.append((self.week_of_month, _l("Choose which one of the month.")))
        for field, message in needed:
            if field.data in (None, "") and not field.errors:
                self._refuse(field, message)
                valid = False
        return valid

    @staticmethod
    def _refuse(field, message) -> None:
        cast(list, field.errors).append(message)

    def schedule_in_words(self) -> str:
        """The schedule as typed so far, in a sentence (the form shows it beside the fields)."""
        return recurrence.describe(
            self.recurrence.data or Recurrence.NONE,
            self.every_weeks.data if not self.every_weeks.errors else None,
            self.weekday.data if not self.weekday.errors else None,
            self.week_of_month.data if not self.week_of_month.errors else None,
        )

    def checklist_items(self) -> list[str]:
        return checklist_lines(self.checklist.data or "")


class FromTemplateForm(FlaskForm):
    """The board's "From template" next to the quick add."""

    template_id = SelectField(
        _l("From template"), coerce=optional_int, validators=[InputRequired()]
    )

    def __init__(self, offered: list[tuple[int, str]], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.template_id.choices = choices([("", _l("Choose a template")), *offered])
