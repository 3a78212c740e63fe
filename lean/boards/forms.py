"""Forms of the board and the card page."""

import json
from typing import cast

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lean.models import Theme, User
from lean.shared.fields import DayField, FigureField, optional_int, stage_choices, theme_choices
from lean.shared.labels import IMPROVEMENT_FIELDS
from lean.shared.web import choices, name_in_language


class QuickAddForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    theme_id = SelectField(_l("Theme"), coerce=optional_int, validators=[InputRequired()])

    def __init__(self, themes: list[Theme], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.theme_id.choices = choices([("", _l("Choose a theme"))]) + theme_choices(themes)


class MoveForm(FlaskForm):
    stage = SelectField(_l("Move to"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage.choices = stage_choices()


class ImprovementForm(FlaskForm):
    version = HiddenField()
    # The editable fields as loaded, so that a save merges with changes made meanwhile.
    original = HiddenField()
    title = StringField(IMPROVEMENT_FIELDS["title"], validators=[DataRequired(), Length(max=200)])
    problem = TextAreaField(IMPROVEMENT_FIELDS["problem"], validators=[Length(max=5000)])
    theme_id = SelectField(
        IMPROVEMENT_FIELDS["theme_id"], coerce=optional_int, validators=[InputRequired()]
    )
    focus_area_id = SelectField(
        IMPROVEMENT_FIELDS["focus_area_id"], coerce=optional_int, validators=[Optional()]
    )
    owner_id = SelectField(
        IMPROVEMENT_FIELDS["owner_id"], coerce=optional_int, validators=[Optional()]
    )
    due_date = DayField(IMPROVEMENT_FIELDS["due_date"])
    blocked = BooleanField(IMPROVEMENT_FIELDS["blocked"])
    blocked_reason = StringField(IMPROVEMENT_FIELDS["blocked_reason"], validators=[Length(max=500)])
    expected_effect = TextAreaField(
        IMPROVEMENT_FIELDS["expected_effect"], validators=[Length(max=5000)]
    )
    what_was_tried = TextAreaField(
        IMPROVEMENT_FIELDS["what_was_tried"], validators=[Length(max=5000)]
    )
    measured_result = TextAreaField(
        IMPROVEMENT_FIELDS["measured_result"], validators=[Length(max=5000)]
    )
    standard = TextAreaField(IMPROVEMENT_FIELDS["standard"], validators=[Length(max=5000)])
    hours_saved_per_month = FigureField(
        IMPROVEMENT_FIELDS["hours_saved_per_month"],
        places=1,
        validators=[Optional(), NumberRange(min=0, max=100000)],
    )
    money_saved_per_year = FigureField(
        IMPROVEMENT_FIELDS["money_saved_per_year"],
        places=2,
        validators=[Optional(), NumberRange(min=0, max=1e9)],
    )
    quality_change = StringField(IMPROVEMENT_FIELDS["quality_change"], validators=[Length(max=500)])

    def __init__(self, themes: list[Theme], members: list[User], *args, **kwargs):
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
        self.owner_id.choices = choices([("", _l("No owner"))] + [(m.id, m.name) for m in members])
        self.focus_areas_of_theme = {t.id: {a.id for a in t.focus_areas} for t in themes}

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.blocked.data and not (self.blocked_reason.data or "").strip():
            cast(list, self.blocked_reason.errors).append(_l("Say why the card is blocked."))
            valid = False
        focus = self.focus_area_id.data
        if focus and focus not in self.focus_areas_of_theme.get(self.theme_id.data, ()):
            cast(list, self.focus_area_id.errors).append(
                _l("Choose a focus area of the chosen theme.")
            )
            valid = False
        return valid

    def original_values(self) -> dict | None:
        """The loaded values sent back with the form; None when missing or unreadable."""
        try:
            values = json.loads(self.original.data or "")
        except ValueError:
            return None
        return values if isinstance(values, dict) else None

    def changes(self) -> dict:
        """The submitted values, keyed by the improvement's field names."""
        return {
            "title": cast(str, self.title.data).strip(),  # required
            "problem": self.problem.data or "",
            "theme_id": self.theme_id.data,
            "focus_area_id": self.focus_area_id.data,
            "owner_id": self.owner_id.data,
            "due_date": self.due_date.data,
            "blocked": self.blocked.data,
            "blocked_reason": (self.blocked_reason.data or "").strip() if self.blocked.data else "",
            "expected_effect": self.expected_effect.data or "",
            "what_was_tried": self.what_was_tried.data or "",
            "measured_result": self.measured_result.data or "",
            "standard": self.standard.data or "",
            "hours_saved_per_month": self.hours_saved_per_month.data,
            "money_saved_per_year": self.money_saved_per_year.data,
            "quality_change": self.quality_change.data or "",
        }


class BoardFilterForm(FlaskForm):
    """The board's filters, read from the query string (GET changes nothing, so no CSRF)."""

    class Meta:
        csrf = False

    theme = SelectField(_l("Theme"), coerce=optional_int, validators=[Optional()])
    owner = SelectField(_l("Owner"), coerce=optional_int, validators=[Optional()])
    blocked = BooleanField(_l("Blocked only"))
    done = HiddenField()

    def __init__(self, themes: list[Theme], members: list[User], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.theme.choices = choices([("", _l("All themes"))]) + theme_choices(themes)
        self.owner.choices = choices([("", _l("All owners"))] + [(m.id, m.name) for m in members])
