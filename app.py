"""Entry point for `flask --app app run` and `gunicorn app:app`."""

from lean import create_app

app = create_app()
