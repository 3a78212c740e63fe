"""Static files with a content hash in their name, cached for a year; compressed responses.

`url_for('static', filename='css/vertaa.css')` gives /static/css/vertaa.<hash>.css: the
templates keep naming the files as they are in the source, there is no build step, and a
changed file gets a new URL, so browsers may keep each one for a year without asking again.
The hash is of the file's bytes, computed once per file and change (its modification time),
in each worker on first use.

Pages are compressed (Flask-Compress: zstd, brotli or gzip, as the browser accepts) unless
COMPRESS_RESPONSES is off, as it should be behind a proxy such as nginx that compresses.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import cast

from flask import Flask, current_app, send_from_directory
from flask_compress import Compress

from lean.core import links

YEAR = 365 * 24 * 3600
HASH_LENGTH = 12
# name.<hash>.ext as url_for makes it
HASHED = re.compile(rf"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{{{HASH_LENGTH}}})(?P<suffix>\.[^./]+)$")

_digests: dict[str, tuple[float, str]] = {}


def content_hash(folder: str, filename: str) -> str | None:
    """The start of the SHA-256 of a static file's bytes; None when there is no such file."""
    path = os.path.join(folder, filename)
    try:
        modified = os.stat(path).st_mtime
    except OSError:
        return None
    known = _digests.get(path)
    if known is None or known[0] != modified:
        with open(path, "rb") as file:
            digest = hashlib.sha256(file.read()).hexdigest()[:HASH_LENGTH]
        known = _digests[path] = (modified, digest)
    return known[1]


def hashed_filename(folder: str, filename: str) -> str:
    digest = content_hash(folder, filename)
    stem, dot, suffix = filename.rpartition(".")
    if digest is None or not dot or "/" in suffix:
        return filename
    return f"{stem}.{digest}.{suffix}"


def source_filename(filename: str) -> str:
    """The name in the static folder of a file asked for by its hashed name (or as it is)."""
    match = HASHED.match(filename)
    return match["stem"] + match["suffix"] if match else filename


def _add_hash(endpoint: str, values: dict) -> None:
    if endpoint == "static" and "filename" in values:
        # create_app gives the app its static folder.
        folder = cast(str, current_app.static_folder)
        values["filename"] = hashed_filename(folder, values["filename"])


def serve_static(filename: str):
    """A static file by its hashed name (cached for a year) or its plain one (revalidated)."""
    folder = cast(str, current_app.static_folder)  # create_app gives the app one
    match = HASHED.match(filename)
    if match:
        plain = match["stem"] + match["suffix"]
        if content_hash(folder, plain) == match["digest"]:
            response = send_from_directory(folder, plain, max_age=YEAR)
            response.cache_control.immutable = True
            return response
        filename = plain  # a page from before the file changed: its current version, uncached
    return send_from_directory(folder, filename, max_age=0)


def init_app(app: Flask) -> None:
    app.url_defaults(_add_hash)
    app.view_functions["static"] = serve_static
    links.init_app(app)  # the templates' links (these hashed names among them) built once
    if app.config["COMPRESS_RESPONSES"]:
        # Pages, not streamed file answers: compressing a static file left its file open, and
        # a browser fetches each file once a year.
        app.config.setdefault("COMPRESS_STREAMS", False)
        Compress(app)
