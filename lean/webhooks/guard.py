"""Where a webhook may be sent: the guard against server-side request forgery.

By default only `https` to a host whose every address is public: no loopback, private,
link-local (the cloud's metadata address 169.254.169.254 among them), shared (CGNAT
100.64.0.0/10), multicast, reserved or unspecified address, no IPv6 unique-local or
link-local one, and no IPv4-mapped IPv6 address of any of those. The installation's
WEBHOOK_ALLOWED_HOSTS (env LEAN_WEBHOOK_ALLOWED_HOSTS) names hosts that may be reached
anyway, over `http` too (an intranet's own service; the tests' receiver on 127.0.0.1).

The host is resolved and checked at each delivery, and the request is then made to the
address that was checked (`pinned_session`): a name that resolves to a public address for
the check and to an internal one a moment later (DNS rebinding) reaches nothing internal.
TLS still verifies the certificate against the host's name (SNI and hostname check use the
name, the connection the checked address). Redirects are never followed by the caller.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import requests

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """The URL may not be sent to; `reason` is one of the REASONS below."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail


# Why a URL is refused (the forms and the delivery log put these into words).
NOT_A_URL = "not_a_url"
NOT_HTTPS = "not_https"
UNRESOLVED = "unresolved"
NOT_PUBLIC = "not_public"

# Ranges that `is_global` lets through in some Python versions, or that are worth naming.
_EXTRA_BLOCKED = tuple(
    ipaddress.ip_network(network)
    for network in (
        "0.0.0.0/8",  # "this network"
        "100.64.0.0/10",  # shared address space (carrier-grade NAT)
        "169.254.0.0/16",  # link-local, with the cloud metadata service
        "192.0.0.0/24",  # IETF protocol assignments
        "198.18.0.0/15",  # benchmarking
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and the broadcast address
        "64:ff9b:1::/48",  # local-use IPv4/IPv6 translation
        "fc00::/7",  # unique local
        "fe80::/10",  # link-local
        "ff00::/8",  # multicast
    )
)


def is_public(address: IPAddress) -> bool:
    """Whether the address is one of the public internet's, and no IPv6 disguise of another."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = address.ipv4_mapped or address.sixtofour
        if embedded is not None:
            return is_public(embedded)
        if address.teredo is not None:
            return False
    if (
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or not address.is_global
    ):
        return False
    return not any(
        address in network for network in _EXTRA_BLOCKED if network.version == address.version
    )


@dataclass(frozen=True)
class Target:
    """A checked URL: where it points, and the address the request must connect to."""

    url: str
    scheme: str
    host: str
    port: int
    address: str


Resolver = Callable[[str, int], Iterable[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address the host's name has (A and AAAA), as the system's resolver gives them."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _allowed(host: str, port: int, allowed_hosts: Iterable[str]) -> bool:
    allowed = {name.strip().lower() for name in allowed_hosts if name.strip()}
    return host in allowed or f"{host}:{port}" in allowed


def check(url: str, allowed_hosts: Iterable[str] = (), resolver: Resolver = resolve) -> Target:
    """The URL's target when it may be sent to; raises Refused otherwise. Resolves the name."""
    try:
        parts = urlsplit(url.strip())
        host = (parts.hostname or "").lower()
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError as error:  # a port that is no number, a broken IPv6 literal
        raise Refused(NOT_A_URL, str(error)) from error
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not host:
        raise Refused(NOT_A_URL)
    allowed = _allowed(host, port, allowed_hosts)
    if scheme != "https" and not allowed:
        raise Refused(NOT_HTTPS)
    try:
        literal: IPAddress | None = ipaddress.ip_address(host)
    except ValueError:
        literal = None
    if literal is not None:
        addresses = [str(literal)]
    else:
        try:
            addresses = list(resolver(host, port))
        except (OSError, UnicodeError) as error:
            raise Refused(UNRESOLVED, str(error)) from error
        if not addresses:
            raise Refused(UNRESOLVED)
    if not allowed:
        for address in addresses:
            # An address with a zone ("fe80::1%eth0") is link-local anyway.
            if not is_public(ipaddress.ip_address(address.split("%", 1)[0])):
                raise Refused(NOT_PUBLIC, address)
    return Target(url=url.strip(), scheme=scheme, host=host, port=port, address=addresses[0])


class _PinnedAdapter(requests.adapters.HTTPAdapter):
    """Connects to the checked address while TLS checks the certificate against the name."""

    def __init__(self, host: str) -> None:
        self._host = host
        super().__init__(max_retries=0)

    def init_poolmanager(self, connections, maxsize, block=False, **pool_kwargs):
        pool_kwargs["server_hostname"] = self._host
        pool_kwargs["assert_hostname"] = self._host
        super().init_poolmanager(connections, maxsize, block=block, **pool_kwargs)


def pinned_request(target: Target) -> tuple[requests.Session, str, dict[str, str]]:
    """A session, the URL to ask and the Host header, that reach exactly `target.address`."""
    parts = urlsplit(target.url)
    address = target.address
    shown = f"[{address}]" if ":" in address else address
    default_port = 443 if target.scheme == "https" else 80
    netloc = shown if target.port == default_port else f"{shown}:{target.port}"
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    if ":" in target.host:  # an IPv6 literal as the host itself
        host_header = f"[{target.host}]" + (
            "" if target.port == default_port else f":{target.port}"
        )
    userinfo, at, _ = parts.netloc.rpartition("@")
    if at:  # user and password in the URL: sent as Basic authentication
        netloc = f"{userinfo}@{netloc}"
    url = urlunsplit((target.scheme, netloc, parts.path or "/", parts.query, ""))
    session = requests.Session()
    session.trust_env = False  # no proxy from the environment: the address is the checked one
    session.mount(f"{target.scheme}://", _PinnedAdapter(target.host))
    return session, url, {"Host": host_header}
