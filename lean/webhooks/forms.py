"""The webhook endpoint's form: its name, address, format, team and the event kinds wanted."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length

from lean.models import Team
from lean.models.connect import WebhookFormat
from lean.shared.fields import optional_int
from lean.shared.web import choices
from lean.webhooks.labels import KIND_GROUPS


class EndpointForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    url = StringField(_l("Address (URL)"), validators=[DataRequired(), Length(max=500)])
    format = RadioField(
        _l("Format"),
        choices=choices(
            [
                (WebhookFormat.STANDARD, _l("Standard Webhooks JSON")),
                (WebhookFormat.TEAMS, _l("Microsoft Teams channel (Workflows webhook)")),
            ]
        ),
        default=WebhookFormat.STANDARD,
        validators=[DataRequired()],
    )
    team_id = SelectField(_l("Team"), coerce=optional_int)
    kinds = SelectMultipleField(
        _l("Events to send"),
        choices=choices(
            (kind.value, label) for _title, kinds in KIND_GROUPS for kind, label in kinds
        ),
        validators=[DataRequired(message=_l("Choose at least one kind of event."))],
    )

    # The settings' version the edit form was loaded with (services.settings_version).
    version = HiddenField()

    def __init__(self, *args, teams: list[Team], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.team_id.choices = choices(
            [("", _l("Every team"))] + [(team.id, team.name) for team in teams]
        )


class EndpointDeleteForm(FlaskForm):
    """Only its CSRF token: posting it confirms the removal."""
