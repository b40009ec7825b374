"""The safe fetcher against a real HTTP server on 127.0.0.1 (started and stopped by each test).

The fetcher may reach the test server only because its port is named in ``allow_loopback_ports``;
every other rule stays on, so redirects to the metadata address, to ``file://``, to private names
and to other ports are still refused, before any connection to them (the connector records every
connection the fetcher makes, and only the test server's address ever appears).
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from newsdigest.fetcher import (
    FEED_TYPES,
    PAGE_TYPES,
    USER_AGENT,
    Fetcher,
    FetchFailed,
    FetchRefused,
    FetchTimeout,
    HTTPStatusError,
)

RSS = b'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
Route = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class LocalServer:
    server: ThreadingHTTPServer
    routes: dict[str, Route]
    requests: list[dict[str, str]] = field(default_factory=list)

    @property
    def port(self) -> int:
        return self.server.server_address[1]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def server() -> Iterator[LocalServer]:
    routes: dict[str, Route] = {}
    requests: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            requests.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
            route = routes.get(self.path)
            if route is None:
                reply(self, 404, b"not found", "text/plain")
            else:
                route(self)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield LocalServer(httpd, routes, requests)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def reply(
    handler: BaseHTTPRequestHandler,
    status: int,
    body: bytes = b"",
    content_type: str | None = "application/rss+xml; charset=utf-8",
    **headers: str,
) -> None:
    handler.send_response(status)
    if content_type:
        handler.send_header("Content-Type", content_type)
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def redirect(status: int, location: str) -> Route:
    return lambda h: reply(h, status, b"", None, Location=location)


class Connections:
    """The connector the fetcher uses: opens real connections, and records each one."""

    def __init__(self) -> None:
        self.made: list[tuple[str, int]] = []

    def __call__(self, address: tuple[str, int], timeout: float) -> socket.socket:
        self.made.append(address)
        return socket.create_connection(address, timeout)


def fetcher_for(server: LocalServer, **kwargs: object) -> tuple[Fetcher, Connections]:
    connections = Connections()
    dns = {"private.example": ["10.0.0.5"], "metadata.example": ["169.254.169.254"]}
    settings: dict[str, object] = {
        "resolver": lambda host: dns[host],
        "connector": connections,
        "allow_loopback_ports": frozenset({server.port}),
        "total_timeout": 10.0,
    }
    settings.update(kwargs)
    return Fetcher(**settings), connections  # type: ignore[arg-type]


# ---------------------------------------------------------------- the ordinary path
def test_a_feed_is_fetched_with_its_validators_and_charset(server):
    # Given a feed served with validators
    server.routes["/feed.xml"] = lambda h: reply(
        h, 200, RSS, ETag='"v1"', Last_Modified="Sun, 29 Nov 2026 10:00:00 GMT", Cache_Control="max-age=600"
    )
    fetcher, connections = fetcher_for(server)
    # When it is fetched
    result = fetcher.fetch(server.url("/feed.xml"), FEED_TYPES)
    # Then the body, headers and charset come back, and the request named us and what we accept
    assert (result.status, result.body, result.charset, result.media_type) == (
        200,
        RSS,
        "utf-8",
        "application/rss+xml",
    )
    assert result.headers.etag == '"v1"'
    assert result.headers.last_modified == "Sun, 29 Nov 2026 10:00:00 GMT"
    assert result.headers.cache_control == "max-age=600"
    assert result.url == result.requested_url == server.url("/feed.xml")
    request = server.requests[0]
    assert request["user-agent"] == USER_AGENT and "github.com" in USER_AGENT
    assert request["host"] == f"127.0.0.1:{server.port}"
    assert "application/rss+xml" in request["accept"]
    assert request["accept-encoding"] == "gzip, deflate"
    assert "if-none-match" not in request
    assert connections.made == [("127.0.0.1", server.port)]


def test_conditional_get_sends_both_validators_and_returns_304_distinctly(server):
    def conditional(h: BaseHTTPRequestHandler) -> None:
        if h.headers.get("If-None-Match") == '"v1"':
            reply(h, 304, b"", None, ETag='"v1"')
        else:
            reply(h, 200, RSS, ETag='"v1"')

    server.routes["/feed.xml"] = conditional
    fetcher, _ = fetcher_for(server)
    result = fetcher.fetch(
        server.url("/feed.xml"), FEED_TYPES, etag='"v1"', last_modified="Sun, 29 Nov 2026 10:00:00 GMT"
    )
    assert result.not_modified and result.status == 304 and result.body == b""
    assert server.requests[0]["if-none-match"] == '"v1"'
    assert server.requests[0]["if-modified-since"] == "Sun, 29 Nov 2026 10:00:00 GMT"
    # and without validators the same URL is a 200
    assert fetcher.fetch(server.url("/feed.xml"), FEED_TYPES).status == 200


def test_gzip_and_deflate_bodies_are_decoded(server):
    server.routes["/gz"] = lambda h: reply(h, 200, gzip.compress(RSS), Content_Encoding="gzip")
    server.routes["/zlib"] = lambda h: reply(h, 200, zlib.compress(RSS), Content_Encoding="deflate")
    raw = zlib.compressobj(wbits=-15)
    server.routes["/raw"] = lambda h: reply(
        h, 200, raw.compress(RSS) + raw.flush(), Content_Encoding="deflate"
    )
    fetcher, _ = fetcher_for(server)
    for path in ("/gz", "/zlib", "/raw"):
        assert fetcher.fetch(server.url(path), FEED_TYPES).body == RSS, path


# ---------------------------------------------------------------- caps
def test_a_gzip_bomb_is_capped_after_decompression(server):
    # Given 200 MB of zeros that gzip to about 200 kB
    bomb = gzip.compress(b"\0" * (200 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < 1024 * 1024
    server.routes["/bomb"] = lambda h: reply(h, 200, bomb, Content_Encoding="gzip")
    fetcher, _ = fetcher_for(server)
    # When it is fetched with a 1 MiB cap, Then it is refused by the cap (on decoded bytes)
    with pytest.raises(FetchRefused, match="after decompression") as refused:
        fetcher.fetch(server.url("/bomb"), FEED_TYPES, max_bytes=1024 * 1024)
    assert refused.value.rule == "body size cap"


def test_a_deflate_bomb_is_capped_too(server):
    bomb = zlib.compress(b"<" * (100 * 1024 * 1024), 9)
    server.routes["/bomb"] = lambda h: reply(h, 200, bomb, Content_Encoding="deflate")
    fetcher, _ = fetcher_for(server)
    with pytest.raises(FetchRefused, match="after decompression"):
        fetcher.fetch(server.url("/bomb"), FEED_TYPES, max_bytes=1024 * 1024)


def test_a_compressed_body_just_under_the_cap_is_kept_whole(server):
    body = b"<rss>" + b"x" * (1024 * 1024 - 20) + b"</rss>"
    server.routes["/big"] = lambda h: reply(h, 200, gzip.compress(body), Content_Encoding="gzip")
    fetcher, _ = fetcher_for(server)
    assert fetcher.fetch(server.url("/big"), FEED_TYPES, max_bytes=1024 * 1024).body == body


def test_an_oversize_body_is_capped_with_or_without_content_length(server):
    big = b"x" * (3 * 1024 * 1024)

    def no_length(h: BaseHTTPRequestHandler) -> None:  # read until close: the cap must still hold
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Connection", "close")
        h.end_headers()
        h.wfile.write(big)
        h.close_connection = True

    server.routes["/declared"] = lambda h: reply(h, 200, big, "text/html")
    server.routes["/undeclared"] = no_length
    fetcher, _ = fetcher_for(server)
    for path in ("/declared", "/undeclared"):
        with pytest.raises(FetchRefused, match="body size cap"):
            fetcher.fetch(server.url(path), PAGE_TYPES, max_bytes=1024 * 1024)


def test_an_encoding_we_did_not_ask_for_is_refused(server):
    server.routes["/br"] = lambda h: reply(h, 200, b"\x1b\x00\x00", Content_Encoding="br")
    fetcher, _ = fetcher_for(server)
    with pytest.raises(FetchRefused, match="content encoding 'br'"):
        fetcher.fetch(server.url("/br"), FEED_TYPES)


# ---------------------------------------------------------------- timeouts
def test_a_server_dribbling_its_body_hits_the_total_timeout(server):
    def dribble(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "application/rss+xml")
        h.send_header("Content-Length", "1000")
        h.end_headers()
        try:
            for _ in range(1000):  # one byte every 0.1 s: each read succeeds, the whole never ends
                h.wfile.write(b"x")
                h.wfile.flush()
                time.sleep(0.1)
        except OSError:
            pass

    server.routes["/slow"] = dribble
    fetcher, _ = fetcher_for(server, total_timeout=1.0)
    with pytest.raises(FetchTimeout):
        fetcher.fetch(server.url("/slow"), FEED_TYPES)


def test_a_server_that_never_answers_times_out(server):
    stop = threading.Event()
    server.routes["/silent"] = lambda h: stop.wait(10)
    fetcher, _ = fetcher_for(server, total_timeout=0.5)
    try:
        with pytest.raises(FetchTimeout):
            fetcher.fetch(server.url("/silent"), FEED_TYPES)
    finally:
        stop.set()


def test_a_resolver_that_hangs_times_out():
    never = threading.Event()

    def hanging(host: str) -> list[str]:
        never.wait(5)
        return ["93.184.216.34"]

    fetcher = Fetcher(resolver=hanging, connector=Connections(), total_timeout=0.3)
    try:
        with pytest.raises(FetchTimeout, match="resolving"):
            fetcher.fetch("http://slow-dns.example/", FEED_TYPES)
    finally:
        never.set()


# ---------------------------------------------------------------- redirects
def test_redirects_are_followed_and_a_permanent_move_is_reported(server):
    server.routes["/old"] = redirect(301, "/older-still")
    server.routes["/older-still"] = redirect(308, server.url("/feed.xml"))
    server.routes["/feed.xml"] = lambda h: reply(h, 200, RSS)
    server.routes["/temp"] = redirect(302, "/feed.xml")
    server.routes["/perm-then-temp"] = redirect(301, "/temp")
    fetcher, _ = fetcher_for(server)

    moved = fetcher.fetch(server.url("/old"), FEED_TYPES)
    assert moved.body == RSS and moved.url == server.url("/feed.xml")
    assert moved.permanent_url == server.url("/feed.xml")
    assert [r.status for r in moved.redirects] == [301, 308]

    assert fetcher.fetch(server.url("/temp"), FEED_TYPES).permanent_url is None
    # only the leading run of permanent redirects moves the feed for good
    assert fetcher.fetch(server.url("/perm-then-temp"), FEED_TYPES).permanent_url == server.url("/temp")


def test_five_redirects_are_followed_and_a_sixth_is_refused(server):
    for n in range(1, 7):
        server.routes[f"/r{n}"] = redirect(302, f"/r{n - 1}")
    server.routes["/r0"] = lambda h: reply(h, 200, RSS)
    fetcher, _ = fetcher_for(server)
    assert fetcher.fetch(server.url("/r5"), FEED_TYPES).body == RSS
    with pytest.raises(FetchRefused, match="at most 5 redirects"):
        fetcher.fetch(server.url("/r6"), FEED_TYPES)


@pytest.mark.parametrize(
    ("location", "rule"),
    [
        ("http://169.254.169.254/latest/meta-data/iam/security-credentials/", "metadata"),
        ("http://[::ffff:169.254.169.254]/", "metadata"),
        ("http://2852039166/", "metadata"),
        ("http://metadata.example/", "metadata"),
        ("file:///etc/passwd", "http and https only"),
        ("gopher://127.0.0.1:6379/_FLUSHALL", "http and https only"),
        ("http://private.example/", "no private networks"),
        ("http://10.0.0.5/admin", "no private networks"),
        ("http://127.0.0.1:22/", "ports 80 and 443 only"),
        ("http://127.0.0.1/", "no loopback"),
        ("http://user:pw@example.com/", "no user info"),
    ],
)
@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_to_a_forbidden_target_is_refused_before_connecting_to_it(server, location, rule, status):
    # Given a loopback test server (allowed by its port) that redirects somewhere forbidden
    server.routes["/feed.xml"] = redirect(status, location)
    fetcher, connections = fetcher_for(server)
    # When the feed is fetched
    with pytest.raises(FetchRefused) as refused:
        fetcher.fetch(server.url("/feed.xml"), FEED_TYPES)
    # Then the redirect is refused by the rule, and the only connection made was to the test server
    assert rule in refused.value.rule, str(refused.value)
    assert connections.made == [("127.0.0.1", server.port)]


# ---------------------------------------------------------------- statuses and content types
def test_wrong_or_missing_content_type_is_refused(server):
    server.routes["/html"] = lambda h: reply(h, 200, b"<html></html>", "text/html; charset=utf-8")
    server.routes["/none"] = lambda h: reply(h, 200, RSS, None)
    server.routes["/feed.xml"] = lambda h: reply(h, 200, RSS)
    fetcher, _ = fetcher_for(server)
    with pytest.raises(FetchRefused, match="'text/html' is not a feed type"):
        fetcher.fetch(server.url("/html"), FEED_TYPES)
    with pytest.raises(FetchRefused, match="feed content types only"):
        fetcher.fetch(server.url("/none"), FEED_TYPES)
    with pytest.raises(FetchRefused, match="page content types only"):
        fetcher.fetch(server.url("/feed.xml"), PAGE_TYPES)
    assert fetcher.fetch(server.url("/html"), PAGE_TYPES).charset == "utf-8"


@pytest.mark.parametrize(("status", "retry_after"), [(410, None), (429, "3600"), (503, "120"), (404, None)])
def test_error_statuses_raise_with_their_retry_after(server, status, retry_after):
    headers = {"Retry_After": retry_after} if retry_after else {}
    server.routes["/feed.xml"] = lambda h: reply(h, status, b"no", "text/plain", **headers)
    fetcher, _ = fetcher_for(server)
    with pytest.raises(HTTPStatusError) as error:
        fetcher.fetch(server.url("/feed.xml"), FEED_TYPES)
    assert error.value.status == status and error.value.retry_after == retry_after


def test_a_refused_connection_is_a_fetch_failure(server):
    # a port named in the setting but with nothing listening on it
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        free_port = probe.getsockname()[1]
    fetcher = Fetcher(allow_loopback_ports=frozenset({free_port}), total_timeout=5)
    with pytest.raises(FetchFailed, match="could not connect"):
        fetcher.fetch(f"http://127.0.0.1:{free_port}/", FEED_TYPES)


def test_no_dns_lookup_happens_behind_the_checked_address(server, monkeypatch):
    # The default connector (socket.create_connection) only ever sees the checked IP literal.
    looked_up: list[str] = []
    real = socket.getaddrinfo

    def spy(host, *args, **kwargs):
        looked_up.append(host)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", spy)
    server.routes["/feed.xml"] = lambda h: reply(h, 200, RSS)
    fetcher = Fetcher(resolver=lambda host: ["127.0.0.1"], allow_loopback_ports=frozenset({server.port}))
    result = fetcher.fetch(f"http://feeds.test:{server.port}/feed.xml", FEED_TYPES)
    assert result.body == RSS
    assert looked_up == ["127.0.0.1"]  # the connect of the checked address; never the name
    assert server.requests[0]["host"] == f"feeds.test:{server.port}"


# ---------------------------------------------------------------- TLS to the checked address
@pytest.fixture
def tls_server(tmp_path) -> Iterator[tuple[LocalServer, str, list[str]]]:
    """An HTTPS server on 127.0.0.1 with a certificate for ``feeds.test`` from a throwaway CA.
    Yields (server, CA file, the SNI names clients sent)."""
    import datetime as dt
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    def name(common: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    now = dt.datetime.now(dt.UTC)
    ca_key, leaf_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca = (
        x509.CertificateBuilder()
        .subject_name(name("newsdigest test CA"))
        .issuer_name(name("newsdigest test CA"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name("feeds.test"))
        .issuer_name(ca.subject)
        .public_key(leaf_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("feeds.test")]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    ca_file, cert_file, key_file = tmp_path / "ca.pem", tmp_path / "leaf.pem", tmp_path / "leaf.key"
    ca_file.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_file.write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        leaf_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    sni: list[str] = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    context.sni_callback = lambda sock, server_name, ctx: sni.append(server_name) and None

    routes: dict[str, Route] = {"/feed.xml": lambda h: reply(h, 200, RSS)}
    requests: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            requests.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
            routes[self.path](self)

        def log_message(self, *args: object) -> None:
            pass

    class TLSServer(ThreadingHTTPServer):
        def get_request(self):  # the handshake happens in the handler thread, not the accept loop
            sock, address = super().get_request()
            return context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), address

        def handle_error(self, request, client_address) -> None:
            pass  # a refused handshake is what one test wants

    httpd = TLSServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield LocalServer(httpd, routes, requests), str(ca_file), sni
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_https_goes_to_the_checked_address_and_verifies_the_name(tls_server):
    import ssl

    server, ca_file, sni = tls_server
    connections = Connections()
    fetcher = Fetcher(
        resolver=lambda host: ["127.0.0.1"],  # both names "resolve" to the test server
        connector=connections,
        allow_loopback_ports=frozenset({server.port}),
        tls_context=ssl.create_default_context(cafile=ca_file),
        total_timeout=10,
    )
    # Given a certificate for feeds.test, When fetched by that name, Then TLS verifies and SNI/Host name it
    result = fetcher.fetch(f"https://feeds.test:{server.port}/feed.xml", FEED_TYPES)
    assert result.body == RSS
    assert sni == ["feeds.test"]
    assert server.requests[0]["host"] == f"feeds.test:{server.port}"
    assert connections.made == [("127.0.0.1", server.port)]
    # And another name reaching the same address is refused by certificate verification
    with pytest.raises(FetchFailed, match="CERTIFICATE_VERIFY_FAILED"):
        fetcher.fetch(f"https://other.test:{server.port}/feed.xml", FEED_TYPES)
    # And without the test CA nothing is trusted
    untrusting = Fetcher(
        resolver=lambda host: ["127.0.0.1"], allow_loopback_ports=frozenset({server.port}), total_timeout=10
    )
    with pytest.raises(FetchFailed, match="CERTIFICATE_VERIFY_FAILED"):
        untrusting.fetch(f"https://feeds.test:{server.port}/feed.xml", FEED_TYPES)
