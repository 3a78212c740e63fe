"""The dashboard's filters, read from the query string so that a view can be bookmarked."""

from __future__ import annotations

from datetime import date, timedelta
from typing import cast

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField
from wtforms.validators import Optional
from wtforms.widgets import CheckboxInput, ListWidget

from lean.models import Organization, Team, Theme
from lean.shared.fields import DayField, id_choice, optional_int, theme_choices
from lean.shared.web import choices

# A custom period may span at most this many days (the throughput chart has a bar per month).
LONGEST_PERIOD_DAYS = 5 * 366


def period_choices():
    return choices(
        [
            ("month", _l("This month")),
            ("term", _l("This term")),
            ("year", _l("This year")),
            ("custom", _l("Custom dates")),
        ]
    )


def preset_period(period: str, today: date) -> tuple[date, date]:
    """A named period up to today.

    Finnish school terms: autumn from 1 August to 31 December, spring from 1 January to 31 July.
    """
    if period == "month":
        return today.replace(day=1), today
    if period == "year":
        return today.replace(month=1, day=1), today
    term_start = (
        today.replace(month=8, day=1) if today.month >= 8 else today.replace(month=1, day=1)
    )
    return term_start, today


class DashboardFilterForm(FlaskForm):
    """Period, theme and teams; admins also choose the organization. GET only, so no CSRF."""

    class Meta:
        csrf = False

    organization = SelectField(_l("Organization"), coerce=optional_int, validators=[Optional()])
    period = SelectField(_l("Period"), default="term", validators=[Optional()])
    date_from = DayField(_l("From"))
    date_to = DayField(_l("To"))
    theme = SelectField(_l("Theme"), coerce=optional_int, validators=[Optional()])
    teams = SelectMultipleField(
        _l("Teams"),
        coerce=id_choice,
        validators=[Optional()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )

    def __init__(
        self,
        themes: list[Theme],
        teams: list[Team],
        organizations: list[Organization] | None,
        *args,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.period.choices = period_choices()
        self.theme.choices = choices([("", _l("All themes"))]) + theme_choices(themes)
        self.teams.choices = choices(
            (team.id, f"{team.name} ({_l('archived')})" if team.archived else team.name)
            for team in teams
        )
        if organizations:
            self.organization.choices = choices((o.id, o.name) for o in organizations)
        else:
            del self.organization

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.period.data == "custom":
            if not self.date_from.data:
                self.date_from.errors = [*self.date_from.errors, _l("Give the first day.")]
                valid = False
            if not self.date_to.data:
                self.date_to.errors = [*self.date_to.errors, _l("Give the last day.")]
                valid = False
            if self.date_from.data and self.date_to.data:
                if self.date_to.data < self.date_from.data:
                    self.date_to.errors = [
                        *self.date_to.errors,
                        _l("The last day comes before the first."),
                    ]
                    valid = False
                elif self.date_to.data - self.date_from.data > timedelta(LONGEST_PERIOD_DAYS):
                    self.date_to.errors = [
                        *self.date_to.errors,
                        _l("Choose a period of at most five years."),
                    ]
                    valid = False
        return valid

    def period_dates(self, today: date) -> tuple[date, date]:
        """The chosen period; the default term when the choice has errors."""
        if self.period.data == "custom" and not (self.date_from.errors or self.date_to.errors):
            return cast(date, self.date_from.data), cast(date, self.date_to.data)  # validated
        period = self.period.data if self.period.data in ("month", "year") else "term"
        return preset_period(period, today)
