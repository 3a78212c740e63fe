"""Helpers of the API's tests: a personal access token for a person, and requests with it."""

from __future__ import annotations

from datetime import date

from lean.api import services
from lean.core.extensions import db
from lean.models import User


def token_for(user: User, can_write: bool = True, expires_on: date = date(2027, 2, 14)) -> str:
    """A working token of `user`'s (read-write unless told), committed as the profile makes it."""
    _token, raw = services.create_token(user, "Tests", can_write, expires_on)
    db.session.commit()
    return raw


def bearer(raw: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {raw}", **headers}


class ApiClient:
    """A test client whose every request carries the token: api.get("/improvements")."""

    def __init__(self, client, raw: str, prefix: str = "/api/v1") -> None:
        self.client, self.raw, self.prefix = client, raw, prefix

    def _open(self, method: str, path: str, headers: dict | None = None, **kwargs):
        return self.client.open(
            self.prefix + path, method=method, headers=bearer(self.raw, **(headers or {})), **kwargs
        )

    def get(self, path: str, **kwargs):
        return self._open("GET", path, **kwargs)

    def post(self, path: str, **kwargs):
        return self._open("POST", path, **kwargs)

    def patch(self, path: str, **kwargs):
        return self._open("PATCH", path, **kwargs)
