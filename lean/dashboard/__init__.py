"""The coordinator dashboard: every team of an organization at a glance, with reports."""
