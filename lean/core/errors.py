"""Error pages in the user's language; htmx requests get the message in the page's alert area.

The pages render without the database: when it is the database that failed, the user counts
as logged out for the error page and the language comes from the session cookie or the
browser, so the page needs no query.
"""

import errno
from collections.abc import Callable

from flask import Flask, current_app, g, has_request_context, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sqlalchemy_errors
from werkzeug.exceptions import HTTPException, InternalServerError

from lean.core.extensions import db, login_manager
from lean.core.htmx import is_htmx

# The database is down, restarting, unreachable, or (SQLite) locked past the busy timeout:
# nothing the user did wrong, and over in a moment.
DATABASE_UNAVAILABLE = (
    sqlalchemy_errors.OperationalError,
    sqlalchemy_errors.InterfaceError,
    sqlalchemy_errors.DisconnectionError,
    sqlalchemy_errors.TimeoutError,  # no pooled connection came free in time
)
# The upload folder cannot take a file: read-only, full, over quota, or not ours to write.
STORAGE_UNAVAILABLE = {errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.EACCES, errno.EPERM}
# Seconds after which a client may try again.
RETRY_AFTER = 5


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
        503: (
            _("Temporarily unavailable"),
            _("The service cannot reach its database just now. Try again in a moment."),
        ),
    }


# Paths whose errors are answered by another renderer than the error pages (the JSON API's
# problem details): prefix -> answer(code, detail, headers, error).
_PATH_ANSWERS = "lean_error_answers"
ErrorAnswer = Callable[[int, str | None, dict | None, BaseException | None], object]


def answer_errors_under(app: Flask, prefix: str, answer: ErrorAnswer) -> None:
    """Errors of requests under `prefix` are answered by `answer` instead of an error page."""
    app.extensions.setdefault(_PATH_ANSWERS, {})[prefix] = answer


def _path_answer() -> ErrorAnswer | None:
    if not has_request_context():
        return None
    for prefix, answer in current_app.extensions.get(_PATH_ANSWERS, {}).items():
        if request.path.startswith(prefix):
            return answer
    return None


def render_error(
    code: int,
    detail: str | None = None,
    headers: dict | None = None,
    error: BaseException | None = None,
):
    answer = _path_answer()
    if answer is not None:
        return answer(code, detail, headers, error)
    title, message = _messages().get(code, (_("Error"), ""))
    template = "errors/_message.html" if is_htmx() else "errors/error.html"
    body = render_template(template, code=code, title=title, message=detail or message)
    headers = dict(headers or {})
    if is_htmx():
        headers.update({"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"})
    return body, code, headers


def _end_failed_transaction(app: Flask) -> None:
    """Roll the session back: a failed request must never leave it half-done for reuse."""
    try:
        db.session.rollback()
    except Exception:  # the connection is gone too; the pool replaces it
        app.logger.warning("rollback after a failed request failed too", exc_info=True)


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def close_session_even_if_the_database_went_away(_error) -> None:
        """Close the session before Flask-SQLAlchemy's own teardown does (this one, registered
        later, runs first). Its rollback fails when the database went away after the response
        was made; that must not turn the finished response into a bare 500."""
        try:
            db.session.remove()
        except DATABASE_UNAVAILABLE:
            app.logger.warning("database went away before the request's session was closed")
            db.session().invalidate()  # drop the dead connection without talking to it
            db.session.remove()

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
        try:
            known = error.code in _messages() or _path_answer() is not None
            return render_error(error.code if known else 400, error=error)
        except DATABASE_UNAVAILABLE as database_error:  # the page's header asked for the user
            return database_unavailable(database_error)

    def database_unavailable(error):
        app.logger.error("database unavailable: %s", error)
        _end_failed_transaction(app)
        # The page around the message must not ask the database who the user is.
        g._login_user = login_manager.anonymous_user()
        return render_error(503, headers={"Retry-After": str(RETRY_AFTER)})

    for error_class in DATABASE_UNAVAILABLE:
        app.register_error_handler(error_class, database_unavailable)

    @app.errorhandler(OSError)
    def storage_error(error: OSError):
        if error.errno not in STORAGE_UNAVAILABLE:
            return server_error(error)
        app.logger.error("file storage unavailable: %s", error)
        _end_failed_transaction(app)
        return render_error(
            503,
            _(
                "The files could not be stored, so nothing was saved. Try again later; if this "
                "goes on, tell the administrator."
            ),
            headers={"Retry-After": str(RETRY_AFTER)},
        )

    @app.errorhandler(InternalServerError)
    @app.errorhandler(Exception)
    def server_error(error):
        _end_failed_transaction(app)
        if not isinstance(error, HTTPException):
            app.logger.exception("unhandled error")
        try:
            return render_error(500)
        except DATABASE_UNAVAILABLE as database_error:
            return database_unavailable(database_error)
