"""Helpers shared by the views: htmx-aware rendering, formatting, the health check."""

import json
import re
from datetime import UTC, date, datetime
from typing import TypeGuard
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select, text
from wtforms import SelectChoice  # type: ignore[attr-defined]  # WTForms 3.3, newer than its stubs

from lean.core.extensions import db
from lean.core.htmx import is_htmx, vary_by_htmx
from lean.core.i18n import current_language, format_day, format_euros, format_moment, format_number
from lean.models import STAGES, Theme
from lean.shared import policy
from lean.shared.labels import checklist_event_text
from lean.shared.site_header import site_header

site_blueprint = Blueprint("site", __name__)
HEX_COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


def render_page_or_partial(page_template: str, partial_template: str, status=200, **context):
    """The whole page for a browser, only the fragment it includes for htmx."""
    return render_template(partial_template if is_htmx() else page_template, **context), status


# Control characters (C0, DEL, C1): a browser drops some of them from a URL, which can turn
# "/\t/evil.example" into "//evil.example", and a newline cannot go into a Location header.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def announce(
    response: Response, message: str, element_id: str | None = None, *, focus: str | None = None
) -> Response:
    """Tell the page (static/js/vertaa.js) to say `message` in its live region and, when given,
    to bring the element with that id into view and highlight it, and to put the focus on the
    element with the id `focus` (e.g. the comment just posted)."""
    payload = {"message": message}
    if element_id:
        payload["element"] = element_id
    if focus:
        payload["focus"] = focus
    response.headers["HX-Trigger"] = json.dumps({"vertaa:announce": payload})
    return response


def is_safe_next(target: str | None) -> TypeGuard[str]:
    """A redirect target that stays on this site: a path, never another host."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return False
    if CONTROL_CHARACTERS.search(target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


# No list of ours has this many pages; a larger ?page= would overflow the database's OFFSET.
HIGHEST_PAGE = 1_000_000


def requested_page() -> int:
    """The ?page= number: at least 1, at most HIGHEST_PAGE (views then clamp it to the last)."""
    return min(max(1, request.args.get("page", 1, type=int)), HIGHEST_PAGE)


def page_count(total: int, size: int) -> int:
    return max(1, -(-total // size))


def choices(pairs) -> list[SelectChoice]:
    """(value, label) pairs as the options of a WTForms select."""
    return [SelectChoice(value, label) for value, label in pairs]


def today() -> date:
    return datetime.now(UTC).date()


def days_since(moment: datetime | None) -> int:
    if moment is None:
        return 0
    return max(0, (datetime.now(UTC) - moment).days)


def name_in_language(item) -> str:
    """A theme's or focus area's name in the page's language."""
    return item.name_in(current_language()) if item is not None else ""


@site_blueprint.get("/healthz")
def healthz():
    """Liveness and database check for a load balancer."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any database failure means: do not route traffic here
        current_app.logger.exception("health check failed")
        return {"status": "error", "database": "unreachable"}, 503
    return {"status": "ok", "database": "ok"}


def init_app(app: Flask) -> None:
    app.register_blueprint(site_blueprint)
    app.after_request(vary_by_htmx)
    app.jinja_env.globals.update(
        is_htmx=is_htmx,
        today=today,
        days_since=days_since,
        name_in_language=name_in_language,
        checklist_event_text=checklist_event_text,
        stages=STAGES,
        has_endpoint=lambda name: name in app.view_functions,
        # Pages ask the policy who may see a link or a form, as the views ask it who may act.
        policy=policy,
        site_header=site_header,
        htmx_cdn_url=app.config.get("HTMX_CDN_URL"),
        htmx_cdn_integrity=app.config.get("HTMX_CDN_INTEGRITY"),
    )
    app.jinja_env.filters.update(
        without=lambda mapping, key: {k: v for k, v in mapping.items() if k != key},
        number=format_number,
        currency=format_euros,
        date=format_day,
        datetime=format_moment,
        iso=machine_time,
        changed_value=changed_value,
    )


def changed_value(value, name: str) -> str:
    """A field's value before or after an edit, as a card's history shows it: an event keeps
    dates as ISO text and amounts as numbers, and the page writes them as Finland does."""
    if value is None or value == "":
        return "–"
    if name == "due_date":
        return format_day(value)
    if name == "money_saved_per_year":
        return format_euros(value)
    if name == "hours_saved_per_month":
        return format_number(value)
    return str(value)


def machine_time(value: date | datetime | None) -> str:
    """A date or moment for `<time datetime>`: whole seconds, as HTML allows at most three
    digits of a second's fraction."""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    return value.isoformat() if value else ""


@site_blueprint.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico by habit; pages link the SVG icon itself."""
    response = redirect(url_for("static", filename="favicon.svg"), 301)
    response.cache_control.max_age = 86400
    return response


@site_blueprint.get("/themes.css")
def theme_styles():
    """Each theme's colour as a CSS class, so pages need no inline styles under the CSP."""
    rules = [
        f".theme-{theme.id} {{ --theme-colour: {theme.colour}; }}"
        for theme in db.session.scalars(select(Theme))
        if HEX_COLOUR.fullmatch(theme.colour)
    ]
    response = Response("\n".join(rules) + "\n", mimetype="text/css")
    response.cache_control.public = True
    response.cache_control.max_age = 300
    return response
