"""Requests for a host the app does not serve: our own 400 page, in the user's language and
with no link built from the untrusted Host; IPv6 literals are trusted like any other host."""

from __future__ import annotations

import re

import pytest

from tests.conftest import make_app

EVIL = "evil.example"
# The page's title in each language, and what the page is in the language's own words.
BAD_REQUEST = {"fi": "Virheellinen pyyntö", "sv": "Felaktig begäran"}
FRONT_PAGE = {"fi": "Siirry etusivulle", "sv": "Gå till startsidan"}


def assert_our_page_without_the_host(response, language: str) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert response.mimetype == "text/html"
    assert f'<html lang="{language}">' in page
    assert BAD_REQUEST[language] in page
    assert FRONT_PAGE[language] in page
    assert EVIL not in page
    assert "Location" not in response.headers
    # Every link of the page is relative to the site (or the page).
    for target in re.findall(r'(?:href|src|action)="([^"]*)"', page):
        assert target.startswith(("/", "#")) and not target.startswith("//"), target


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_a_foreign_host_gets_our_400_page_in_the_browsers_language(app, language):
    response = app.test_client().get(
        "/login", headers={"Host": EVIL, "Accept-Language": f"{language},en;q=0.5"}
    )
    assert_our_page_without_the_host(response, language)


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_a_foreign_host_gets_our_400_page_in_the_language_chosen_before(app, language):
    client = app.test_client()
    chose = client.post("/language", data={"language": language, "next": "/login"})
    assert chose.status_code == 303
    session_cookie = client.get_cookie("session").value
    # The browser prefers the other language: the one chosen on the site wins.
    other = "sv" if language == "fi" else "fi"
    # The session cookie as the browser sends it (the test client's jar would keep it to localhost).
    response = app.test_client(use_cookies=False).post(
        "/password-reset",
        data={"email": "member@example.fi"},
        headers={"Host": EVIL, "Accept-Language": other, "Cookie": f"session={session_cookie}"},
    )
    assert_our_page_without_the_host(response, language)


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_a_forwarded_foreign_host_behind_the_proxy_gets_the_same_page(database, language):
    app = make_app(database, PROXY_COUNT=1, BASE_URL="https://vertaa.example.fi")
    response = app.test_client().get(
        "/login",
        headers={"X-Forwarded-Host": EVIL, "Accept-Language": language},
        environ_base={"REMOTE_ADDR": "127.0.0.1"},
    )
    assert_our_page_without_the_host(response, language)


@pytest.mark.parametrize("language", ["fi", "sv"])
def test_in_production_a_foreign_or_malformed_host_gets_the_same_page(
    database, monkeypatch, language
):
    monkeypatch.setenv("LEAN_BASE_URL", "https://vertaa.example.fi")
    app = make_app(database, ENV="production", SECRET_KEY="p" * 40)
    client = app.test_client()
    headers = {"Accept-Language": language}
    for base in ("http://evil.example", "https://evil.example"):
        assert_our_page_without_the_host(
            client.get("/login", base_url=base, headers=headers), language
        )
    malformed = client.get("/login", headers={**headers, "Host": "evil.example/<x>"})
    assert malformed.status_code == 400 and BAD_REQUEST[language] in malformed.get_data(
        as_text=True
    )
    # An htmx request gets the message for the page's alert area.
    swapped = client.get(
        "/login", base_url="https://evil.example", headers={**headers, "HX-Request": "true"}
    )
    assert swapped.status_code == 400
    assert swapped.headers["HX-Retarget"] == "#messages"
    assert BAD_REQUEST[language] in swapped.get_data(as_text=True)


@pytest.mark.parametrize("host", ["[::1]", "[::1]:5000", "[0:0:0:0:0:0:0:1]:8080", "localhost"])
def test_outside_production_ipv6_loopback_is_served_like_127_0_0_1(app, host):
    response = app.test_client().get("/login", headers={"Host": host, "Accept-Language": "fi"})
    assert response.status_code == 200
    assert "Kirjaudu sisään" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "configured", ["vertaa.example.fi, 2001:db8::5", "vertaa.example.fi, [2001:db8::5]:8443"]
)
def test_production_answers_to_a_configured_ipv6_address(database, monkeypatch, configured):
    monkeypatch.setenv("LEAN_BASE_URL", "https://vertaa.example.fi")
    monkeypatch.setenv("LEAN_TRUSTED_HOSTS", configured)
    app = make_app(database, ENV="production", SECRET_KEY="p" * 40)
    client = app.test_client()
    for host, status in [
        ("[2001:db8::5]", 200),
        ("[2001:db8::5]:8443", 200),
        ("[2001:DB8:0::5]", 200),  # the same address, written otherwise
        ("vertaa.example.fi", 200),
        ("[2001:db8::6]", 400),
        ("[::1]", 400),  # loopback is trusted only outside production
        ("2001:db8::5", 400),  # not a valid Host without brackets
        ("[2001:db8::5", 400),
    ]:
        response = client.get("/login", headers={"Host": host})
        assert response.status_code == status, host


def test_an_ipv6_base_url_is_trusted(database, monkeypatch):
    monkeypatch.delenv("LEAN_TRUSTED_HOSTS", raising=False)
    monkeypatch.setenv("LEAN_BASE_URL", "http://[2001:db8::7]:8080")
    app = make_app(database, ENV="production", SECRET_KEY="p" * 40)
    client = app.test_client()
    assert client.get("/login", headers={"Host": "[2001:db8::7]:8080"}).status_code == 200
    assert client.get("/login", headers={"Host": "[2001:db8::8]:8080"}).status_code == 400
