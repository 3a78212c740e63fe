"""Limits every request meets before a view sees it: ids, sizes, control characters, JSON.

They live here, in one place, so that no route can forget them: a view added tomorrow gets the
same protection as the ones written today.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from flask import Flask, current_app, request
from flask import Request as FlaskRequest
from flask_babel import gettext as _
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import FormDataParser
from werkzeug.routing import IntegerConverter

from lean.core.extensions import READ_ONLY_METHODS

# The largest id our tables hold: their keys are INTEGER, 32 bits on PostgreSQL (SQLite's
# go to 2^63-1, but ids are the same on both). A larger one names no row: 404, where
# PostgreSQL would fail with "integer out of range" and SQLite above 2^63-1 with an overflow.
LARGEST_ID = 2**31 - 1

# C0 controls other than tab, newline and carriage return, DEL, and the C1 controls. Nobody
# types them; PostgreSQL refuses NUL in text outright, and the others only confuse readers.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class BoundedIntegerConverter(IntegerConverter):
    """`<int:...>` that matches only ids the database can hold: a larger one is a 404."""

    def __init__(self, map, fixed_digits=0, min=None, max=LARGEST_ID, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)


# What an id or a version in a form or query string is: ASCII digits. str.isdigit() also takes
# "²" and "①", on which int() fails, and int() reads "٣" (Arabic-Indic three), " 7 " and "1_0".
ASCII_DIGITS = re.compile("[0-9]+")
# More digits than this (leading zeros aside) is beyond LARGEST_ID without converting: int()
# refuses strings of more than 4,300 digits outright.
_LARGEST_ID_DIGITS = len(str(LARGEST_ID))


def id_from(value: str | None) -> int | None:
    """An id read from a form or query string: None when absent or not ASCII digits, 0 (which
    names no row, so the caller's usual "not found" follows) when too large for our keys."""
    if value is None or not ASCII_DIGITS.fullmatch(value):
        return None
    digits = value.lstrip("0") or "0"
    if len(digits) > _LARGEST_ID_DIGITS or int(digits) > LARGEST_ID:
        return 0
    return int(digits)


def version_from(value: str | None) -> int:
    """The version a form was loaded at, sent back with it: -1 (which no row has, so the save
    is a conflict) when absent or not a version, as a value beyond the column would be."""
    return id_from(value) or -1


class LimitedFormDataParser(FormDataParser):
    """Werkzeug counts the parts of a multipart form only; count urlencoded fields too.

    Parsing 200,000 urlencoded fields costs a worker seconds, so a body with more fields than
    MAX_FORM_PARTS, or larger than MAX_FORM_MEMORY_SIZE (no field of ours needs that much),
    answers 413 before it is parsed.
    """

    def _parse_urlencoded(self, stream, mimetype, content_length, options):
        limit = self.max_form_memory_size
        body = stream.read(limit + 1) if limit is not None else stream.read()
        if limit is not None and len(body) > limit:
            raise RequestEntityTooLarge()
        if self.max_form_parts is not None and body.count(b"&") >= self.max_form_parts:
            raise RequestEntityTooLarge()
        replay = _Replay(body)  # reads as the stream it stands for, which is all Werkzeug asks
        return super()._parse_urlencoded(replay, mimetype, content_length, options)  # type: ignore[arg-type]


class _Replay:
    """The body already read, handed back to Werkzeug's own parser."""

    def __init__(self, body: bytes):
        self.body = body

    def read(self, *args) -> bytes:
        return self.body


class Request(FlaskRequest):
    """Flask's request with the limited form parser and a larger size limit for upload views."""

    form_data_parser_class = LimitedFormDataParser

    @property
    def max_content_length(self) -> int | None:
        if self._max_content_length is None and current_app and self.url_rule is not None:
            view = current_app.view_functions.get(self.url_rule.endpoint)
            setting = getattr(view, "request_size_setting", None)
            if setting:
                return current_app.config[setting]
        return super().max_content_length

    @max_content_length.setter
    def max_content_length(self, value: int | None) -> None:
        self._max_content_length = value


def larger_requests(setting: str) -> Callable:
    """Let a view take requests up to the size in config[setting] instead of MAX_CONTENT_LENGTH.

    The size is known before the view runs (the CSRF check reads the form first), so the
    view carries it; put this decorator below the route decorator.
    """

    def mark(view: Callable) -> Callable:
        view.request_size_setting = setting  # type: ignore[attr-defined]  # read by Request
        return view

    return mark


class UnreadableJson(Exception):
    """A JSON body that no form of ours can read."""


def _json_form_text() -> Iterable[str]:
    """The keys and values of a JSON body, which Flask-WTF reads as a form's fields.

    So it must have a form's shape: an object of strings or lists of strings, nested two
    levels at most. Any other (a list, a number, an object inside it) would fail in the form,
    and JSON nested beyond some 1,000 levels fails in Python's parser with a RecursionError:
    both raise UnreadableJson. No page of ours sends JSON.
    """
    try:
        document = request.get_json(silent=True)  # invalid JSON: None, and 400 in the form
    except RecursionError as error:  # silent=True covers only a ValueError
        raise UnreadableJson from error
    if document is None:
        return
    if not isinstance(document, dict):
        raise UnreadableJson
    for key, value in document.items():
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(item, str) for item in values):
            raise UnreadableJson
        yield key
        yield from values


