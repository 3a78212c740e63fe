"""Languages, error pages, security headers, the health check and the theme colours."""

import pytest
from flask import abort

from tests.conftest import make_app


@pytest.mark.parametrize(
    ("accept_language", "lang", "text"),
    [
        ("sv-FI,sv;q=0.9", "sv", "Logga in"),
        ("fi", "fi", "Kirjaudu sisään"),
        ("en-GB,en;q=0.8", "en", "Log in"),
        ("de-DE", "fi", "Kirjaudu sisään"),  # no language of ours: Finnish
    ],
)
def test_language_follows_the_browser_then_defaults_to_finnish(client, accept_language, lang, text):
    html = client.get("/login", headers={"Accept-Language": accept_language}).get_data(as_text=True)
    assert f'<html lang="{lang}">' in html
    assert text in html


def test_saved_language_wins_over_the_browser_and_the_switch_saves_it(world, login, db):
    member = world.users["member"]
    client = login(member)
    response = client.post("/language", data={"language": "sv", "next": "/teams"})
    assert response.status_code == 303 and response.location == "/teams"
    db.session.refresh(member)
    assert member.language == "sv"
    html = client.get("/teams", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    assert '<html lang="sv">' in html and "Logga ut" in html


def test_language_switch_before_login_is_kept_in_the_session(client):
    client.post("/language", data={"language": "sv", "next": "https://evil.example/"})
    assert '<html lang="sv">' in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize(
    ("language", "title"),
    [("fi", "Sivua ei löytynyt"), ("sv", "Sidan hittades inte"), ("en", "Page not found")],
)
def test_not_found_page_is_in_the_users_language(client, language, title):
    response = client.get("/no-such-page", headers={"Accept-Language": language})
    assert response.status_code == 404
    assert title in response.get_data(as_text=True)


def test_server_error_page_rolls_back_and_is_translated(database):
    app = make_app(database)

    @app.get("/boom")
    def boom():
        from lean.core.extensions import db
        from lean.models import Organization

        db.session.add(Organization(name="Kesken jäänyt"))
        db.session.flush()
        raise RuntimeError("broken")

    with app.app_context():
        response = app.test_client().get("/boom", headers={"Accept-Language": "fi"})
        assert response.status_code == 500
        assert "Jokin meni vikaan" in response.get_data(as_text=True)
        from sqlalchemy import select

        from lean.core.extensions import db
        from lean.models import Organization

        assert (
            db.session.scalar(select(Organization).where(Organization.name == "Kesken jäänyt"))
            is None
        )


def test_htmx_errors_go_to_the_message_area(database):
    app = make_app(database)

    @app.get("/forbidden")
    def forbidden():
        abort(403)

    response = app.test_client().get("/forbidden", headers={"HX-Request": "true"})
    assert response.status_code == 403
    assert response.headers["HX-Retarget"] == "#messages"
    assert "You do not have permission" in response.get_data(as_text=True)


def test_security_headers_on_every_response(client):
    response = client.get("/login")
    policy = response.headers["Content-Security-Policy"]
    for directive in (
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_no_inline_script_or_style_in_pages(world, login_as):
    html = login_as("member").get(f"/teams/{world.team.id}/board").get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html and "<style" not in html
    assert 'src="/static/vendor/htmx-2.0.11/htmx.min.' in html


def test_htmx_from_a_cdn_is_pinned_and_allowed_by_the_policy(database):
    url = "https://cdn.example.net/npm/htmx.org@2.0.11/dist/htmx.min.js"
    app = make_app(database, HTMX_CDN_URL=url, HTMX_CDN_INTEGRITY="sha384-abc")
    response = app.test_client().get("/login")
    assert f'src="{url}" integrity="sha384-abc"' in response.get_data(as_text=True)
    assert (
        "script-src 'self' https://cdn.example.net" in response.headers["Content-Security-Policy"]
    )


def test_user_text_is_escaped(world, login_as, db):
    world.improvement.title = '<script>alert("x")</script>'
    db.session.commit()
    html = login_as("member").get(f"/improvements/{world.improvement.id}").get_data(as_text=True)
    assert '<script>alert("x")</script>' not in html
    assert "&lt;script&gt;" in html


def test_health_check_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_theme_colours_come_as_a_stylesheet(client):
    response = client.get("/themes.css")
    assert response.mimetype == "text/css"
    assert ".theme-1 { --theme-colour: #6a1b9a; }" in response.get_data(as_text=True)
