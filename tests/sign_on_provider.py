"""A real OpenID provider on loopback for the sign-on tests (oidc-provider-mock), and a
forging provider in front of it whose ID tokens are changed or wrongly signed.

The mock runs a werkzeug server in a thread of the test process: its tokens are signed with
its own RSA key, published at its JWKS, and carry the claims a test sets with `set_user`.
"""

from __future__ import annotations

import base64
import json
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from urllib.parse import urlsplit

import requests
import werkzeug.serving
from cryptography.fernet import Fernet
from flask import Flask, jsonify, request
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

from lean.models.sign_on import SignOnProvider

# The mock provider runs in this process: its use of Authlib's older server interface warns,
# which the test configuration would turn into its error answers.
PROVIDER_WARNINGS = "ignore:get_jwt_config:DeprecationWarning"

# The fixed key the tests (and the demo) encrypt client secrets with.
TEST_SIGN_ON_KEY = Fernet.generate_key().decode()
CLIENT_ID = "vertaa-test-client"
CLIENT_SECRET = "salainen-asiakas-42"


@contextmanager
def mock_provider() -> Iterator[str]:
    """The mock provider's base URL (http://localhost:<port>) while it runs."""
    with warnings.catch_warnings():  # it imports Authlib's older JOSE module, which warns
        warnings.simplefilter("ignore", DeprecationWarning)
        from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


def set_user(base_url: str, sub: str, **claims) -> None:
    """What the provider says about the person `sub` from now on."""
    response = requests.put(f"{base_url}/users/{sub}", json=claims, timeout=10)
    response.raise_for_status()


def authorize(authorize_url: str, sub: str) -> str:
    """The person `sub` approves at the provider; the URL it sends the browser back to."""
    response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def make_provider(organization, base_url: str, domains: str = "example.fi", **values):
    """A provider row for the organization, its secret encrypted with the test key."""
    from lean.auth.sign_on import encrypt_secret
    from lean.core.extensions import db

    provider = SignOnProvider(
        organization=organization,
        name=values.pop("name", "Koulun tunnus"),
        kind=values.pop("kind", "oidc"),
        discovery_url=f"{base_url}/.well-known/openid-configuration",
        client_id=values.pop("client_id", CLIENT_ID),
        client_secret_encrypted=encrypt_secret(CLIENT_SECRET),
        domains=domains,
        **values,
    )
    db.session.add(provider)
    db.session.commit()
    return provider


def _claims_of(id_token: str) -> dict:
    payload = id_token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


@contextmanager
def forging_provider(
    real_url: str, change: Callable[[dict], None] = lambda claims: None, wrong_key: bool = False
) -> Iterator[str]:
    """A provider that is the mock everywhere but in its token answer: the ID token's claims
    pass through `change` and are signed again with a key of its own, which its JWKS
    publishes, or with another key when `wrong_key` (a signature no published key verifies)."""
    published = RSAKey.generate_key(2048, parameters={"kid": "forged"})
    signing = RSAKey.generate_key(2048, parameters={"kid": "forged"}) if wrong_key else published
    app = Flask(__name__)

    @app.get("/.well-known/openid-configuration")
    def discovery():
        document = requests.get(f"{real_url}/.well-known/openid-configuration", timeout=10).json()
        document["token_endpoint"] = f"{request.host_url}token"
        document["jwks_uri"] = f"{request.host_url}jwks"
        return jsonify(document)

    @app.get("/jwks")
    def jwks():
        return jsonify(KeySet([published]).as_dict(private=False))

    @app.post("/token")
    def token():
        headers = {}
        if request.headers.get("Authorization"):
            headers["Authorization"] = request.headers["Authorization"]
        answer = requests.post(
            f"{real_url}/oauth2/token", data=request.form, headers=headers, timeout=10
        ).json()
        if "id_token" in answer:
            claims = _claims_of(answer["id_token"])
            change(claims)
            answer["id_token"] = jwt.encode({"alg": "RS256", "kid": "forged"}, claims, signing)
        return jsonify(answer)

    server = werkzeug.serving.make_server("localhost", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    thread.start()
    try:
        yield f"http://localhost:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(2)


def callback_path(location: str) -> str:
    """The provider's redirect back to Vertaa, as a path the test client opens."""
    parts = urlsplit(location)
    return f"{parts.path}?{parts.query}"
