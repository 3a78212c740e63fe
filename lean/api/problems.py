"""Errors of the API as RFC 9457 problem details, in the caller's language.

Every error under /api/v1 is answered here (lean/core/errors.py hands them over): a JSON
object of media type application/problem+json with `type`, `title`, `status` and `detail`,
`errors` for the fields that were refused ({"title": ["..."]}), and members of its own for some
problems (an edit conflict's `yours` and `current`, a full column's `stage` and `limit`).
`type` is the address of the problem's explanation on the API's page, or about:blank when
the status says it all.
"""

from __future__ import annotations

import http
from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from flask import current_app, json, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import HTTPException

from lean.core.i18n import current_language

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ApiProblem(HTTPException):
    """An error the API answers with its own detail, field errors, headers or members."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        kind: str | None = None,
        errors: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        members: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(description=detail)
        self.code = status
        self.detail = detail
        self.kind = kind
        self.errors = dict(errors) if errors else None
        self.extra_headers = dict(headers or {})
        self.members = dict(members or {})


class ProblemSchema(ma.Schema):
    """A problem details object (RFC 9457)."""

    type = ma.fields.String(
        required=True,
        metadata={"description": "Where the problem is explained; about:blank: see the status"},
    )
    title = ma.fields.String(required=True, metadata={"description": "The problem in short"})
    status = ma.fields.Integer(required=True, metadata={"description": "The HTTP status"})
    detail = ma.fields.String(metadata={"description": "What went wrong this time"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        metadata={"description": "The refused fields, each with its messages"},
    )
    yours = ma.fields.Dict(metadata={"description": "409 edit conflict: what you sent"})
    current = ma.fields.Dict(metadata={"description": "409 edit conflict: the saved resource"})
    stage = ma.fields.String(metadata={"description": "A full column's stage"})
    limit = ma.fields.Integer(metadata={"description": "A full column's limit of cards"})
    hard = ma.fields.Boolean(metadata={"description": "Whether the column's limit is hard"})

    class Meta:
        unknown = ma.INCLUDE


def _titles() -> dict[int, tuple[str, str]]:
    """Each status's title and its detail when nothing more specific is known."""
    return {
        400: (_("Bad request"), _("The request could not be read.")),
        401: (
            _("Authentication needed"),
            _("Send a valid personal access token: Authorization: Bearer <token>."),
        ),
        403: (_("Not allowed"), _("Your token or your rights do not allow this.")),
        404: (_("Not found"), _("There is no such resource, or you may not see it.")),
        405: (_("Method not allowed"), _("This address does not accept that method.")),
        406: (_("Not acceptable"), _("Ask for application/json or text/csv.")),
        409: (_("Conflict"), _("Someone else changed this at the same time.")),
        413: (_("Request too large"), _("The request is too large.")),
        415: (_("Unsupported media type"), _("Send the body as JSON (application/json).")),
        422: (_("Invalid request"), _("Some fields are not valid; see errors.")),
        429: (_("Too many requests"), _("Wait as many seconds as Retry-After says.")),
        500: (
            _("Server error"),
            _("An unexpected error occurred. Nothing was changed; try again in a moment."),
        ),
        503: (
            _("Temporarily unavailable"),
            _("The service cannot reach its database just now. Try again in a moment."),
        ),
    }


# marshmallow's and webargs' messages for refused fields, in the caller's language.
_FIELD_MESSAGES = {
    "Missing data for required field.": _l("This field is required."),
    "Field may not be null.": _l("This field may not be empty."),
    "Unknown field.": _l("Unknown field."),
    "Not a valid integer.": _l("Not a whole number."),
    "Not a valid number.": _l("Not a number."),
    "Not a valid string.": _l("Not text."),
    "Not a valid boolean.": _l("Not true or false."),
    "Not a valid date.": _l("Not a date (YYYY-MM-DD)."),
    "Not a valid datetime.": _l("Not a time with its zone (ISO 8601)."),
    "Not a valid aware datetime.": _l("Not a time with its zone (ISO 8601)."),
    "Invalid input type.": _l("Not the right kind of value."),
    "Invalid JSON body.": _l("The body is not valid JSON."),
}


def field_message(message: str) -> str:
    translated = _FIELD_MESSAGES.get(message)
    return str(translated) if translated is not None else message


def _translated(messages: Any) -> Any:
    if isinstance(messages, str):
        return field_message(messages)
    if isinstance(messages, list):
        return [_translated(message) for message in messages]
    if isinstance(messages, dict):
        return {str(name): _translated(value) for name, value in messages.items()}
    return messages


def _webargs_errors(error: HTTPException) -> dict | None:
    """The refused fields of a request webargs read ({"json": {...}, "query": {...}}), as one
    mapping of field names to messages."""
    data = getattr(error, "data", None) or {}
    messages = data.get("messages") or data.get("errors")
    if not isinstance(messages, dict):
        return None
    merged: dict[str, Any] = {}
    for location, fields in messages.items():
        if isinstance(fields, dict):
            merged.update(fields)
        else:  # "Invalid JSON body." for the whole body
            merged[str(location)] = fields
    return _translated(merged)


def problem_type(kind: str | None) -> str:
    if kind is None:
        return "about:blank"
    return url_for("api_docs.page", _external=True) + f"#problem-{kind}"


def problem_response(
    status: int,
    detail: str | None = None,
    headers: Mapping[str, str] | None = None,
    error: BaseException | None = None,
):
    """The problem details answer of an error (lean/core/errors.py's answer for API paths)."""
    title, default_detail = _titles().get(status, (None, None))
    if title is None:
        try:
            title = http.HTTPStatus(status).phrase
        except ValueError:
            title = _("Error")
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    answer_headers = dict(headers or {})
    errors = None
    if isinstance(error, ApiProblem):
        detail = error.detail or detail
        errors = error.errors
        body["type"] = problem_type(error.kind)
        answer_headers.update(error.extra_headers)
        body.update(error.members)
    elif isinstance(error, HTTPException):
        errors = _webargs_errors(error)
        data = getattr(error, "data", None) or {}
        answer_headers.update(data.get("headers") or {})
        if status == 405:
            answer_headers.update({k: v for k, v in error.get_headers() if k.lower() == "allow"})
    if detail is None and errors:
        detail = _("Some fields are not valid: %(fields)s.", fields=", ".join(sorted(errors)))
    body["detail"] = detail or default_detail or title
    if errors:
        body["errors"] = errors
    response = current_app.response_class(
        json.dumps(body), status=status, mimetype=PROBLEM_MEDIA_TYPE, headers=answer_headers
    )
    response.headers["Content-Language"] = current_language()
    # A shared cache must never keep one caller's problem for another.
    response.headers["Cache-Control"] = "no-store"
    return response
