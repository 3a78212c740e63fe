"""Every redirect to a `next` target stays on our site, control characters included."""

import pytest

from lean.core.input_checks import CONTROL_CHARACTERS
from tests.conftest import PASSWORD

# Each is refused like a foreign URL: a newline cannot go into a Location header (it was a
# 500), and browsers drop tabs and newlines from URLs, so "/\t/evil" would become "//evil".
UNSAFE_TARGETS = [
    "/teams\n",
    "/teams\r\nSet-Cookie: x=1",
    "/\t/evil.example",
    "/teams\x00",
    "/teams\x7f",
    "/teams\x85",
    "https://evil.example/",
]


def assert_refused(response, target: str, fallback: str) -> None:
    """Never a redirect to the target: the form is refused whole (control characters other
    than tab and newline, before any view runs), or the redirect goes to our fallback."""
    if CONTROL_CHARACTERS.search(target):
        assert response.status_code == 422
        assert "Location" not in response.headers
    else:
        assert response.status_code == 303
        assert response.location == fallback


@pytest.mark.parametrize("target", UNSAFE_TARGETS)
def test_language_switch_without_login_refuses_an_unsafe_next(client, target):
    response = client.post("/language", data={"language": "sv", "next": target})
    assert_refused(response, target, "/")


def test_language_switch_follows_a_safe_next(client):
    response = client.post("/language", data={"language": "sv", "next": "/login?x=1"})
    assert response.location == "/login?x=1"


@pytest.mark.parametrize("target", UNSAFE_TARGETS)
def test_login_refuses_an_unsafe_next(client, world, target):
    response = client.post(
        "/login", data={"email": "member@example.fi", "password": PASSWORD, "next": target}
    )
    assert_refused(response, target, "/")


@pytest.mark.parametrize("target", UNSAFE_TARGETS)
def test_marking_notices_read_refuses_an_unsafe_next(login_as, target):
    response = login_as("member").post("/network/notices/read", data={"next": target})
    assert_refused(response, target, "/network/notices")


@pytest.mark.parametrize("target", UNSAFE_TARGETS)
def test_network_settings_refuse_an_unsafe_next(login_as, world, target):
    settings = f"/network/organizations/{world.organization.id}/settings"
    response = login_as("coordinator").post(
        settings, data={"supervisors_may_publish": "y", "next": target}
    )
    assert_refused(response, target, settings)
