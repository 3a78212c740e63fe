"""Forms for logging in, passwords, the language choice, invitations and password resets."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, Regexp

from lean.auth.passwords import strong_password
from lean.core.i18n import LANGUAGE_NAMES
from lean.models import Team, TeamRole
from lean.shared.fields import optional_int
from lean.shared.web import choices

# The shape of an address (something@domain.tld); whether it exists only a sent mail tells.
email_address = Regexp(
    r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("Enter an email address, like name@example.fi.")
)


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    # Empty when the person signs in with their organization's provider (the view decides).
    password = PasswordField(_l("Password"))
    remember = BooleanField(_l("Keep me logged in for 14 days"))
    next = HiddenField()


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), strong_password])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class LanguageForm(FlaskForm):
    language = SelectField(
        _l("Language"), choices=choices(LANGUAGE_NAMES.items()), validators=[DataRequired()]
    )
    next = HiddenField()


def stripped(value: str | None) -> str | None:
    return value.strip() if value else value


class InvitationForm(FlaskForm):
    email = EmailField(
        _l("Email of the person to invite"),
        validators=[DataRequired(), Length(max=254), email_address],
        filters=[stripped],
    )
    team = SelectField(_l("Team"), coerce=optional_int)
    role = SelectField(
        _l("Role in the team"),
        choices=choices(
            [(TeamRole.MEMBER.value, _l("Member")), (TeamRole.SUPERVISOR.value, _l("Supervisor"))]
        ),
        default=TeamRole.MEMBER.value,
        validators=[InputRequired()],
    )

    def __init__(self, teams: list[Team], *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.team.choices = choices([("", _l("No team yet"))] + [(t.id, t.name) for t in teams])


class AcceptInvitationForm(FlaskForm):
    name = StringField(_l("Your name"), validators=[DataRequired(), Length(max=200)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), strong_password])
    confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )
    language = SelectField(
        _l("Language"), choices=choices(LANGUAGE_NAMES.items()), validators=[DataRequired()]
    )


class RequestResetForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        validators=[DataRequired(), Length(max=254), email_address],
        filters=[stripped],
    )


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(_l("New password"), validators=[DataRequired(), strong_password])
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )
