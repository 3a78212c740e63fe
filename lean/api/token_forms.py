"""The form that makes a personal access token: its name, its access and its last day."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import to_user_timezone
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length

from lean.core.i18n import format_day
from lean.models.base import utcnow
from lean.shared.fields import DayField
from lean.shared.web import choices

NAME_LENGTH = 100
DEFAULT_DAYS = 90
LONGEST_DAYS = 365
READ = "read"
WRITE = "write"


def local_today() -> date:
    """Today where the person is (the installation's time zone)."""
    return to_user_timezone(utcnow()).date()


class TokenForm(FlaskForm):
    name = StringField(
        _l("Name"),
        validators=[DataRequired(), Length(max=NAME_LENGTH)],
        description=_l("What the token is for, e.g. “Power BI report”."),
    )
    access = RadioField(
        _l("Access"),
        default=READ,
        validators=[InputRequired()],
    )
    expires_on = DayField(_l("Works until the end of"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        today = local_today()
        kwargs.setdefault("expires_on", today + timedelta(days=DEFAULT_DAYS))
        super().__init__(*args, **kwargs)
        self.access.choices = choices(
            [
                (READ, _l("Read only: the token can read what you can read")),
                (WRITE, _l("Read and write: the token can also change what you can change")),
            ]
        )
        self.today = today
        self.latest = today + timedelta(days=LONGEST_DAYS)
        # The browser's date picker offers only the days the form takes.
        self.expires_on.render_kw = {"min": today.isoformat(), "max": self.latest.isoformat()}

    def validate_expires_on(self, field) -> None:
        if field.data is None:
            return
        if not self.today <= field.data <= self.latest:
            raise ValidationError(
                _(
                    "Choose a day from today to %(latest)s: a token works for a year at most.",
                    latest=format_day(self.latest),
                )
            )

    @property
    def can_write(self) -> bool:
        return self.access.data == WRITE
