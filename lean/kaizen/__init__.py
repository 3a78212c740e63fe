"""The kaizen log: small improvements already made, logged in seconds."""

from lean.kaizen.views import kaizen_blueprint

__all__ = ["kaizen_blueprint"]
