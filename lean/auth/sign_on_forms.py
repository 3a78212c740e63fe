"""Forms for the sign-on providers of an organization, its password switch, and a first team."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField, URLField
from wtforms.validators import URL, DataRequired, Length, Optional, ValidationError

from lean.auth.forms import stripped
from lean.models.sign_on import ProviderKind
from lean.shared.web import choices

DOMAIN_SHAPE = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$"


def _lines(value: str | None) -> str:
    return "\n".join(line.strip() for line in (value or "").splitlines() if line.strip())


def _domains(value: str | None) -> str:
    return "\n".join(
        line.strip().lower().lstrip("@") for line in (value or "").splitlines() if line.strip()
    )


class SignOnProviderForm(FlaskForm):
    name = StringField(
        _l("Name on the login button"),
        validators=[DataRequired(), Length(max=100)],
        filters=[stripped],
    )
    kind = SelectField(
        _l("Kind"),
        choices=choices(
            [
                (ProviderKind.ENTRA, _l("Microsoft Entra ID")),
                (ProviderKind.MPASSID, _l("MPASSid")),
                (ProviderKind.OIDC, _l("Other OpenID Connect provider")),
            ]
        ),
        default=ProviderKind.ENTRA,
    )
    discovery_url = URLField(
        _l("Discovery URL"),
        validators=[DataRequired(), Length(max=500), URL(require_tld=False)],
        filters=[stripped],
    )
    allowed_issuers = TextAreaField(
        _l("Allowed issuers (one per line)"), validators=[Optional()], filters=[_lines]
    )
    client_id = StringField(
        _l("Client ID"), validators=[DataRequired(), Length(max=255)], filters=[stripped]
    )
    client_secret = PasswordField(_l("Client secret"), validators=[Length(max=1000)])
    token_auth_method = SelectField(
        _l("How Vertaa sends the secret"),
        choices=choices(
            [
                ("client_secret_basic", _l("In the Authorization header (client_secret_basic)")),
                ("client_secret_post", _l("In the request body (client_secret_post)")),
            ]
        ),
        default="client_secret_basic",
    )
    domains = TextAreaField(
        _l("Email domains (one per line)"), validators=[DataRequired()], filters=[_domains]
    )
    active = BooleanField(_l("In use"), default=True)

    def __init__(self, *args, needs_secret: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs_secret = needs_secret

    def validate_client_secret(self, field):
        if self.needs_secret and not field.data:
            raise ValidationError(_l("Enter the client secret the provider gave."))

    def validate_domains(self, field):
        import re

        for domain in (field.data or "").splitlines():
            if not re.match(DOMAIN_SHAPE, domain):
                raise ValidationError(
                    _l("“%(domain)s” is not a domain, like koulu.fi.", domain=domain)
                )

    def validate_allowed_issuers(self, field):
        for issuer in (field.data or "").splitlines():
            if not issuer.startswith(("https://", "http://")):
                raise ValidationError(
                    _l("An issuer is an address, like https://login.microsoftonline.com/….")
                )


class PasswordsForm(FlaskForm):
    sign_on_only = BooleanField(_l("Sign-on only (no passwords for its people)"))


class JoinTeamForm(FlaskForm):
    """Only the CSRF token: the team is in the address."""
