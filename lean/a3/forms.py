"""Forms of the A3 sheet: one per section, one per kind of list item, comments and filters."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from lean.core.input_checks import version_from
from lean.models import CauseCategory, User
from lean.shared.fields import DayField, FigureField, optional_int, stage_choices, theme_choices
from lean.shared.web import choices

TEXT = [Length(max=5000)]
# The figures' columns are NUMERIC(14, 2): twelve digits before the decimal point.
LARGEST_FIGURE = Decimal("999999999999.99")
FIGURE = [Optional(), NumberRange(min=-LARGEST_FIGURE, max=LARGEST_FIGURE)]


def optional_flag(value):
    """A yes/no/unknown select: "" is not known yet."""
    if value in (True, "yes"):
        return True
    if value in (False, "no"):
        return False
    return None


class SectionForm(FlaskForm):
    """A section's fields with the section's version as loaded, to detect a concurrent save."""

    version = HiddenField()

    def expected_version(self) -> int:
        return version_from(self.version.data)

    def changes(self) -> dict:
        return {
            name: _submitted(field)
            for name, field in self._fields.items()
            if name not in ("version", "csrf_token")
        }


def _submitted(field) -> Any:
    """A field's value to save: text stripped, and a text field left out of the request (a
    browser always sends it) empty, as its column holds no NULL."""
    if isinstance(field, StringField):
        return (field.data or "").strip()
    return field.data


class HeaderForm(SectionForm):
    title = StringField(
        _l("Title naming the problem"), validators=[DataRequired(), Length(max=200)]
    )
    coach_id = SelectField(_l("Coach"), coerce=optional_int, validators=[Optional()])

    def __init__(self, coaches: list[User], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.coach_id.choices = choices(
            [("", _l("No coach"))] + [(user.id, user.name) for user in coaches]
        )


class BackgroundForm(SectionForm):
    background = TextAreaField(_l("Background"), validators=TEXT)


class CurrentConditionForm(SectionForm):
    current_condition = TextAreaField(_l("Current condition"), validators=TEXT)


class GoalForm(SectionForm):
    target_condition = TextAreaField(_l("Target condition"), validators=TEXT)
    measure = StringField(_l("Measure"), validators=[Length(max=200)])
    unit = StringField(_l("Unit"), validators=[Length(max=50)])
    baseline = FigureField(_l("Baseline"), validators=FIGURE)
    target = FigureField(_l("Target"), validators=FIGURE)
    target_date = DayField(_l("Target date"))


class EffectForm(SectionForm):
    effect_planned = FigureField(_l("Planned value"), validators=FIGURE)
    effect_planned_on = DayField(_l("Planned by"))
    effect_actual = FigureField(_l("Actual value"), validators=FIGURE)
    effect_actual_on = DayField(_l("Measured on"))
    target_reached = SelectField(_l("Target reached"), coerce=optional_flag)
    effect_note = TextAreaField(_l("What the measurement showed"), validators=TEXT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.target_reached.choices = choices(
            [("", _l("Not known yet")), ("yes", _l("Yes")), ("no", _l("No"))]
        )

    def changes(self) -> dict:
        values = super().changes()
        values["target_reached"] = optional_flag(self.target_reached.data)
        return values


class FollowUpForm(SectionForm):
    standard = TextAreaField(_l("New standard"), validators=TEXT)
    learned = TextAreaField(_l("What we learned"), validators=TEXT)
    applies_elsewhere = TextAreaField(_l("Where else it could apply"), validators=TEXT)


SECTION_FORMS = {
    "background": BackgroundForm,
    "current_condition": CurrentConditionForm,
    "goal": GoalForm,
    "effect": EffectForm,
    "follow_up": FollowUpForm,
}


class WhyForm(SectionForm):
    text = StringField(_l("Why?"), validators=[DataRequired(), Length(max=500)])


class CauseForm(SectionForm):
    category = SelectField(_l("Category"), validators=[InputRequired()])
    text = StringField(_l("Cause"), validators=[DataRequired(), Length(max=500)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from lean.a3.sections import cause_category_label

        self.category.choices = choices(
            (category.value, cause_category_label(category)) for category in CauseCategory
        )


class CountermeasureForm(SectionForm):
    option = StringField(_l("Option"), validators=[DataRequired(), Length(max=300)])
    pros = TextAreaField(_l("Pros"), validators=TEXT)
    cons = TextAreaField(_l("Cons"), validators=TEXT)
    chosen = BooleanField(_l("Chosen"))


class ActionForm(SectionForm):
    what = StringField(_l("What"), validators=[DataRequired(), Length(max=300)])
    who_id = SelectField(_l("Who"), coerce=optional_int, validators=[Optional()])
    due_on = DayField(_l("When"))
    done = BooleanField(_l("Done"))

    def __init__(self, people: list[tuple[int, str]], *args, **kwargs):
        """`people`: the (user id, name as the viewer may see it) an action can be given to."""
        super().__init__(*args, **kwargs)
        self.who_id.choices = choices([("", _l("Nobody yet")), *people])


class CommentForm(FlaskForm):
    body = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=5000)])
    parent_id = HiddenField()


class AnswerForm(CommentForm):
    body = TextAreaField(_l("Your answer"), validators=[DataRequired(), Length(max=5000)])


class PeerCoachForm(FlaskForm):
    email = EmailField(_l("Peer coach's email"), validators=[DataRequired(), Length(max=254)])


PROGRESS_CHOICES = ("complete", "incomplete", "open_actions")


class A3FilterForm(FlaskForm):
    """The A3 list's filters, read from the query string (GET changes nothing, so no CSRF)."""

    class Meta:
        csrf = False

    theme = SelectField(_l("Theme"), coerce=optional_int, validators=[Optional()])
    stage = SelectField(_l("Stage"), validators=[Optional()])
    coach = SelectField(_l("Coach"), coerce=optional_int, validators=[Optional()])
    progress = SelectField(_l("Progress"), validators=[Optional()])

    def __init__(self, themes, coaches: list[User], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.theme.choices = choices([("", _l("All themes"))]) + theme_choices(themes)
        self.stage.choices = choices([("", _l("All stages"))]) + stage_choices()
        self.coach.choices = choices([("", _l("All coaches"))] + [(u.id, u.name) for u in coaches])
        self.progress.choices = choices(
            [
                ("", _l("Any progress")),
                ("complete", _l("All eight sections filled")),
                ("incomplete", _l("Sections still empty")),
                ("open_actions", _l("Actions still open")),
            ]
        )
