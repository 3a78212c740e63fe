"""BREACH: compressed pages never carry the CSRF token in the same bytes twice, and every
masked copy of it still works."""

from __future__ import annotations

import gzip
import itertools
import re
from difflib import SequenceMatcher

import pytest

from lean.core.csrf import unmask
from tests.conftest import PASSWORD, make_app

TOKENS = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


@pytest.fixture
def protected(database, world):
    """The app as it is served: compressed pages, real CSRF protection."""
    return make_app(database, WTF_CSRF_ENABLED=True, COMPRESS_RESPONSES=True)


def tokens_of(client, path: str) -> list[str]:
    """Every CSRF token in the page as the browser gets it (gzip-compressed)."""
    response = client.get(path, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["Content-Encoding"] == "gzip"
    page = gzip.decompress(response.get_data()).decode()
    found = [form or header for form, header in TOKENS.findall(page)]
    assert found, f"no CSRF token in {path}"
    return found


def longest_common_run(first: str, second: str) -> int:
    match = SequenceMatcher(None, first, second, autojunk=False).find_longest_match()
    return match.size


def test_no_two_tokens_share_their_bytes_within_or_across_responses(protected):
    client = protected.test_client()
    # The login page renders its token with form.hidden_tag(), the body's htmx headers and
    # the language switch with csrf_token(): all three ways are masked.
    tokens = tokens_of(client, "/login") + tokens_of(client, "/login")
    assert len(tokens) >= 6
    for first, second in itertools.combinations(tokens, 2):
        # Random pads: at most a few characters line up by chance, never the secret.
        assert longest_common_run(first, second) < 12, (first, second)


def test_every_masked_token_validates_in_the_form_and_in_the_header(protected):
    client = protected.test_client()
    first = tokens_of(client, "/login")[0]
    second = tokens_of(client, "/login")[-1]
    assert first != second

    by_form = client.post("/language", data={"language": "sv", "csrf_token": first})
    assert by_form.status_code == 303
    by_header = client.post("/language", data={"language": "fi"}, headers={"X-CSRFToken": second})
    assert by_header.status_code == 303
    # A page made before tokens were masked still works: its plain token is taken too.
    plain = unmask(first)
    assert "." in plain
    assert client.post("/language", data={"language": "sv", "csrf_token": plain}).status_code == 303


def test_a_damaged_or_foreign_token_is_refused(protected):
    client = protected.test_client()
    token = tokens_of(client, "/login")[0]
    damaged = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    stranger = protected.test_client()
    foreign = tokens_of(stranger, "/login")[0]  # another session's token
    for sent in (damaged, foreign, "", "bm90IGEgdG9rZW4="):
        refused = client.post("/language", data={"language": "sv", "csrf_token": sent})
        assert refused.status_code == 400, sent


def test_logging_in_and_changing_things_with_masked_tokens(protected):
    client = protected.test_client()
    login_token = tokens_of(client, "/login")[0]
    logged_in = client.post(
        "/login",
        data={"email": "member@example.fi", "password": PASSWORD, "csrf_token": login_token},
    )
    assert logged_in.status_code == 303
    # A fresh session at login: the page after it carries a token of the new session.
    page_token = tokens_of(client, "/account/password")[0]
    changed = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "uusi-kunnon-salasana-43",
            "confirm": "uusi-kunnon-salasana-43",
            "csrf_token": page_token,
        },
    )
    assert changed.status_code == 303
