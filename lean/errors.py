"""Error pages in the user's language; htmx requests get the message in the page's alert area."""

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from lean.extensions import db
from lean.web import is_htmx


def _messages() -> dict[int, tuple[str, str]]:
    return {
        400: (_("Bad request"), _("The request could not be understood. Go back and try again.")),
        403: (_("Not allowed"), _("You do not have permission to do this.")),
        404: (_("Page not found"), _("There is no such page, or you may not see it.")),
        405: (_("Not allowed"), _("This address does not accept that kind of request.")),
        409: (_("Conflict"), _("Someone else changed this at the same time.")),
        413: (_("File too large"), _("The file or form you sent is too large.")),
        429: (_("Too many requests"), _("Wait a moment and try again.")),
        500: (
            _("Something went wrong"),
            _("An unexpected error occurred. Nothing you saved is lost; try again in a moment."),
        ),
    }


def render_error(code: int, detail: str | None = None):
    title, message = _messages().get(code, (_("Error"), ""))
    template = "errors/_message.html" if is_htmx() else "errors/error.html"
    body = render_template(template, code=code, title=title, message=detail or message)
    headers = {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"} if is_htmx() else {}
    return body, code, headers


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(
            400,
            _("The form had expired. Reload the page and try again; what you typed was not saved."),
        )

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        return render_error(error.code if error.code in _messages() else 400)

    @app.errorhandler(InternalServerError)
    @app.errorhandler(Exception)
    def server_error(error):
        # A failed request may leave the session mid-transaction; never reuse it half-done.
        db.session.rollback()
        if not isinstance(error, HTTPException):
            app.logger.exception("unhandled error")
        return render_error(500)
