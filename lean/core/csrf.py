"""CSRF tokens masked afresh each time a page carries one, against BREACH.

Pages are compressed (lean/core/static.py) and some echo what the user sent (a search, a form
that comes back with its errors). If a secret appears in the same bytes on every response,
an attacker who can make the victim's browser send requests and can watch the sizes of the
encrypted answers recovers it a character at a time (BREACH). Flask-WTF's signed token is
the same bytes for every response of a session: the session's secret itself, encoded, then
a timestamp and signature that change only once a second.

So, as Django and Rails do, every token put in a page is masked with a fresh one-time pad:
base64(pad + (pad XOR signed token)). Two responses never share its bytes, and the server
takes the pad off again before Flask-WTF checks the token. Unmasked tokens are still taken
(a page made before the change keeps working).
"""

from __future__ import annotations

import base64
import binascii
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, g
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFProtect, _FlaskFormCSRF, generate_csrf
from markupsafe import Markup


def _xor(left: bytes, right: bytes) -> bytes:
    # As whole integers: a page of 50 forms masks 50 tokens, byte by byte that was ~1 ms.
    return (int.from_bytes(left) ^ int.from_bytes(right)).to_bytes(len(left))


def mask(token: str) -> str:
    """The token under a fresh random pad of its own length; different on every call."""
    data = token.encode("ascii")
    pad = secrets.token_bytes(len(data))
    return base64.urlsafe_b64encode(pad + _xor(pad, data)).decode()


def unmask(value: str | None) -> str | None:
    """The token a masked value carries; anything else as it came (an unmasked token, or junk
    that Flask-WTF then refuses). A signed token contains dots, which base64 never does."""
    if not value or "." in value:
        return value
    try:
        data = base64.urlsafe_b64decode(value.encode("ascii"))
    except (binascii.Error, ValueError):
        return value
    half, odd = divmod(len(data), 2)
    if odd or not half:
        return value
    pad, masked = data[:half], data[half:]
    try:
        return _xor(pad, masked).decode("ascii")
    except UnicodeDecodeError:
        return value


def masked_csrf_token() -> str:
    """`csrf_token()` in templates: this session's token, masked afresh."""
    marker = g.get(_AS_HOLE)
    if marker is not None:
        return marker
    return mask(generate_csrf())


# While a fragment that is kept for other responses renders, its tokens are holes that each
# response fills with its own (lean/core/fragments.py).
_AS_HOLE = "lean_csrf_token_as_hole"


@contextmanager
def tokens_as_holes(marker: str) -> Iterator[None]:
    """`csrf_token()` gives `marker` instead of a token inside the block."""
    setattr(g, _AS_HOLE, marker)
    try:
        yield
    finally:
        g.pop(_AS_HOLE, None)


def masked_csrf_meta_tag() -> Markup:
    return Markup('<meta name="csrf-token" content="{}">').format(masked_csrf_token())


class MaskedFormCSRF(_FlaskFormCSRF):
    """A form's hidden csrf_token field (form.hidden_tag()) carries a masked token too."""

    def generate_csrf_token(self, csrf_token_field) -> str:
        marker = g.get(_AS_HOLE)
        if marker is not None:  # never a real token in a kept fragment
            return marker
        return mask(super().generate_csrf_token(csrf_token_field))

    def validate_csrf_token(self, form, field) -> None:
        field.data = unmask(field.data)
        super().validate_csrf_token(form, field)


class MaskedCSRFProtect(CSRFProtect):
    """Flask-WTF's CSRF protection, with every token it puts in a page masked."""

    def init_app(self, app: Flask) -> None:
        super().init_app(app)
        app.jinja_env.globals["csrf_token"] = masked_csrf_token
        app.jinja_env.globals["csrf_meta_tag"] = masked_csrf_meta_tag
        # Registered after Flask-WTF's own context processor, so these names win.
        app.context_processor(
            lambda: {"csrf_token": masked_csrf_token, "csrf_meta_tag": masked_csrf_meta_tag}
        )
        # Every form of the app is a FlaskForm; their CSRF field follows FlaskForm's Meta.
        FlaskForm.Meta.csrf_class = MaskedFormCSRF

    def _get_csrf_token(self) -> str | None:
        return unmask(super()._get_csrf_token())
