"""The registry of page pieces: a page asks for another area's piece by name."""

import re
from pathlib import Path

import pytest
from flask import Blueprint, Flask, render_template_string
from markupsafe import Markup

from lean.shared import pieces

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# The areas' template folders (accessibility and search are lean/site's pages).
AREAS = {
    "a3",
    "admin",
    "auth",
    "boards",
    "conversation",
    "dashboard",
    "kaizen",
    "network",
    "standups",
    "accessibility",
    "search",
}
# {% include "x/…" %}, {% from "x/…" import … %}, {% import "x/…" %}, {% extends "x/…" %}
USES = re.compile(r"{%-?\s*(?:include|from|import|extends)\s+[\"']([^/\"']+)/")


def bare_app() -> Flask:
    app = Flask(__name__)
    pieces.init_app(app)
    return app


def render(app: Flask, source: str) -> str:
    with app.app_context():
        return render_template_string(source)


def test_a_registered_piece_renders_from_the_page_context():
    app = bare_app()
    pieces.register(app, "kaizen.greeting", lambda team: Markup("<b>{}</b>").format(f"Hei, {team}"))
    html = render(app, '<p>{{ piece("kaizen.greeting", team="Opintotoimisto & co") }}</p>')
    assert html == "<p><b>Hei, Opintotoimisto &amp; co</b></p>"


def test_a_piece_that_returns_plain_text_is_escaped():
    app = bare_app()
    pieces.register(app, "kaizen.title", lambda: "<script>")
    assert render(app, '{{ piece("kaizen.title") }}') == "&lt;script&gt;"


def test_an_unknown_piece_renders_nothing():
    app = bare_app()
    assert render(app, '<p>{{ piece("a3.card_summary", improvement=1) }}</p>') == "<p></p>"


def test_a_piece_may_give_data_and_an_absent_one_gives_none():
    app = bare_app()
    source = '{% set limits = piece("standups.stage_limits") or {} %}{{ limits.get("plan", "-") }}'
    assert render(app, source) == "-"
    pieces.register(app, "standups.stage_limits", lambda: {"plan": 14})
    assert render(app, source) == "14"


def test_a_name_is_taken_once():
    app = bare_app()
    pieces.register(app, "kaizen.title", lambda: "A")
    with pytest.raises(ValueError, match=r"kaizen\.title"):
        pieces.register(app, "kaizen.title", lambda: "B")


def test_a_blueprint_provides_pieces_named_after_it_when_it_is_registered():
    app = bare_app()
    blueprint = Blueprint("kaizen", __name__)

    @pieces.provides(blueprint, "kaizen.title")
    def title() -> str:
        return "Kaizen"

    assert "kaizen.title" not in pieces.names(app)
    app.register_blueprint(blueprint)
    assert "kaizen.title" in pieces.names(app)
    assert render(app, '{{ piece("kaizen.title") }}') == "Kaizen"
    with pytest.raises(ValueError, match=r"a3\.title"):
        pieces.provides(blueprint, "a3.title")


def test_the_areas_register_their_pieces_at_start_up(app):
    assert {
        "a3.card_summary",
        "a3.history_event",
        "boards.card_history",
        "conversation.bell",
        "conversation.card_comments",
        "conversation.digest_setting",
        "conversation.history_event",
        "dashboard.team_figures",
        "kaizen.board_link",
        "kaizen.promoted_from",
        "network.board_notices",
        "network.card_links",
        "network.kaizen_publish",
        "network.name_sharing",
        "network.notices",
        "network.settings_form",
        "standups.board_status",
        "standups.card_escalations",
        "standups.history_event",
        "standups.stage_limits",
    } <= pieces.names(app)


def test_no_template_includes_another_areas_template():
    """A page shows another area's piece only through the registry, so that the area's
    queries stay in the area and a page renders without it."""
    crossings = []
    for template in sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.txt")):
        folder = template.relative_to(TEMPLATES).parts[0] if template.parent != TEMPLATES else ""
        for used in USES.findall(template.read_text()):
            if used in AREAS and used != folder:
                crossings.append(f"{template.relative_to(TEMPLATES)} uses {used}/")
    assert crossings == []
