"""Absolute links that leave the site (e-mails), and the host names the app answers to.

A link in an e-mail must never be built from the request's Host header: whoever sends the
request chooses that header, and a password reset link pointing at their host hands them
the token. Every absolute URL comes from the configured BASE_URL through `external_url`,
and requests for a host outside TRUSTED_HOSTS are refused with 400 before any view runs.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, has_request_context, request
from flask.globals import request_ctx
from werkzeug.exceptions import SecurityError

# What `make run` serves; links made outside a request in development point here.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"
# Outside production the app answers to these names (the test client asks for localhost).
# Werkzeug 3.1's host check cannot match an IPv6 literal such as [::1]; use localhost.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1")


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of `endpoint` (with its `values`) on the configured BASE_URL.

    Use it for every link that leaves the site: e-mails, digests, anything stored or sent.
    It works inside and outside a request (CLI commands, background jobs). Without BASE_URL
    outside production, a request's own (trusted) origin is used, else DEVELOPMENT_BASE_URL.
    """
    app = current_app._get_current_object()
    base = app.config.get("BASE_URL")
    if not base:
        base = request.host_url if has_request_context() else DEVELOPMENT_BASE_URL
    parts = urlsplit(base)
    adapter = app.url_map.bind(
        parts.netloc, script_name=parts.path.rstrip("/") or "/", url_scheme=parts.scheme
    )
    app.inject_url_defaults(endpoint, values)
    return adapter.build(endpoint, values, force_external=True)


def base_url_problem(base_url: str) -> str | None:
    """Why a BASE_URL cannot be used, or None when it is an http(s) origin with an optional path."""
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "expected an origin such as https://vertaa.example.fi"
    if parts.query or parts.fragment or parts.username or parts.password:
        return "expected an origin such as https://vertaa.example.fi, with no query or user"
    return None


def trusted_hosts(config) -> list[str]:
    """TRUSTED_HOSTS as configured, else loopback outside production; BASE_URL's host always."""
    hosts = list(config.get("TRUSTED_HOSTS") or ())
    if not hosts and config["ENV"] != "production":
        hosts = list(LOOPBACK_HOSTS)
    if config.get("BASE_URL"):
        base_host = urlsplit(config["BASE_URL"]).hostname
        if base_host and base_host not in hosts:
            hosts.append(base_host)
    return hosts


def init_app(app: Flask) -> None:
    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        """The translated 400 page for a request to a host we do not serve."""
        from lean.errors import render_error

        context = request_ctx._get_current_object()
        if context.url_adapter is None:
            # Flask refused the Host before routing; the page's own (relative) links still
            # need an adapter, bound to a host we trust rather than the one that was sent.
            base = urlsplit(app.config.get("BASE_URL") or DEVELOPMENT_BASE_URL)
            context.url_adapter = app.url_map.bind(
                base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme
            )
        return render_error(400)
