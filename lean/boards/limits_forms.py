"""The forms of work-in-progress limits: the team's limits, and the reason for a move over one."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, TextAreaField
from wtforms.validators import Length, Optional, StopValidation, ValidationError

from lean.boards.limits import LIMITED_STAGES, REASON_MAX

LIMIT_MESSAGE = _l("A whole number from 1 to 99, or empty.")


class LimitField(IntegerField):
    """A stage's limit: one message for whatever is wrong with it, not two."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(LIMIT_MESSAGE) from None


def _within_range(form, field):
    if field.process_errors:
        raise StopValidation()  # its own message says it already
    if field.data is not None and not 1 <= field.data <= 99:
        raise ValidationError(LIMIT_MESSAGE)


def _limit(label):
    return LimitField(label, validators=[Optional(), _within_range])


class WipLimitsForm(FlaskForm):
    plan = _limit(_l("Plan"))
    do = _limit(_l("Do"))
    check = _limit(_l("Check"))
    act = _limit(_l("Act"))
    hard = BooleanField(_l("Hard limit: refuse a move into a full column"))
    # The limits as the form showed them (limits.limits_seen): a save over someone else's newer
    # limits is told, not made.
    seen = HiddenField()

    def limits(self) -> dict[str, int | None]:
        return {stage.value: self[stage.value].data for stage in LIMITED_STAGES}


class OverLimitReasonForm(FlaskForm):
    """Sent with the move it explains (its own fields are the move's), so no token of its own:
    the move's form carries it."""

    class Meta:
        csrf = False

    over_limit_reason = TextAreaField(
        _l("Over the limit because"), validators=[Optional(), Length(max=REASON_MAX)]
    )
