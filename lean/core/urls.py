"""Absolute links that leave the site (e-mails), and the host names the app answers to.

A link in an e-mail must never be built from the request's Host header: whoever sends the
request chooses that header, and a password reset link pointing at their host hands them
the token. Every absolute URL comes from the configured BASE_URL through `external_url`,
and requests for a host outside TRUSTED_HOSTS are refused with 400 before any view runs.
"""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

from flask import Flask, Request, current_app, has_request_context, request
from flask.globals import request_ctx
from werkzeug.exceptions import SecurityError
from werkzeug.routing import MapAdapter
from werkzeug.wsgi import get_host

# What `make run` serves; links made outside a request in development point here.
DEVELOPMENT_BASE_URL = "http://127.0.0.1:5000"
# Outside production the app answers to these names (the test client asks for localhost).
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "[::1]")


# Every request compares its Host with each trusted entry: the few spellings seen are kept.
@lru_cache(maxsize=256)
def _host_name(host: str) -> str:
    """The name part of a host (`name`, `name:port`, `[v6]`, `[v6]:port` or a bare IPv6
    address), lower case; an IP address in its one canonical spelling, IPv6 in brackets."""
    host = host.strip().lower()
    if host.startswith("["):
        name = host[1 : host.find("]")] if "]" in host else host[1:]
    elif host.count(":") > 1:  # a bare IPv6 address: its colons are not a port
        name = host
    else:
        name = host.partition(":")[0]
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        try:
            return name.encode("idna").decode("ascii")
        except UnicodeError:
            return name
    return f"[{address.compressed}]" if address.version == 6 else address.compressed


def host_is_trusted(host: str, trusted: list[str]) -> bool:
    """Whether `host` (as in the Host header) names one of `trusted`; the port is ignored.

    Werkzeug's own check (3.1) cuts every entry at its first colon, so no IPv6 entry can
    match; this one reads `[::1]`, `[::1]:5000` and `::1` alike. As in Werkzeug, an entry
    starting with a dot also admits its subdomains.
    """
    name = _host_name(host)
    for entry in trusted:
        if entry.startswith("."):
            suffix = _host_name(entry[1:])
            if name == suffix or name.endswith(f".{suffix}"):
                return True
        elif name == _host_name(entry):
            return True
    return False


class HostCheckingFlask(Flask):
    """Flask, with TRUSTED_HOSTS matched by `host_is_trusted` (IPv6 literals included)."""

    def create_url_adapter(self, request: Request | None) -> MapAdapter | None:
        if request is None:
            return super().create_url_adapter(request)
        trusted = self.config["TRUSTED_HOSTS"]
        # Kept on the request as Flask does: should anything read request.host after a
        # refusal, Werkzeug's own check refuses it again rather than trusting the header.
        request.trusted_hosts = trusted
        sent = request.environ.get("HTTP_HOST")
        host = get_host(request.environ)  # "" when absent or of invalid characters
        # As in Werkzeug, only a request with no Host at all (HTTP/1.0) passes without one.
        if trusted and (host or sent is not None) and not host_is_trusted(host, trusted):
            raise SecurityError(f"Host {sent or host!r} is not trusted.")
        request.host = host
        # As Flask binds without host or subdomain matching, which Vertaa does not use.
        return self.url_map.bind_to_environ(
            request.environ,
            server_name=self.config["SERVER_NAME"],
            subdomain=self.url_map.default_subdomain or "",
        )


def external_url(endpoint: str, **values) -> str:
    """The absolute URL of `endpoint` (with its `values`) on the configured BASE_URL.

    Use it for every link that leaves the site: e-mails, digests, anything stored or sent.
    It works inside and outside a request (CLI commands, background jobs). Without BASE_URL
    outside production, a request's own (trusted) origin is used, else DEVELOPMENT_BASE_URL.
    """
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # a proxy, typed as its object
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
        base_host = urlsplit(config["BASE_URL"]).netloc.rpartition("@")[2]
        if base_host and not host_is_trusted(base_host, hosts):
            hosts.append(base_host)
    return hosts


def init_app(app: Flask) -> None:
    @app.errorhandler(SecurityError)
    def untrusted_host(error):
        """The translated 400 page for a request to a host we do not serve."""
        from lean.core.errors import render_error

        context = request_ctx._get_current_object()  # type: ignore[attr-defined]  # a proxy, typed as its object
        if context.url_adapter is None:
            # Flask refused the Host before routing; the page's own (relative) links still
            # need an adapter, bound to a host we trust rather than the one that was sent.
            base = urlsplit(app.config.get("BASE_URL") or DEVELOPMENT_BASE_URL)
            context.url_adapter = app.url_map.bind(
                base.netloc, script_name=base.path.rstrip("/") or "/", url_scheme=base.scheme
            )
        return render_error(400)
