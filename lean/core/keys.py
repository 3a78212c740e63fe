"""Secrets: the installation's key for those it must read again (the sign-on providers' client
secrets and the webhook endpoints' signing secrets, encrypted with Fernet), and the making of
those it hands out once and keeps only a hash of (one-time links, access tokens).

The key is LEAN_SIGN_ON_KEY (SIGN_ON_KEY): required in production once a secret is kept;
outside production a key generated once into instance/ is used when it is left empty.
"""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from flask import Flask, current_app


class SecretKeyMissing(Exception):
    """Production has no LEAN_SIGN_ON_KEY to encrypt or read the kept secrets with (or the
    secret was encrypted with another key)."""


def _key(app: Flask) -> bytes:
    key = app.config.get("SIGN_ON_KEY")
    if key:
        return key.encode() if isinstance(key, str) else key
    if app.config["ENV"] == "production":
        raise SecretKeyMissing
    path = Path(app.instance_path) / "sign_on_key"
    if not path.exists():
        path.write_text(Fernet.generate_key().decode())
        path.chmod(0o600)
    return path.read_text().strip().encode()


def encrypt_secret(secret: str) -> str:
    return Fernet(_key(current_app)).encrypt(secret.encode()).decode()


def decrypt_secret(encrypted: str) -> str:
    try:
        return Fernet(_key(current_app)).decrypt(encrypted.encode()).decode()
    except InvalidToken as error:  # encrypted with another key
        raise SecretKeyMissing from error


def new_token(prefix: str = "") -> str:
    """A secret to hand out (a one-time link's, an access token's, a calendar feed's address):
    256 random bits, safe in a URL, after `prefix`."""
    return prefix + secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What is kept of a secret handed out once: its SHA-256, to find it by."""
    return hashlib.sha256(token.encode()).hexdigest()
