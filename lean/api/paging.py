"""Lists of the API: a page of items by cursor, as JSON or as CSV.

A list is read in the order of its items' ids: a page is the `limit` items after the cursor,
read with one item more to know whether another page follows. The cursor is opaque to the
caller (the `next` link carries it); the events' list uses the last id itself (`after`), which
an incremental load keeps between runs.

JSON: {"items": [...], "next": "<address of the next page>" or null}, and the next page in a
Link header too. CSV (Accept: text/csv): a header row of the items' field names, then one row
per item with the same values, UTF-8 with a byte order mark for Excel, the next page in the
Link header.
"""

from __future__ import annotations

import base64
import binascii
import json as json_module
from collections.abc import Sequence
from typing import Any

import marshmallow as ma
from flask import current_app, json, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lean.api.problems import ApiProblem
from lean.shared.spreadsheets import as_csv

DEFAULT_LIMIT = 50
MAX_LIMIT = 200
CSV_MEDIA_TYPE = "text/csv"


class PageArgs(ma.Schema):
    """The paging parameters of a list."""

    limit = ma.fields.Integer(
        load_default=DEFAULT_LIMIT,
        validate=ma.validate.Range(min=1, max=MAX_LIMIT, error=_l("A page has 1 to 200 items.")),
        metadata={"description": f"Items per page, at most {MAX_LIMIT}"},
    )
    cursor = ma.fields.String(
        validate=ma.validate.Length(max=100),
        metadata={"description": "Where the page starts: from the previous page's next link"},
    )


def page_schema(item_schema: type[ma.Schema], name: str) -> type[ma.Schema]:
    """The schema of a page of `item_schema` items (for the description)."""
    return type(
        name,
        (ma.Schema,),
        {
            "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
            "next": ma.fields.String(
                required=True,
                allow_none=True,
                metadata={"description": "The next page's address; null on the last page"},
            ),
        },
    )


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"id:{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    """The last id of the previous page; 0 for the first page; a cursor not made here is a 422."""
    if not cursor:
        return 0
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _sep, value = text.partition(":")
        if kind == "id" and value.isdigit() and len(value) < 19:
            return int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        pass
    raise ApiProblem(422, errors={"cursor": [_("Not a cursor of this list.")]})


def wants_csv() -> bool:
    """Whether the caller asked for CSV rather than JSON (Accept: text/csv)."""
    best = request.accept_mimetypes.best_match(["application/json", CSV_MEDIA_TYPE])
    return best == CSV_MEDIA_TYPE


def _next_link(**cursor_args: Any) -> str:
    args = request.args.to_dict()
    args.pop("cursor", None)
    args.update(cursor_args)
    assert request.endpoint is not None
    return url_for(request.endpoint, **(request.view_args or {}), **args, _external=True)


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def list_response(
    items: Sequence[Any],
    item_schema: ma.Schema,
    limit: int,
    *,
    cursor_arg: str = "cursor",
    last_id: int | None = None,
):
    """A page of `items` (read with one more than `limit`) as JSON or CSV, with its next link.

    `cursor_arg` "after" pages by the last id itself (the events); else by an opaque cursor."""
    page = list(items[:limit])
    dumped = item_schema.dump(page, many=True)
    next_url = None
    if len(items) > limit and page:
        last = last_id if last_id is not None else dumped[-1]["id"]
        value = str(last) if cursor_arg == "after" else encode_cursor(last)
        next_url = _next_link(**{cursor_arg: value})
    headers = {"Link": f'<{next_url}>; rel="next"'} if next_url else {}
    if wants_csv():
        fields = list(item_schema.fields)
        rows = ([_cell(item.get(name)) for name in fields] for item in dumped)
        return current_app.response_class(
            as_csv(fields, rows), headers=headers, content_type="text/csv; charset=utf-8"
        )
    # The fields in the schema's order, as the CSV's columns are (Flask's JSON sorts them).
    body = json_module.dumps({"items": dumped, "next": next_url}, ensure_ascii=False)
    return current_app.response_class(body, headers=headers, mimetype="application/json")


# The CSV alternative of a list's page, for its description (with `alt_response`).
CSV_RESPONSE = {
    "content_type": CSV_MEDIA_TYPE,
    "description": "A page of items: JSON, or CSV with Accept: text/csv (a row of field names, "
    "then a row per item, UTF-8 with BOM). The next page's address is also in the Link header.",
    "schema": {"type": "string"},
    "headers": {
        "Link": {
            "description": 'The next page: <address>; rel="next" (none on the last page)',
            "schema": {"type": "string"},
        }
    },
}
