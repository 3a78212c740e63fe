"""The JSON API under /api/v1 and the personal access tokens it is used with."""
