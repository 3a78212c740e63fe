"""Forms of the stand-up pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lean.models import User
from lean.shared.fields import DayField, id_choice, optional_int, stage_choices
from lean.shared.web import choices


class CheckboxList(SelectMultipleField):
    """A multiple choice shown as checkboxes, one per option."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class MoveCardForm(FlaskForm):
    stage = SelectField(_l("Move to stage"), validators=[DataRequired()])
    # Asked for when the stage's column is at its work-in-progress limit.
    over_limit_reason = TextAreaField(
        _l("Over the limit because"), validators=[Optional(), Length(max=500)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.stage.choices = stage_choices()


class ShowCardForm(FlaskForm):
    # The agenda place the leader moves everyone to: each "show card" button carries its own.
    card = IntegerField(_l("Card"), validators=[InputRequired(), NumberRange(min=1)])


class BlockForm(FlaskForm):
    reason = StringField(
        _l("Reason for the block"),
        validators=[DataRequired(_l("Say why the card is blocked.")), Length(max=500)],
    )


class OwnerForm(FlaskForm):
    owner_id = SelectField(_l("Owner"), coerce=optional_int, validators=[Optional()])

    def __init__(self, members: list[User], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.owner_id.choices = choices([("", _l("No owner"))] + [(m.id, m.name) for m in members])


class DueDateForm(FlaskForm):
    due_date = DayField(_l("Due date"))


class DecisionForm(FlaskForm):
    # The decision as it was when the form was shown: a save over someone else's newer one
    # is refused rather than lost.
    previous = HiddenField()
    decision = TextAreaField(
        _l("What was decided"),
        validators=[DataRequired(_l("Write the decision.")), Length(max=2000)],
    )


class NoteForm(FlaskForm):
    note = TextAreaField(
        _l("Note"), validators=[DataRequired(_l("Write the note.")), Length(max=2000)]
    )


class EscalateForm(FlaskForm):
    question = TextAreaField(
        _l("Question to the coordinators"),
        validators=[DataRequired(_l("Write the question.")), Length(max=2000)],
    )


class AnswerForm(FlaskForm):
    answer = TextAreaField(
        _l("Answer"), validators=[DataRequired(_l("Write the answer.")), Length(max=5000)]
    )


class FinishForm(FlaskForm):
    version = HiddenField()
    attendees = CheckboxList(_l("Attendees"), coerce=id_choice, validators=[Optional()])
    guests = StringField(_l("Guests"), validators=[Length(max=500)])
    note = TextAreaField(_l("Note"), validators=[Length(max=5000)])
    plus = TextAreaField(_l("Plus: what went well in this stand-up"), validators=[Length(max=2000)])
    delta = TextAreaField(_l("Delta: what to change next time"), validators=[Length(max=2000)])

    def __init__(self, members: list[User], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.attendees.choices = choices((m.id, m.name) for m in members)


WEEKDAYS = (
    (1, _l("Monday")),
    (2, _l("Tuesday")),
    (3, _l("Wednesday")),
    (4, _l("Thursday")),
    (5, _l("Friday")),
    (6, _l("Saturday")),
    (7, _l("Sunday")),
)


def _limit(label):
    return IntegerField(label, validators=[InputRequired(), NumberRange(min=1, max=365)])


class SettingsForm(FlaskForm):
    minutes = IntegerField(
        _l("Planned length (minutes)"), validators=[InputRequired(), NumberRange(min=5, max=60)]
    )
    weekdays = CheckboxList(_l("Stand-up days"), coerce=id_choice, validators=[Optional()])
    at = TimeField(_l("Time"), validators=[Optional()])
    plan = _limit(_l("Plan"))
    do = _limit(_l("Do"))
    check = _limit(_l("Check"))
    act = _limit(_l("Act"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.weekdays.choices = choices(WEEKDAYS)
