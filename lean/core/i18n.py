"""Language choice: the user's saved language, else the browser's, else Finnish.

The language picks the catalog (fi, sv, en); dates, times, numbers and money are written as
that language is written in Finland (Babel's fi_FI, sv_FI, en_FI), so a Swedish page reads
29.11.2026 18.32 and an English one 29/11/2026 — never Sweden's or the United States' forms.

Translations are looked up once per request: Flask-Babel finds the catalog again on every
gettext call (the locale, its identifier, a cache keyed by it), which a board of 200 cards
does some 2,000 times. RequestDomain keeps the request's catalog where Flask-Babel itself
forgets it when the language changes within a request (force_locale, refresh), so each
`_()` in a template or in Python costs one catalog dict lookup.

WTForms' own messages ("This field is required.") come from its catalog, which Flask-WTF
reads from disk and parses on every request that builds a form; here each worker reads it
once per language.
"""

from collections.abc import Callable
from datetime import date
from functools import lru_cache

from babel import support
from flask import current_app, has_request_context, request, session
from flask.globals import _cv_app
from flask_babel import (
    Domain,
    format_currency,
    format_date,
    format_datetime,
    format_decimal,
    get_locale,
    get_timezone,
)
from flask_login import current_user
from jinja2.nodes import EvalContext
from jinja2.utils import pass_eval_context
from markupsafe import Markup

from lean.core.extensions import babel

LANGUAGE_NAMES = {"fi": "suomi", "sv": "svenska", "en": "English"}
COUNTRY = "FI"


def _babel_state():
    """Flask-Babel's state of this app context (its locale, zone and translations once looked
    up), read without going through the `g` proxy three times as Flask-Babel does; None
    before its first look-up or outside an app context."""
    context = _cv_app.get(None)
    return None if context is None else getattr(context.g, "_flask_babel", None)


class RequestDomain(Domain):
    """Flask-Babel's message domain, with each request's translations looked up once."""

    def get_translations(self):
        # Flask-Babel's per-request state; force_locale and refresh reset its
        # babel_translations, so a changed language is looked up again.
        state = _babel_state()
        if state is None:  # first call of the request, or no app context
            return super().get_translations()
        cached = getattr(state, "babel_translations", None)
        if cached is None:
            cached = state.babel_translations = super().get_translations()
        return cached


class WTFormsCatalog:
    """WTForms' catalog in the request's language, loaded once per worker and language.

    Flask-WTF looks for it in `request.wtforms_translations` before loading it from disk.
    """

    loaded: dict[str, support.NullTranslations] = {}

    def _catalog(self) -> support.NullTranslations:
        locale = get_locale()
        key = str(locale)
        catalog = self.loaded.get(key)
        if catalog is None:
            from wtforms.i18n import messages_path

            catalog = self.loaded[key] = support.Translations.load(
                messages_path(), [locale], domain="wtforms"
            )
        return catalog

    def ugettext(self, string: str) -> str:
        return self._catalog().ugettext(string)

    def ungettext(self, singular: str, plural: str, n: int) -> str:
        return self._catalog().ungettext(singular, plural, n)


WTFORMS_CATALOG = WTFormsCatalog()


def _start_in_language() -> None:
    """The request's language is chosen as it starts, so that a view that changes the user's
    language (a profile saved) still says what it did in the language it was asked in."""
    get_locale()
    request.wtforms_translations = WTFORMS_CATALOG  # type: ignore[attr-defined]  # read by Flask-WTF


def select_language() -> str:
    languages = current_app.config["LANGUAGES"]
    header_paths = tuple(current_app.config.get("HEADER_LANGUAGE_PATHS", ()))
    if header_paths and has_request_context() and request.path.startswith(header_paths):
        # The JSON API answers in the language its caller asks for (Accept-Language), never
        # that of a login cookie the request may carry.
        return (
            request.accept_languages.best_match(languages)
            or current_app.config["BABEL_DEFAULT_LOCALE"]
        )
    preference = current_user.language if current_user and current_user.is_authenticated else None
    return language_of(preference)


def language_of(preference: str | None) -> str:
    """The page's language for a person who chose `preference` (None: nobody logged in):
    theirs, else the one chosen on the login page, else the browser's, else Finnish."""
    languages = current_app.config["LANGUAGES"]
    if preference is not None and preference in languages:
        return preference
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


