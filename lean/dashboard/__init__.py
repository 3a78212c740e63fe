"""The coordinator dashboard: every team of an organization at a glance, with reports."""

from lean.dashboard.views import dashboard_blueprint

__all__ = ["dashboard_blueprint"]
