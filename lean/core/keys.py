"""The installation's key for secrets it must read again: the sign-on providers' client
secrets and the webhook endpoints' signing secrets, encrypted with Fernet.

The key is LEAN_SIGN_ON_KEY (SIGN_ON_KEY): required in production once a secret is kept;
outside production a key generated once into instance/ is used when it is left empty.
"""

from __future__ import annotations

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
