"""An open page's "anything new?" answered before the person is loaded.

An open board asks every 20 seconds whether it changed (htmx, with If-None-Match). Through
the whole request, that question cost loading the person with their organization,
memberships and teams as ORM objects, to choose the language and ask the policy; that load
was half of the answer's cost. A view may name a quicker check (`answers_unchanged`): it
reads what the question needs in one statement and answers 304 only when the full request
would, with the same session rule (security.is_current_login), the same policy function and
the same tag. Whenever it cannot say "unchanged" for sure it returns None, and the request
goes on as any other: the quick check never answers anything but a 304.

It runs before the language is chosen (i18n's hook loads the person), so it is registered
before i18n in create_app.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, Response, current_app, request

QuickCheck = Callable[..., Response | None]
_CHECK = "answers_unchanged"


def answers_unchanged(check: QuickCheck) -> Callable[[Callable], Callable]:
    """Decorator, under the route's: `check(**view_args)` may answer the view's conditional
    htmx requests with a 304, or return None to let the view answer."""

    def mark(view: Callable) -> Callable:
        setattr(view, _CHECK, check)
        return view

    return mark


def init_app(app: Flask) -> None:
    app.before_request(_answer_unchanged)


def _answer_unchanged() -> Response | None:
    if request.method != "GET" or not request.if_none_match:
        return None
    view: Any = current_app.view_functions.get(request.endpoint or "")
    check: QuickCheck | None = getattr(view, _CHECK, None)
    if check is None:
        return None
    return check(**(request.view_args or {}))
