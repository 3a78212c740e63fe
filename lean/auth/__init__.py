"""Logging in and out, password changes, the language choice, invitations and resets."""

from lean.auth import link_views  # noqa: F401  (its routes join the blueprint)
from lean.auth.views import auth_blueprint

__all__ = ["auth_blueprint"]