def _locale():
    """The request's locale (get_locale), from Flask-Babel's state once it is chosen."""
    state = _babel_state()
    locale = getattr(state, "babel_locale", None) if state is not None else None
    return locale if locale is not None else get_locale()


def _zone():
    state = _babel_state()
    zone = getattr(state, "babel_tzinfo", None) if state is not None else None
    return zone if zone is not None else get_timezone()


def current_language() -> str:
    return _locale().language


# Finland writes a date 6.12.2026 and a time 9.05, in Finnish, Swedish and English alike;
# Babel's locales would give "6 dec. 2026" (sv_FI), "06/12/2026" or "6 Dec 2026" (en_FI) and
# "6. joulukuuta 2026" (fi_FI, long). The named styles all mean these; a pattern of its own
# (a month's name on a chart, "LLL yyyy") is used as given.
DATE_PATTERN = "d.M.y"
MOMENT_PATTERN = "d.M.y H.mm"
NAMED_STYLES = frozenset({"short", "medium", "long", "full"})


def _formatted(formatter: Callable[..., str], value, *arguments) -> str:
    """What `formatter` (one of Flask-Babel's) makes of `value` in the request's locale and time
    zone, worked out once per worker: Babel reads its locale data and parses its pattern anew
    on every call (some 40 µs for a moment), and a page formats the same few values each time."""
    try:
        return _formatted_in(formatter, value, arguments, _locale(), str(_zone()))
    except TypeError:  # a value that cannot be a key (a signalling NaN): formatted as it is
        return formatter(value, *arguments)


# typed: 1, 1.0 and True are equal keys, but not the same text.
@lru_cache(maxsize=8192, typed=True)
def _formatted_in(formatter, value, arguments: tuple, _locale, _zone: str) -> str:
    # The locale and zone are the request's, which the formatter reads itself: they are in
    # the arguments for the cache's key.
    return formatter(value, *arguments)


def format_day(value, style: str | None = None) -> str:
    """A date as Finland writes it (6.12.2026), or in a pattern of its own; "" for none. A
    date kept as text (an event's data holds ISO dates) is read first."""
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    pattern = DATE_PATTERN if style is None or style in NAMED_STYLES else style
    return _formatted(format_date, value, pattern)


def format_moment(value, style: str = "short") -> str:
    """A date and time as Finland writes them (6.12.2026 9.05) in the app's time zone, or in a
    pattern of its own; "" for none."""
    if not value:
        return ""
    pattern = MOMENT_PATTERN if style in NAMED_STYLES else style
    return _formatted(format_datetime, value, pattern)


def format_number(value) -> str:
    return _formatted(format_decimal, value)


def format_euros(value) -> str:
    return _formatted(format_currency, value, "EUR")


def init_app(app) -> None:
    babel.init_app(app, locale_selector=select_locale)
    domain = RequestDomain(domain=app.config.get("BABEL_DOMAIN", "messages"))
    # Babel.domain_instance is a cached property: this sets what gettext in Python uses.
    babel.domain_instance = domain

    # What Jinja's new-style gettext does (in an HTML template the translation is markup, its
    # variables are escaped into it), without the context look-ups Jinja adds to every call.
    # A plain-text template (a mail, .txt) is not autoescaped: there a name stays as typed,
    # not "O&#39;Brien &amp; Co". The catalog is ours, not user input.
    @pass_eval_context
    def template_gettext(eval_context: EvalContext, string: str, **variables) -> str:
        translated = domain.get_translations().ugettext(string)
        if eval_context.autoescape:
            translated = Markup(translated)  # noqa: S704  # nosec B704
        # Most strings have no variables and no "%%": formatting them only copies them (a
        # kaizen log page has some 250).
        if not variables and "%" not in translated:
            return translated
        return translated % variables

    @pass_eval_context
    def template_ngettext(
        eval_context: EvalContext, singular: str, plural: str, num: int, **variables
    ) -> str:
        variables.setdefault("num", num)
        translated = domain.get_translations().ungettext(singular, plural, num)
        if eval_context.autoescape:
            translated = Markup(translated)  # noqa: S704  # nosec B704
        return translated % variables

    app.jinja_env.globals.update(
        _=template_gettext, gettext=template_gettext, ngettext=template_ngettext
    )
    app.jinja_env.globals.update(current_language=current_language, LANGUAGE_NAMES=LANGUAGE_NAMES)
    app.before_request(_start_in_language)
