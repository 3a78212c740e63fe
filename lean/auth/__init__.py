"""Logging in and out, password changes and the language choice."""

from lean.auth.views import auth_blueprint

__all__ = ["auth_blueprint"]
