"""Language choice: the user's saved language, else the browser's, else Finnish."""

from flask import current_app, request, session
from flask_babel import get_locale
from flask_login import current_user

from lean.extensions import babel

LANGUAGE_NAMES = {"fi": "suomi", "sv": "svenska", "en": "English"}


def select_language() -> str:
    languages = current_app.config["LANGUAGES"]
    if current_user and current_user.is_authenticated and current_user.language in languages:
        return current_user.language
    if session.get("language") in languages:
        return session["language"]
    return (
        request.accept_languages.best_match(languages) or current_app.config["BABEL_DEFAULT_LOCALE"]
    )


def current_language() -> str:
    return get_locale().language


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_language)
    app.jinja_env.globals.update(current_language=current_language, LANGUAGE_NAMES=LANGUAGE_NAMES)
