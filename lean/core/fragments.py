"""Rendered fragments kept across requests: rendered once per change, then served from a cache.

A fragment is stored under a key that names everything it shows (the version of its data, the
reader's language and rights, the filters, the day), so a change makes a new key and nothing
is ever invalidated by hand: the old entry is simply no longer asked for and ages out.

What differs in every response is a hole. The CSRF token is masked afresh for each response
(lean/core/csrf.py) and a card's days in its stage change at any moment of the day, so the
fragment is rendered with markers in their place (`hole(name, argument)`), stored cut at the
markers, and filled on every use. A marker is an HTML comment, which no escaped text can
contain: whatever a user typed reaches a template escaped, its `<` as `&lt;`.

The cache is Flask-Caching's, configured in lean/core/config.py: in each worker's memory by
default (SimpleCache), shared by every worker and app server in Redis when LEAN_CACHE_REDIS_URL
is set. A key also carries the release (a digest of the templates, the translations and the
code), so a shared cache never hands a new release what an old one rendered. A page piece of a
few lines (the bell, the board's notices) is keyed by the very values it shows and kept in
the worker's own memory: rendering it again would cost less than asking Redis for it.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path

from markupsafe import Markup

from lean.core import csrf
from lean.core.extensions import cache

ROOT = Path(__file__).resolve().parent.parent.parent
HOLE = re.compile(r"<!--hole:([a-z_]+):([0-9A-Za-z_.-]*)-->")

# A hole's name -> what fills it, given the argument the marker carries.
Fillers = Mapping[str, Callable[[str], str]]

_release: str | None = None


def hole(name: str, argument: str | int = "") -> Markup:
    """The marker of a hole, placed in a fragment as it is rendered."""
    return Markup(f"<!--hole:{name}:{argument}-->")  # noqa: S704  # nosec B704 - our own marker


def release() -> str:
    """What this release renders with: a digest of the templates, catalogs and code."""
    global _release
    if _release is None:
        digest = hashlib.blake2b(digest_size=8)
        for folder, pattern in (("templates", "*"), ("lean", "*.py"), ("lean", "*.mo")):
            for path in sorted((ROOT / folder).rglob(pattern)):
                if path.is_file():
                    digest.update(str(path.relative_to(ROOT)).encode())
                    digest.update(path.read_bytes())
        _release = digest.hexdigest()
    return _release


def key(*parts: object) -> str:
    """A cache key of bounded length for what a fragment depends on."""
    named = repr((release(), *parts)).encode()
    return "fragment:" + hashlib.blake2b(named, digest_size=20).hexdigest()


def rendered(
    cache_key: str | None,
    render: Callable[[], dict[str, str]],
    fillers: Fillers | None = None,
    *,
    shared: bool = True,
) -> dict[str, Markup]:
    """The fragments `render` makes (name -> HTML), from the cache under `cache_key` when it
    holds them, else rendered now with markers in the holes and kept (unless the key is None:
    a page in a state not worth keeping, a form with its errors); the holes filled afresh.

    A small fragment, cheaper to render than to fetch from another server, is kept in this
    worker's memory only (`shared=False`): the last LOCAL_FRAGMENTS of them."""
    parts: dict[str, list[str]] | None = None
    if cache_key:
        parts = cache.get(cache_key) if shared else _local_get(cache_key)
    if parts is None:
        with csrf.tokens_as_holes(hole("csrf")):
            html = render()
        parts = {name: HOLE.split(text) for name, text in html.items()}
        if cache_key and shared:
            cache.set(cache_key, parts)
        elif cache_key:
            _local_set(cache_key, parts)
    everything: dict[str, Callable[[str], str]] = {"csrf": _masked_token, **(fillers or {})}
    return {name: _fill(pieces, everything) for name, pieces in parts.items()}


def rendered_piece(cache_key: str, render: Callable[[], str]) -> Markup:
    """One small fragment (a page piece's HTML), kept in this worker's memory under a key of
    all it shows, its CSRF tokens filled for each response."""
    return rendered(cache_key, lambda: {"html": render()}, shared=False)["html"]


# The small fragments this worker keeps, least recently used first (its threads share them).
LOCAL_FRAGMENTS = 2000
_local: OrderedDict[str, dict[str, list[str]]] = OrderedDict()
_local_lock = threading.Lock()


def _local_get(cache_key: str) -> dict[str, list[str]] | None:
    with _local_lock:
        parts = _local.get(cache_key)
        if parts is not None:
            _local.move_to_end(cache_key)
        return parts


def _local_set(cache_key: str, parts: dict[str, list[str]]) -> None:
    with _local_lock:
        _local[cache_key] = parts
        if len(_local) > LOCAL_FRAGMENTS:
            _local.popitem(last=False)


def _masked_token(_argument: str) -> str:
    return csrf.masked_csrf_token()


def _fill(parts: list[str], fillers: Mapping[str, Callable[[str], str]]) -> Markup:
    """Text, then a hole's name and argument, then text..., with each hole filled."""
    filled = [parts[0]]
    for index in range(1, len(parts), 3):
        filled.append(fillers[parts[index]](parts[index + 1]))
        filled.append(parts[index + 2])
    return Markup("".join(filled))  # noqa: S704  # nosec B704 - rendered by autoescaped templates
