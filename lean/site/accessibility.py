"""The accessibility statement that the Finnish Act on the Provision of Digital Services
(306/2019) asks of a public-sector service: public, in every language of the service."""

from datetime import date

from flask import Blueprint, current_app, render_template

from lean.core.i18n import current_language

accessibility_blueprint = Blueprint("accessibility", __name__)

# When the statement was last assessed; change it together with the lists in the template.
ASSESSED_ON = date(2026, 11, 29)

# The authority that supervises accessibility in Finland and takes complaints. Since 1.1.2025
# (Act 306/2019 as amended, HE 71/2024) it is Traficom, which took the task over from the
# Regional State Administrative Agency for Southern Finland. Names and sites per language as
# the authority writes them in its own statements; one place to change when they change.
SUPERVISING_AUTHORITY: dict[str, str | dict[str, str]] = {
    "name": {
        "fi": "Liikenne- ja viestintävirasto Traficom",
        "sv": "Transport- och kommunikationsverket Traficom",
        "en": "Finnish Transport and Communications Agency Traficom",
    },
    "unit": {
        "fi": "Digitaalisen esteettömyyden ja saavutettavuuden valvontayksikkö",
        "sv": "Enheten för tillsyn över digital tillgänglighet",
        "en": "Digital Accessibility Supervision Unit",
    },
    "website": {
        "fi": "https://www.saavutettavuusvaatimukset.fi",
        "sv": "https://www.tillganglighetskrav.fi",
        "en": "https://www.webaccessibility.fi",
    },
    "email": "saavutettavuus@traficom.fi",
    "phone": "029 534 5000",
}


def authority_in(language: str) -> dict[str, str]:
    """The supervising authority's contact details in one language."""
    return {
        key: value[language] if isinstance(value, dict) else value
        for key, value in SUPERVISING_AUTHORITY.items()
    }


@accessibility_blueprint.get("/accessibility")
def statement():
    """The accessibility statement: public, no login needed."""
    return render_template(
        "accessibility/statement.html",
        assessed_on=ASSESSED_ON,
        contact=current_app.config.get("ACCESSIBILITY_CONTACT"),
        authority=authority_in(current_language()),
    )
