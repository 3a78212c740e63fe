"""Links in templates, each built once per worker rather than on every page.

Building a link (`url_for`) costs some 10 µs: the URL defaults, the rule's converters, the
quoting of its arguments. A page builds the same few dozen every time (the top bar alone some
twenty, the static files with their content hash among them), and the same arguments always
give the same link within a worker. So the templates' `url_for` keeps what it built, keyed by
the endpoint, the arguments with their types and the address the app is served under; links
relative to the request's blueprint, external ones and those with an anchor, a method or a
scheme are built as before. Under the development server (debug) nothing is kept, so an edited
static file gets its new hash at once.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.globals import _cv_request

# Enough for every link of a day's pages: past it, the memory starts over.
KEPT_LINKS = 20_000


def init_app(app: Flask) -> None:
    if app.debug:
        return
    build = app.url_for
    kept: dict[tuple, str] = {}

    def url_for(endpoint: str, **values: Any) -> str:
        context = _cv_request.get(None)
        if context is None or endpoint[:1] == "." or any(name[:1] == "_" for name in values):
            return build(endpoint, **values)
        adapter = context.url_adapter
        key = (
            endpoint,
            adapter.script_name if adapter is not None else None,
            *((name, type(value), value) for name, value in values.items()),
        )
        try:
            link = kept.get(key)
        except TypeError:  # an argument that cannot be a key
            return build(endpoint, **values)
        if link is None:
            link = build(endpoint, **values)
            if len(kept) >= KEPT_LINKS:
                kept.clear()
            kept[key] = link
        return link

    app.jinja_env.globals["url_for"] = url_for
