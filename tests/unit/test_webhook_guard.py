"""The webhooks' guard against server-side request forgery: which addresses it refuses, by
default and with the installation's allow-list, resolving names with a stand-in resolver."""

from __future__ import annotations

import ipaddress

import pytest

from lean.webhooks import guard


def resolver(table: dict[str, list[str]]):
    def resolve(host: str, _port: int) -> list[str]:
        if host not in table:
            raise OSError("Name or service not known")
        return table[host]

    return resolve


NAMES = resolver(
    {
        "hooks.example.com": ["93.184.215.14"],
        "v6.example.com": ["2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
        "mixed.example.com": ["93.184.215.14", "10.1.2.3"],
        "rebind.example.com": ["127.0.0.1"],
        "metadata.example.com": ["169.254.169.254"],
        "intranet.koulu.fi": ["192.168.10.20"],
    }
)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "127.8.9.10",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "100.127.255.254",
        "0.0.0.0",  # noqa: S104 (an address refused, not bound)
        "224.0.0.1",
        "239.255.255.250",
        "240.0.0.1",
        "255.255.255.255",
        "198.18.0.1",
        "::1",
        "::",
        "fc00::1",
        "fd12:3456::1",
        "fe80::1",
        "ff02::1",
        "::ffff:127.0.0.1",
        "::ffff:10.0.0.1",
        "::ffff:169.254.169.254",
        "2002:7f00:1::",  # 6to4 of 127.0.0.1
        "64:ff9b:1::a00:1",
        "2001:db8::1",  # documentation
    ],
)
def test_these_addresses_are_not_public(address):
    assert not guard.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "address", ["93.184.215.14", "1.1.1.1", "2606:4700:4700::1111", "::ffff:93.184.215.14"]
)
def test_these_addresses_are_public(address):
    assert guard.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://hooks.example.com/x", guard.NOT_HTTPS),
        ("ftp://hooks.example.com/x", guard.NOT_A_URL),
        ("https:///x", guard.NOT_A_URL),
        ("https://hooks.example.com:99999/x", guard.NOT_A_URL),
        ("javascript:alert(1)", guard.NOT_A_URL),
        ("https://nowhere.example.com/", guard.UNRESOLVED),
        ("https://127.0.0.1/x", guard.NOT_PUBLIC),
        ("https://[::1]/x", guard.NOT_PUBLIC),
        ("https://[::ffff:7f00:1]/x", guard.NOT_PUBLIC),
        ("https://10.0.0.1/x", guard.NOT_PUBLIC),
        ("https://169.254.169.254/latest/meta-data", guard.NOT_PUBLIC),
        ("https://100.64.1.1/", guard.NOT_PUBLIC),
        ("https://0.0.0.0/", guard.NOT_PUBLIC),
        ("https://rebind.example.com/", guard.NOT_PUBLIC),
        ("https://metadata.example.com/", guard.NOT_PUBLIC),
        # One private address among public ones is enough to refuse.
        ("https://mixed.example.com/", guard.NOT_PUBLIC),
        ("https://intranet.koulu.fi/hook", guard.NOT_PUBLIC),
    ],
)
def test_refused_by_default(url, reason):
    with pytest.raises(guard.Refused) as refused:
        guard.check(url, (), NAMES)
    assert refused.value.reason == reason


def test_https_to_a_public_host_is_let_through_with_the_address_to_connect_to():
    target = guard.check("https://hooks.example.com/in?x=1", (), NAMES)
    assert (target.scheme, target.host, target.port, target.address) == (
        "https",
        "hooks.example.com",
        443,
        "93.184.215.14",
    )
    assert guard.check("https://v6.example.com/", (), NAMES).address.startswith("2606:")


def test_the_allow_list_lets_a_named_host_through_over_http_too():
    allowed = ("intranet.koulu.fi", "127.0.0.1:8080")
    target = guard.check("http://intranet.koulu.fi/hook", allowed, NAMES)
    assert target.address == "192.168.10.20"
    assert guard.check("http://127.0.0.1:8080/x", allowed, NAMES).address == "127.0.0.1"
    # Only the port named.
    with pytest.raises(guard.Refused):
        guard.check("http://127.0.0.1:8081/x", allowed, NAMES)
    # The list names hosts, not every host that resolves alike.
    with pytest.raises(guard.Refused):
        guard.check("https://rebind.example.com/", allowed, NAMES)


def test_the_request_goes_to_the_checked_address_with_the_name_as_host():
    target = guard.check("https://hooks.example.com:8443/in?x=1", (), NAMES)
    session, url, headers = guard.pinned_request(target)
    assert url == "https://93.184.215.14:8443/in?x=1"
    assert headers == {"Host": "hooks.example.com:8443"}
    adapter = session.get_adapter(url)
    assert adapter.poolmanager.connection_pool_kw["server_hostname"] == "hooks.example.com"
    assert adapter.poolmanager.connection_pool_kw["assert_hostname"] == "hooks.example.com"
    assert session.trust_env is False
    v6 = guard.check("https://v6.example.com/", (), NAMES)
    assert guard.pinned_request(v6)[1].startswith("https://[2606:2800:")


def test_over_tls_the_checked_address_is_reached_and_the_certificate_is_checked_for_the_name(
    tmp_path,
):
    """A TLS receiver on 127.0.0.1 with a certificate for hooks.test: the pinned request
    connects to the address, names the host in SNI and Host, and refuses a certificate that
    is not the name's."""
    import ssl
    import threading
    from datetime import UTC, datetime, timedelta
    from http.server import BaseHTTPRequestHandler, HTTPServer

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID
    from requests.exceptions import SSLError

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "hooks.test")])
    now = datetime.now(UTC)  # the test clock's; OpenSSL checks against the real one
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=400))
        .not_valid_after(now + timedelta(days=400))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("hooks.test")]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    seen: dict[str, str | None] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            seen["host"] = self.headers["Host"]
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    context.sni_callback = lambda _socket, server_name, _context: seen.update(sni=server_name)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        names = resolver({"hooks.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})
        target = guard.check(f"https://hooks.test:{port}/in", ("hooks.test",), names)
        session, url, host = guard.pinned_request(target)
        with session:
            answer = session.post(url, data=b"{}", headers=host, verify=str(cert_file), timeout=5)
        assert answer.status_code == 204
        assert seen == {"sni": "hooks.test", "host": f"hooks.test:{port}"}

        other = guard.check(f"https://other.test:{port}/in", ("other.test",), names)
        session, url, host = guard.pinned_request(other)
        with session, pytest.raises(SSLError):
            session.post(url, data=b"{}", headers=host, verify=str(cert_file), timeout=5)
    finally:
        server.shutdown()
        server.server_close()