def _json_text(document) -> Iterable[str]:
    """Every key and text of a JSON document of any shape (the API's bodies, which its own
    schemas read)."""
    if isinstance(document, str):
        yield document
    elif isinstance(document, dict):
        for key, value in document.items():
            yield key
            yield from _json_text(value)
    elif isinstance(document, list):
        for value in document:
            yield from _json_text(value)


def _any_json_text() -> Iterable[str]:
    try:
        document = request.get_json(silent=True)
        yield from _json_text(document)
    except RecursionError as error:
        raise UnreadableJson from error


def _reads_own_json(asked: FlaskRequest) -> bool:
    """A path whose JSON bodies are read by schemas of their own (the API), not as a form."""
    paths = tuple(current_app.config.get("OWN_JSON_PATHS", ()))
    return bool(paths) and asked.path.startswith(paths)


def _submitted_text(asked: FlaskRequest) -> Iterable[str]:
    # No view reads a form or a file sent with a GET (Flask-WTF reads the query then), so a
    # reading request's body is not parsed for them; a JSON body is checked whatever the method.
    if asked.method not in READ_ONLY_METHODS:
        for key, value in asked.form.items(multi=True):
            yield key
            yield value
        for key, file in asked.files.items(multi=True):
            yield key
            yield file.filename or ""
    if asked.is_json:
        yield from _any_json_text() if _reads_own_json(asked) else _json_form_text()


def _query_text(asked: FlaskRequest) -> Iterable[str]:
    yield asked.path
    for key, value in asked.args.items(multi=True):
        yield key
        yield value


def _control_character_message() -> str:
    return _(
        "The text contains an invisible control character, often left over from copying "
        "between programs. Remove it (retype the text if needed) and try again; nothing was saved."
    )


def refuse_control_characters():
    """A control character in any field, file name or query string is refused with a message.

    A form answers 422 (htmx shows the message in place and leaves what was typed untouched);
    an address answers 400, as does a JSON body that is not shaped as a form. Every request
    passes here, so the message is translated only for one that is refused, and the request
    is read through its proxy once.
    """
    from lean.core.errors import render_error

    asked: FlaskRequest = request._get_current_object()  # type: ignore[attr-defined]  # a proxy, typed as its object
    search = CONTROL_CHARACTERS.search
    if any(search(text) for text in _query_text(asked)):
        return render_error(400, _control_character_message())
    try:
        refused = any(search(text) for text in _submitted_text(asked))
    except UnreadableJson:
        return render_error(400)
    if refused and _reads_own_json(asked):
        return render_error(422, _control_character_message())
    if refused:
        body, _code, headers = render_error(400, _control_character_message())
        return body, 422, headers
    return None


def init_app(app: Flask) -> None:
    """Install the limits; call before any blueprint is registered (the converter binds then)."""
    app.request_class = Request
    app.url_map.converters["int"] = BoundedIntegerConverter
    app.before_request(refuse_control_characters)
