"""Forms of the admin pages and the profile."""

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp, ValidationError

from lean.admin import queries
from lean.auth.services import email_taken
from lean.core.i18n import LANGUAGE_NAMES
from lean.models import TeamRole
from lean.shared.fields import DayField, optional_int
from lean.shared.web import choices


def language_choices(allow_none: bool = False):
    pairs = [("", _l("Browser's language"))] if allow_none else []
    return choices(pairs + list(LANGUAGE_NAMES.items()))


def role_choices():
    return choices(
        [(TeamRole.MEMBER.value, _l("Member")), (TeamRole.SUPERVISOR.value, _l("Supervisor"))]
    )


def contrast_with_white(colour: str) -> float:
    """WCAG contrast ratio of a #rrggbb colour against white."""

    def channel(value: float) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)
    return 1.05 / (luminance + 0.05)


class OrganizationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    active = BooleanField(_l("Active"), default=True)

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization

    def validate_name(self, field):
        other = queries.organization_named(field.data)
        if other is not None and other is not self.organization:
            raise ValidationError(_l("There is already an organization with this name."))


class TeamForm(FlaskForm):
    name = StringField(_l("Team name"), validators=[DataRequired(), Length(max=200)])
    archived = BooleanField(_l("Archived (the board becomes read-only)"))

    def __init__(self, organization, *args, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization, self.team = organization, team

    def validate_name(self, field):
        if queries.team_named(self.organization, field.data, except_team=self.team):
            raise ValidationError(_l("The organization already has a team with this name."))


class UserForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        _l("Email"), validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)]
    )
    language = SelectField(_l("Language"), validators=[Optional()])
    is_coordinator = BooleanField(_l("Coordinator of the organization"))
    active = BooleanField(_l("Active (may log in)"), default=True)

    def __init__(self, *args, person=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices(allow_none=True)
        self.person = person

    def validate_email(self, field):
        if email_taken(field.data, except_user=self.person):
            raise ValidationError(_l("Someone already uses this email address."))


class MembershipForm(FlaskForm):
    user_id = SelectField(_l("Person"), coerce=optional_int, validators=[DataRequired()])
    role = SelectField(_l("Role"), validators=[DataRequired()])

    def __init__(self, people, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.user_id.choices = choices(
            [("", _l("Choose a person"))] + [(p.id, f"{p.name} ({p.email})") for p in people]
        )
        self.role.choices = role_choices()


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.role.choices = role_choices()


class ThemeForm(FlaskForm):
    key = StringField(
        _l("Key"),
        validators=[
            DataRequired(),
            Length(max=50),
            Regexp(r"^[a-z][a-z0-9_]*$", message=_l("Lower-case letters, digits and _ only.")),
        ],
    )
    name_fi = StringField(_l("Name in Finnish"), validators=[DataRequired(), Length(max=200)])
    name_sv = StringField(_l("Name in Swedish"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=200)])
    colour = StringField(_l("Colour"), validators=[DataRequired()], default="#0b5cad")
    retired = BooleanField(_l("Retired (no new work can choose it)"))

    def __init__(self, *args, theme=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.theme = theme

    def validate_key(self, field):
        if queries.theme_keyed(field.data, except_theme=self.theme):
            raise ValidationError(_l("Another theme has this key."))

    def validate_colour(self, field):
        if not re.fullmatch(r"#[0-9a-fA-F]{6}", field.data or ""):
            raise ValidationError(_l("Give the colour as #rrggbb."))
        if contrast_with_white(field.data) < 3:
            raise ValidationError(
                _l("Too light: the colour needs a contrast of at least 3:1 with white.")
            )


class FocusAreaForm(FlaskForm):
    name_fi = StringField(_l("Name in Finnish"), validators=[DataRequired(), Length(max=200)])
    name_sv = StringField(_l("Name in Swedish"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=200)])


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    language = SelectField(_l("Language"), validators=[DataRequired()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language.choices = language_choices()


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    subject = SelectField(_l("What"), validators=[Optional()])
    actor = SelectField(_l("Who"), coerce=optional_int, validators=[Optional()])
    date_from = DayField(_l("From"))
    date_to = DayField(_l("To"))

    def __init__(self, actors, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.subject.choices = choices(
            [
                ("", _l("Everything")),
                ("organization", _l("Organizations")),
                ("team", _l("Teams and roles")),
                ("user", _l("People")),
                ("theme", _l("Themes")),
                ("sign_on_provider", _l("Sign-on providers")),
                ("webhook_endpoint", _l("Webhooks")),
            ]
        )
        self.actor.choices = choices([("", _l("Anyone"))] + [(a.id, a.name) for a in actors])
