"""Language choice: the user's saved language, else the browser's, else Finnish.

The language picks the catalog (fi, sv, en); dates, times, numbers and money are written as
that language is written in Finland (Babel's fi_FI, sv_FI, en_FI), so a Swedish page reads
29.11.2026 18.32 and an English one 29/11/2026 — never Sweden's or the United States' forms.
"""

from flask import current_app, request, session
from flask_babel import get_locale
from flask_login import current_user

from lean.extensions import babel

LANGUAGE_NAMES = {"fi": "suomi", "sv": "svenska", "en": "English"}
COUNTRY = "FI"


def select_language() -> str:
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    if session.get("language") in languages:
        return session["language"]
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def locale_for(language: str) -> str:
    """The Babel locale that formats for a language in Finland: "sv" → "sv_FI"."""
    return f"{language}_{COUNTRY}"


def select_locale() -> str:
    # Catalogs are found by falling back from fi_FI to fi (gettext's own lookup order).
    return locale_for(select_language())


def current_language() -> str:
    return get_locale().language


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(current_language=current_language, LANGUAGE_NAMES=LANGUAGE_NAMES)
