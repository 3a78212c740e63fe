"""With the database unreachable, users get a page in their language that says to try again."""

import socket

import pytest

from tests.conftest import make_app


@pytest.fixture
def unreachable_database_client():
    """A client of an app whose PostgreSQL server is not there: nothing listens on its port."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = make_app(f"postgresql+psycopg://vertaa:vertaa@127.0.0.1:{port}/vertaa")
    return server.test_client()


@pytest.mark.parametrize(
    ("cookie_language", "accept_language", "message"),
    [
        ("sv", "fi", "Försök igen om en stund"),
        (None, "fi", "Yritä hetken kuluttua uudelleen"),
        (None, "en", "Try again in a moment"),
    ],
)
def test_a_logged_in_user_gets_a_503_page_in_their_language(
    unreachable_database_client, cookie_language, accept_language, message
):
    """The session says who is logged in, but the page must not need the database to say so."""
    client = unreachable_database_client
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = accept_language
    with client.session_transaction() as session:
        session["_user_id"] = "1:some-session-token"
        if cookie_language:
            session["language"] = cookie_language
    response = client.get("/teams/1/board")
    text = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert message in text
    assert f'<html lang="{cookie_language or accept_language}">' in text
    assert "Traceback" not in text and "psycopg" not in text


def test_an_htmx_request_gets_the_message_in_the_alert_area(unreachable_database_client):
    client = unreachable_database_client
    with client.session_transaction() as session:
        session["_user_id"] = "1:some-session-token"
    response = client.post(
        "/improvements/1/move", data={"stage": "plan"}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 503
    assert response.headers["HX-Retarget"] == "#messages"
    text = response.get_data(as_text=True)
    assert 'role="alert"' in text and "Try again in a moment" in text


def test_the_login_page_post_answers_503_not_500(unreachable_database_client):
    response = unreachable_database_client.post(
        "/login", data={"email": "someone@example.fi", "password": "x" * 12}
    )
    assert response.status_code == 503
    assert "Try again in a moment" in response.get_data(as_text=True)
