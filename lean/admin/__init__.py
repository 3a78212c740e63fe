"""Administration and onboarding: organizations, teams, people, themes, imports, audit log."""

from lean.admin import import_views, views  # noqa: F401  (their routes join the blueprint)
from lean.admin.blueprint import admin_blueprint

__all__ = ["admin_blueprint"]
