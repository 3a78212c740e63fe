"""Page pieces: how a page shows another area's piece without importing that area.

An area registers its pieces when create_app registers its blueprint: each piece is a name
("a3.card_summary") and a callable that takes the page's objects as keywords (the card, the
team) and returns the piece's HTML (Markup, usually `partial()` of one of the area's own
templates) or data for the page's own markup. A template asks for a piece by name with the one
Jinja global `piece`:

    {{ piece("a3.card_summary", improvement=improvement, can_write=can_write) }}

A piece nobody registered renders nothing (an empty Markup, which is also falsy for a page that
asked for data), so a page still renders without the area. The piece runs its area's queries
itself, only where a page asks for it, so what a page costs is read from its template and the
pieces it names: no area hands out template globals or context processors that query.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, current_app, render_template
from flask.blueprints import BlueprintSetupState
from flask.sansio.app import App  # what a blueprint is registered with
from markupsafe import Markup

# The registry's place in app.extensions: piece name -> callable.
EXTENSION = "pieces"

Piece = Callable[..., Any]


def init_app(app: Flask) -> None:
    """An empty registry and the `piece` Jinja global; before any blueprint is registered."""
    app.extensions[EXTENSION] = {}
    app.jinja_env.globals["piece"] = piece


def register(app: App, name: str, render: Piece) -> None:
    """Give `render` the name `name`; a second piece of the same name is a mistake."""
    registry: dict[str, Piece] = app.extensions[EXTENSION]
    if name in registry:
        raise ValueError(f"The page piece {name!r} is registered twice.")
    registry[name] = render


def provides(blueprint: Blueprint, name: str) -> Callable[[Piece], Piece]:
    """Decorator: the function is the piece `name`, registered with its area's blueprint. The
    name starts with the blueprint's name, so that a template's piece names its area."""
    if not name.startswith(f"{blueprint.name}."):
        raise ValueError(f"The page piece {name!r} must start with {blueprint.name!r}.")

    def decorate(render: Piece) -> Piece:
        def register_with_app(state: BlueprintSetupState) -> None:
            register(state.app, name, render)

        blueprint.record_once(register_with_app)
        return render

    return decorate


def names(app: Flask) -> frozenset[str]:
    """The names of the pieces registered in the app."""
    return frozenset(app.extensions[EXTENSION])


def piece(name: str, /, **context: Any) -> Any:
    """The Jinja global: the piece `name` rendered from the page's objects, or nothing."""
    render = current_app.extensions[EXTENSION].get(name)
    if render is None:
        return Markup()
    return render(**context)


def partial(template: str, /, **context: Any) -> Markup:
    """A piece's HTML from one of its area's partial templates. The template is autoescaped,
    so what it rendered is safe to place in the page."""
    return Markup(render_template(template, **context))  # noqa: S704  # nosec B704
