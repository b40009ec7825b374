"""The one safe HTTP fetcher, shared by feeds and pages.

Everything a stranger's URL can make us do goes through ``Fetcher.fetch``, which enforces these rules
(each refusal raises ``FetchRefused`` whose message names the rule):

- http and https only; no user info (``user:pass@``) in the URL; ports 80 and 443 only;
- the host is resolved once, every address it resolves to is checked, and the connection goes to the
  checked address (TLS still verifies the certificate against the host name; no second DNS lookup);
- loopback, private, link-local (169.254.0.0/16, the cloud metadata address), CGNAT, multicast,
  reserved, unspecified, benchmarking and documentation networks, IPv6 ULA/link-local/site-local, and
  the IPv4-mapped, IPv4-compatible, 6to4, Teredo and NAT64 forms of them are refused;
- IPv4 hosts spelled the way resolvers accept them (``2130706433``, ``0177.0.0.1``, ``0x7f.1``,
  ``127.1``) are read as the address they spell, and checked as such;
- every redirect (301/302/303/307/308, at most 5) is checked like the first URL;
- connect and total timeouts; the body is capped **after** decompression (gzip/deflate; other
  encodings are refused, so no brotli bomb either);
- the response's content type must be one the caller accepts (feeds or pages).

A test may let the fetcher reach a loopback test server only by naming its port in
``allow_loopback_ports``; nothing else relaxes a rule, and the default allows nothing.

Pure stdlib (socket, ssl, http.client, zlib): no boto3, no Powertools.
"""

from __future__ import annotations

import contextlib
import http.client
import ipaddress
import socket
import threading
import time
import zlib
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import quote, urljoin, urlsplit

from newsdigest.errors import FetchError, FetchFailed, FetchRefused, FetchTimeout, HTTPStatusError

if TYPE_CHECKING:  # ssl costs import time; it is loaded on the first https fetch
    import ssl

__all__ = [
    "FEED_TYPES",
    "PAGE_TYPES",
    "ContentTypes",
    "FetchError",
    "FetchFailed",
    "FetchRefused",
    "FetchResult",
    "FetchTimeout",
    "Fetcher",
    "HTTPStatusError",
    "ResponseHeaders",
    "check_url",
]

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Resolver = Callable[[str], Sequence[str]]
"""Turns a host name into the IP addresses (as strings) it resolves to."""
Connector = Callable[[tuple[str, int], float], socket.socket]
"""Opens a TCP connection to an (IP, port) within a connect timeout (``socket.create_connection``)."""

VERSION = "0.1.0"
USER_AGENT = f"newsdigest/{VERSION} (+https://github.com/newsdigest/newsdigest#readme)"
ALLOWED_PORTS = frozenset({80, 443})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
PERMANENT_REDIRECTS = frozenset({301, 308})
DEFAULT_MAX_BYTES = 5 * 1024 * 1024
MAX_URL_LENGTH = 2048
_CHUNK = 64 * 1024


# The errors live with every other domain error (newsdigest.errors), so the API maps them in one place.


# ---------------------------------------------------------------- what callers accept and get back
@dataclass(frozen=True)
class ContentTypes:
    """The media types one kind of caller accepts, and the Accept header that asks for them."""

    name: str
    media_types: frozenset[str]
    accept: str

    def allows(self, media_type: str) -> bool:
        return media_type in self.media_types


FEED_TYPES = ContentTypes(
    "feed",
    frozenset(
        {
            "application/rss+xml",
            "application/atom+xml",
            "application/rdf+xml",
            "application/xml",
            "text/xml",
            "application/x-rss+xml",
            "application/x-atom+xml",
            "text/rss+xml",
            "text/atom+xml",
            "text/plain",  # misconfigured servers send feeds as text; harmless to parse
            "application/feed+json",
            "application/json",
        }
    ),
    "application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, application/json;q=0.7",
)
PAGE_TYPES = ContentTypes(
    "page",
    frozenset({"text/html", "application/xhtml+xml"}),
    "text/html, application/xhtml+xml;q=0.9",
)


@dataclass(frozen=True)
class ResponseHeaders:
    """The response headers a caller needs (absent ones are None)."""

    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    retry_after: str | None = None
    cache_control: str | None = None

    @classmethod
    def of(cls, message: http.client.HTTPMessage) -> ResponseHeaders:
        return cls(
            content_type=message.get("Content-Type"),
            etag=message.get("ETag"),
            last_modified=message.get("Last-Modified"),
            retry_after=message.get("Retry-After"),
            cache_control=message.get("Cache-Control"),
        )


@dataclass(frozen=True)
class Redirect:
    status: int
    location: str


@dataclass(frozen=True)
class FetchResult:
    """A 2xx with its body, or a 304 (``not_modified``; empty body)."""

    status: int
    url: str
    """The final URL, after redirects."""
    requested_url: str
    headers: ResponseHeaders
    body: bytes = b""
    media_type: str | None = None
    """The response's media type, lower case without parameters (``application/rss+xml``)."""
    charset: str | None = None
    """The charset the Content-Type declares, if any (lower case)."""
    redirects: tuple[Redirect, ...] = ()
    permanent_url: str | None = None
    """Where the URL now lives for good, when the chain began with permanent (301/308) redirects:
    a feed should store this URL in place of its own."""

    @property
    def not_modified(self) -> bool:
        return self.status == 304


# ---------------------------------------------------------------- addresses
def _nets(*cidrs: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(c) for c in cidrs)


# (networks, what an address in them is, the rule that refuses it), checked in order.
_V4_RULES = (
    (_nets("0.0.0.0/8"), "an unspecified ('this network') address", "no unspecified addresses"),
    (_nets("127.0.0.0/8"), "a loopback address", "no loopback"),
    (_nets("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"), "a private address", "no private networks"),
    (_nets("169.254.169.254/32"), "the cloud metadata address", "no link-local or metadata addresses"),
    (_nets("169.254.0.0/16"), "a link-local address", "no link-local or metadata addresses"),
    (_nets("100.64.0.0/10"), "a carrier-grade NAT (shared) address", "no CGNAT addresses"),
    (_nets("224.0.0.0/4"), "a multicast address", "no multicast"),
    (_nets("255.255.255.255/32"), "the broadcast address", "no broadcast"),
    (_nets("240.0.0.0/4"), "a reserved address", "no reserved addresses"),
    (_nets("198.18.0.0/15"), "a benchmarking address", "no benchmarking networks"),
    (
        _nets("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24"),
        "a documentation address",
        "no documentation networks",
    ),
    (_nets("192.0.0.0/24", "192.88.99.0/24"), "a special-purpose address", "public addresses only"),
)
_V6_RULES = (
    (_nets("::/128"), "the unspecified address", "no unspecified addresses"),
    (_nets("::1/128"), "the loopback address", "no loopback"),
    (_nets("64:ff9b:1::/48"), "a local-use NAT64 address", "no local-use NAT64"),
    (_nets("fc00::/7"), "a unique-local (private) address", "no private networks"),
    (_nets("fe80::/10"), "a link-local address", "no link-local or metadata addresses"),
    (_nets("fec0::/10"), "a site-local address", "no site-local addresses"),
    (_nets("ff00::/8"), "a multicast address", "no multicast"),
    (_nets("2001:db8::/32"), "a documentation address", "no documentation networks"),
    (_nets("2001:2::/48"), "a benchmarking address", "no benchmarking networks"),
    (_nets("100::/64"), "a discard-only address", "public addresses only"),
)
_MAPPED = ipaddress.ip_network("::ffff:0:0/96")
_TRANSLATED = ipaddress.ip_network("::ffff:0:0:0/96")
_COMPATIBLE = ipaddress.ip_network("::/96")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SIXTOFOUR = ipaddress.ip_network("2002::/16")
_TEREDO = ipaddress.ip_network("2001::/32")


def address_problem(ip: IPAddress) -> tuple[str, str] | None:
    """Why ``ip`` may not be fetched from, as (what it is, the rule), or None for a public address."""
    if isinstance(ip, ipaddress.IPv4Address):
        for nets, what, rule in _V4_RULES:
            if any(ip in net for net in nets):
                return what, rule
        if not ip.is_global:
            return "not a public address", "public addresses only"
        return None
    if ip.scope_id:
        return "a scoped (zone) address", "no link-local or metadata addresses"
    embedded: list[tuple[str, ipaddress.IPv4Address]] = []
    always_refused = None
    if ip in _MAPPED:
        embedded.append(("an IPv4-mapped form of", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
        always_refused = ("an IPv4-mapped address", "no IPv4-mapped addresses")
    elif ip in _TRANSLATED:
        embedded.append(("an IPv4-translated form of", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
        always_refused = ("an IPv4-translated address", "no IPv4-mapped addresses")
    elif ip in _COMPATIBLE and int(ip) > 1:
        embedded.append(("an IPv4-compatible form of", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
        always_refused = ("an IPv4-compatible address", "no IPv4-compatible addresses")
    elif ip in _NAT64:
        embedded.append(("a NAT64 form of", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)))
    elif ip in _SIXTOFOUR and ip.sixtofour is not None:
        embedded.append(("a 6to4 form of", ip.sixtofour))
    elif ip in _TEREDO and ip.teredo is not None:
        server, client = ip.teredo
        embedded += [("a Teredo form (server) of", server), ("a Teredo form (client) of", client)]
        always_refused = ("a Teredo address", "no Teredo addresses")
    for form, v4 in embedded:
        problem = address_problem(v4)
        if problem is not None:
            return f"{form} {v4}, {problem[0]}", problem[1]
    if always_refused is not None:
        return always_refused
    for nets, what, rule in _V6_RULES:
        if any(ip in net for net in nets):
            return what, rule
    if not ip.is_global and ip not in _NAT64 and ip not in _SIXTOFOUR:
        return "not a public address", "public addresses only"
    return None


def is_loopback(ip: IPAddress) -> bool:
    return ip.is_loopback and not (isinstance(ip, ipaddress.IPv6Address) and ip.scope_id)


# ---------------------------------------------------------------- URLs
@dataclass(frozen=True)
class Target:
    """A URL that passed the URL rules: what to connect to and what to ask for."""

    url: str
    scheme: str
    host: str
    """The host as sent in Host/SNI: ASCII (IDNA), lower case, IPv6 without brackets."""
    port: int
    path: str
    """Path and query, as sent on the request line."""
    literal: IPAddress | None
    """The address, when the host is an IP address (in any spelling)."""


def _ipv4_number(part: str) -> int | None:
    """One part of an IPv4 host as the WHATWG URL parser (and inet_aton) reads it; None if invalid."""
    if part[:2] in ("0x", "0X"):
        digits, base = part[2:], 16
        if not digits:
            return 0
    elif len(part) > 1 and part.startswith("0"):
        digits, base = part[1:], 8
    else:
        digits, base = part, 10
    try:
        return int(digits, base) if digits.isalnum() and digits.isascii() else None
    except ValueError:
        return None


def _ends_in_number(labels: list[str]) -> bool:
    last = labels[-1]
    if last.isdigit() and last.isascii():
        return True
    return last[:2] in ("0x", "0X") and all(c in "0123456789abcdefABCDEF" for c in last[2:])


def parse_ipv4_host(host: str) -> ipaddress.IPv4Address | None:
    """The IPv4 address a host spells in any form resolvers accept (``2130706433``, ``0177.0.0.1``,
    ``0x7f.1``, ``127.1``), or None when the host is a name. Raises FetchRefused for a host that ends
    in a number but is no valid address (``1.2.3.4.5``, ``0x7g.1``, ``example.123``)."""
    labels = host.split(".")
    if len(labels) > 1 and labels[-1] == "":
        labels.pop()
    if not labels or not labels[-1] or not _ends_in_number(labels):
        return None
    numbers = [_ipv4_number(label) for label in labels] if len(labels) <= 4 and all(labels) else [None]
    if any(n is None for n in numbers):
        raise FetchRefused(f"host {host!r} looks like an IPv4 address but is not one", "a valid host")
    parts = [n for n in numbers if n is not None]
    if any(n > 255 for n in parts[:-1]) or parts[-1] >= 256 ** (5 - len(parts)):
        raise FetchRefused(f"host {host!r} is an out-of-range IPv4 address", "a valid host")
    value = parts[-1] + sum(n * 256 ** (3 - i) for i, n in enumerate(parts[:-1]))
    return ipaddress.IPv4Address(value)


_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-_.")


def check_url(url: str, *, allow_loopback_ports: Collection[int] = ()) -> Target:
    """Apply the URL rules (scheme, user info, port, host spelling; addresses given literally).
    Names are not resolved here. Raises FetchRefused naming the rule."""
    if not isinstance(url, str) or not url:
        raise FetchRefused("the URL is empty", "a well-formed URL", str(url))
    if len(url) > MAX_URL_LENGTH:
        raise FetchRefused(f"the URL is longer than {MAX_URL_LENGTH} characters", "a well-formed URL", url)
    if any(c <= " " or c in "\\\x7f" for c in url):
        raise FetchRefused(
            "the URL contains whitespace, a control character or a backslash", "a well-formed URL", url
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise FetchRefused(f"the URL does not parse ({exc})", "a well-formed URL", url) from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise FetchRefused(f"scheme {scheme or '(none)'!r} is not allowed", "http and https only", url)
    if "@" in parts.netloc:
        raise FetchRefused("the URL carries user info (user@ or user:password@)", "no user info in URLs", url)
    raw_host = parts.hostname or ""
    if not raw_host:
        raise FetchRefused("the URL has no host", "a well-formed URL", url)
    if port is None:
        port = 443 if scheme == "https" else 80
    if port not in ALLOWED_PORTS and port not in allow_loopback_ports:
        raise FetchRefused(f"port {port} is not allowed", "ports 80 and 443 only", url)
    literal: IPAddress | None
    if ":" in raw_host:  # urlsplit only yields a colon for a bracketed IPv6 literal
        address, _, zone = raw_host.partition("%")
        try:
            literal = ipaddress.IPv6Address(address)
        except ValueError:
            raise FetchRefused(
                f"host {raw_host!r} is not a valid IPv6 address", "a valid host", url
            ) from None
        if zone:
            raise FetchRefused(
                f"{raw_host} is a scoped (zone) IPv6 address", "no link-local or metadata addresses", url
            )
        host = str(literal)
    else:
        host = raw_host
        if not host.isascii():
            try:  # IDNA also folds look-alikes such as full-width digits (１２７.０.０.１)
                host = host.encode("idna").decode("ascii").lower()
            except UnicodeError:
                raise FetchRefused(f"host {raw_host!r} is not a valid name", "a valid host", url) from None
        if not set(host) <= _HOST_CHARS or ".." in host or host.startswith("."):
            raise FetchRefused(f"host {raw_host!r} is not a valid name", "a valid host", url)
        literal = parse_ipv4_host(host)
        if literal is not None:
            host = str(literal)
        else:
            host = host.rstrip(".")
            if len(host) > 253 or any(not 0 < len(label) <= 63 for label in host.split(".")):
                raise FetchRefused(f"host {raw_host!r} is not a valid name", "a valid host", url)
    if literal is not None:
        check_address(literal, port, url=url, allow_loopback_ports=allow_loopback_ports)
    path = quote(parts.path or "/", safe="/%:@!$&'()*+,;=-._~")
    if parts.query:
        path += "?" + quote(parts.query, safe="/%:@!$&'()*+,;=-._~?")
    return Target(url=url, scheme=scheme, host=host, port=port, path=path, literal=literal)


def check_address(
    ip: IPAddress,
    port: int,
    *,
    url: str = "",
    name: str | None = None,
    allow_loopback_ports: Collection[int] = (),
) -> None:
    """Refuse an address we may not connect to (FetchRefused naming the rule)."""
    if port in allow_loopback_ports and port not in ALLOWED_PORTS and is_loopback(ip):
        return  # the explicit test setting: a loopback test server on this very port
    problem = address_problem(ip)
    subject = f"{name} resolves to {ip}," if name else f"{ip} is"
    if problem is not None:
        what, rule = problem
        raise FetchRefused(f"{subject} {what}", rule, url)
    if port not in ALLOWED_PORTS:
        raise FetchRefused(f"port {port} is not allowed for {ip}", "ports 80 and 443 only", url)


# ---------------------------------------------------------------- resolution and connection
def system_resolver(host: str) -> list[str]:
    """The addresses the system resolver gives for ``host`` (TCP), in its order, without repeats."""
    infos = socket.getaddrinfo(host, None, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    seen: dict[str, None] = {}
    for _family, _type, _proto, _name, sockaddr in infos:
        seen.setdefault(str(sockaddr[0]), None)
    return list(seen)


class _Deadline:
    """The total timeout. At expiry it shuts down the socket in use, which ends any blocked read
    (a server dribbling one byte a second cannot keep us past the deadline)."""

    def __init__(self, seconds: float, clock: Callable[[], float]) -> None:
        self.seconds = seconds
        self._clock = clock
        self._end = clock() + seconds
        self._lock = threading.Lock()
        self._sock: socket.socket | None = None
        self.expired = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        return self._end - self._clock()

    def check(self, url: str) -> None:
        if self.expired or self.remaining() <= 0:
            raise FetchTimeout(f"timed out: no complete answer within {self.seconds:g} s", url)

    def watch(self, sock: socket.socket | None) -> None:
        with self._lock:
            self._sock = sock
            if self.expired and sock is not None:
                _shutdown(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            if self._sock is not None:
                _shutdown(self._sock)

    def cancel(self) -> None:
        self._timer.cancel()


def _shutdown(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP(S) connection to an address that was checked, whatever the host name resolves to now.
    The Host header and TLS (SNI and certificate check) still use the host name."""

    def __init__(
        self,
        target: Target,
        address: str,
        *,
        connector: Connector,
        connect_timeout: float,
        read_timeout: float,
        deadline: _Deadline,
        tls_context: ssl.SSLContext | None,
    ) -> None:
        super().__init__(target.host, target.port, timeout=read_timeout)
        self.default_port = 443 if target.scheme == "https" else 80  # Host: omits the default port
        self._address = address
        self._connector = connector
        self._connect_timeout = connect_timeout
        self._read_timeout = read_timeout
        self._deadline = deadline
        self._tls_context = tls_context if target.scheme == "https" else None

    def connect(self) -> None:
        sock = self._connector((self._address, self.port), self._connect_timeout)
        self._deadline.watch(sock)
        if self._tls_context is not None:
            sock.settimeout(self._connect_timeout)
            sock = self._tls_context.wrap_socket(sock, server_hostname=self.host)
            self._deadline.watch(sock)
        sock.settimeout(self._read_timeout)
        self.sock = sock


# ---------------------------------------------------------------- decompression under a cap
class _CappedBody:
    """Collects a body, decoding gzip/deflate, and refuses it once the *decoded* size passes the cap."""

    def __init__(self, encoding: str, limit: int, url: str) -> None:
        self.limit = limit
        self.url = url
        self.encoding = encoding
        self.parts: list[bytes] = []
        self.size = 0
        self.raw = 0
        self._decoder: zlib._Decompress | None = None
        if encoding == "gzip":
            self._decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._decoder = None  # zlib-wrapped or raw: decided on the first bytes
        self._started = False

    def _take(self, data: bytes) -> None:
        self.size += len(data)
        if self.size > self.limit:
            raise FetchRefused(
                f"the body is larger than {self.limit} bytes after decompression",
                "body size cap",
                self.url,
            )
        if data:
            self.parts.append(data)

    def feed(self, data: bytes) -> None:
        self.raw += len(data)
        if self.raw > self.limit + _CHUNK:  # compressed input that yields nothing still counts
            raise FetchRefused(f"the body is larger than {self.limit} bytes", "body size cap", self.url)
        if self.encoding == "identity":
            self._take(data)
            return
        if self._decoder is None:  # deflate: RFC says zlib-wrapped; some servers send it raw
            self._decoder = zlib.decompressobj(
                zlib.MAX_WBITS if data[:1] and (data[0] & 0x0F) == 8 else -zlib.MAX_WBITS
            )
        self._inflate(data)

    def _inflate(self, data: bytes) -> None:
        decoder = self._decoder
        assert decoder is not None
        try:
            while data:
                # max_length bounds what one call may produce: a bomb never fills memory
                self._take(decoder.decompress(data, self.limit - self.size + 1))
                data = decoder.unconsumed_tail
                if decoder.eof:
                    rest = decoder.unused_data
                    if self.encoding == "gzip" and rest.strip(b"\0"):  # another gzip member
                        decoder = self._decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
                        data = rest
                    else:
                        break
        except zlib.error as exc:
            raise FetchFailed(f"the {self.encoding} body does not decode ({exc})", self.url) from None

    def finish(self) -> bytes:
        if self._decoder is not None and not self._decoder.eof:
            raise FetchFailed(f"the {self.encoding} body is truncated", self.url)
        return b"".join(self.parts)


def parse_content_type(value: str | None) -> tuple[str | None, str | None]:
    """(media type, charset) of a Content-Type header, both lower case; (None, None) when absent."""
    if not value:
        return None, None
    media, *params = value.split(";")
    charset = None
    for param in params:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset":
            charset = val.strip().strip("\"'").lower() or None
    return media.strip().lower() or None, charset


# ---------------------------------------------------------------- the fetcher
@dataclass
class Fetcher:
    """Fetches one URL under the rules above. Build it once (per cold start) and reuse it.

    ``resolver`` and ``connector`` are the only ways out to the network; tests hand in fakes.
    ``allow_loopback_ports`` is for tests only: loopback addresses on exactly these ports are allowed.
    """

    resolver: Resolver = system_resolver
    connector: Connector = socket.create_connection
    connect_timeout: float = 5.0
    total_timeout: float = 20.0
    max_redirects: int = 5
    user_agent: str = USER_AGENT
    allow_loopback_ports: frozenset[int] = frozenset()
    tls_context: ssl.SSLContext | None = None
    clock: Callable[[], float] = time.monotonic
    _tls: ssl.SSLContext | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.allow_loopback_ports = frozenset(self.allow_loopback_ports)

    def fetch(
        self,
        url: str,
        accept: ContentTypes,
        *,
        max_bytes: int = DEFAULT_MAX_BYTES,
        etag: str | None = None,
        last_modified: str | None = None,
    ) -> FetchResult:
        """GET ``url``; follow checked redirects; return a 2xx with its body or a 304.

        Raises FetchRefused (a rule said no), FetchTimeout, FetchFailed (network) or HTTPStatusError
        (any other status; its ``headers`` carry Retry-After)."""
        deadline = _Deadline(self.total_timeout, self.clock)
        try:
            return self._fetch(url, accept, max_bytes, etag, last_modified, deadline)
        finally:
            deadline.cancel()

    def check(self, url: str) -> None:
        """Apply every rule that can be applied without connecting (the URL's, and each address its host
        resolves to now); raise FetchRefused naming the rule. What submits a URL to be fetched later (a
        feed) calls this, so a hostile URL is refused at once. A name that does not resolve yet is not
        refused here: the fetch itself will say so (and checks everything again)."""
        target = check_url(url, allow_loopback_ports=self.allow_loopback_ports)
        deadline = _Deadline(self.connect_timeout, self.clock)
        try:
            self._addresses(target, deadline)
        except (FetchFailed, FetchTimeout):
            pass
        finally:
            deadline.cancel()

    # -- internals
    def _fetch(
        self,
        url: str,
        accept: ContentTypes,
        max_bytes: int,
        etag: str | None,
        last_modified: str | None,
        deadline: _Deadline,
    ) -> FetchResult:
        redirects: list[Redirect] = []
        permanent_url: str | None = None
        still_permanent = True
        current = url
        while True:
            target = check_url(current, allow_loopback_ports=self.allow_loopback_ports)
            addresses = self._addresses(target, deadline)
            headers = {
                "User-Agent": self.user_agent,
                "Accept": accept.accept,
                "Accept-Encoding": "gzip, deflate",
                "Connection": "close",
            }
            if etag:
                headers["If-None-Match"] = etag
            if last_modified:
                headers["If-Modified-Since"] = last_modified
            conn, response = self._request(target, addresses, headers, deadline)
            try:
                status = response.status
                response_headers = ResponseHeaders.of(response.msg)
                location = response.getheader("Location")
                if status in REDIRECT_STATUSES and location:
                    if len(redirects) >= self.max_redirects:
                        raise FetchRefused(
                            f"more than {self.max_redirects} redirects",
                            f"at most {self.max_redirects} redirects",
                            url,
                        )
                    next_url = urljoin(current, location.strip())
                    redirects.append(Redirect(status, next_url))
                    if still_permanent and status in PERMANENT_REDIRECTS:
                        permanent_url = next_url.partition("#")[0]
                    else:
                        still_permanent = False
                    current = next_url
                    continue
                if status == 304:
                    return FetchResult(
                        304,
                        current,
                        url,
                        response_headers,
                        redirects=tuple(redirects),
                        permanent_url=permanent_url,
                    )
                if status not in (200, 203):
                    raise HTTPStatusError(status, current, response_headers)
                media_type, charset = parse_content_type(response_headers.content_type)
                if media_type is None or not accept.allows(media_type):
                    raise FetchRefused(
                        f"content type {media_type or '(none)'!r} is not a {accept.name} type",
                        f"{accept.name} content types only",
                        current,
                    )
                body = self._read_body(response, max_bytes, current, deadline)
                return FetchResult(
                    status,
                    current,
                    url,
                    response_headers,
                    body=body,
                    media_type=media_type,
                    charset=charset,
                    redirects=tuple(redirects),
                    permanent_url=permanent_url,
                )
            except (OSError, http.client.HTTPException) as exc:
                raise self._network_error(exc, current, deadline) from None
            finally:
                deadline.watch(None)
                conn.close()

    def _addresses(self, target: Target, deadline: _Deadline) -> list[str]:
        """Every address the host resolves to, each checked; refuses the host if any one is bad."""
        if target.literal is not None:
            return [str(target.literal)]
        answers = self._resolve(target.host, deadline, target.url)
        if not answers:
            raise FetchFailed(f"{target.host} does not resolve", target.url)
        addresses = []
        for answer in answers:
            try:
                ip = ipaddress.ip_address(answer)
            except ValueError:
                raise FetchFailed(
                    f"{target.host} resolved to {answer!r}, not an address", target.url
                ) from None
            check_address(
                ip,
                target.port,
                url=target.url,
                name=target.host,
                allow_loopback_ports=self.allow_loopback_ports,
            )
            addresses.append(str(ip))
        return addresses

    def _resolve(self, host: str, deadline: _Deadline, url: str) -> Sequence[str]:
        """The resolver, bounded by the total timeout (getaddrinfo has none of its own)."""
        box: dict[str, object] = {}

        def run() -> None:
            try:
                box["answers"] = list(self.resolver(host))
            except Exception as exc:
                box["error"] = exc

        thread = threading.Thread(target=run, daemon=True, name="newsdigest-resolve")
        thread.start()
        thread.join(max(deadline.remaining(), 0.0))
        if thread.is_alive():
            raise FetchTimeout(f"timed out resolving {host}", url)
        if "error" in box:
            raise FetchFailed(f"{host} does not resolve ({box['error']})", url)
        answers = box["answers"]
        assert isinstance(answers, list)
        return answers

    def _context(self) -> ssl.SSLContext:
        if self.tls_context is not None:
            return self.tls_context
        if self._tls is None:
            import ssl

            self._tls = ssl.create_default_context()
        return self._tls

    def _request(
        self, target: Target, addresses: list[str], headers: dict[str, str], deadline: _Deadline
    ) -> tuple[_PinnedConnection, http.client.HTTPResponse]:
        last_error: BaseException | None = None
        for address in addresses:  # every one of them was checked
            deadline.check(target.url)
            timeout = max(min(self.connect_timeout, deadline.remaining()), 0.001)
            conn = _PinnedConnection(
                target,
                address,
                connector=self.connector,
                connect_timeout=timeout,
                read_timeout=max(deadline.remaining(), 0.001),
                deadline=deadline,
                tls_context=self._context() if target.scheme == "https" else None,
            )
            try:
                conn.connect()
            except OSError as exc:
                conn.close()
                last_error = exc
                continue
            try:
                conn.request("GET", target.path, headers=headers)
                return conn, conn.getresponse()
            except (OSError, http.client.HTTPException) as exc:
                deadline.watch(None)
                conn.close()
                raise self._network_error(exc, target.url, deadline) from None
        assert last_error is not None
        raise self._network_error(last_error, target.url, deadline, connecting=True)

    def _network_error(
        self, exc: BaseException, url: str, deadline: _Deadline, connecting: bool = False
    ) -> FetchError:
        if deadline.expired or deadline.remaining() <= 0:
            return FetchTimeout(f"timed out: no complete answer within {deadline.seconds:g} s", url)
        if isinstance(exc, TimeoutError):
            what = "connecting" if connecting else "waiting for the server"
            return FetchTimeout(f"timed out {what}", url)
        doing = "could not connect" if connecting else "the connection failed"
        return FetchFailed(f"{doing} ({type(exc).__name__}: {exc})", url)

    def _read_body(
        self, response: http.client.HTTPResponse, max_bytes: int, url: str, deadline: _Deadline
    ) -> bytes:
        length = response.getheader("Content-Length")
        if length and length.strip().isdigit() and int(length) > max_bytes + _CHUNK:
            raise FetchRefused(
                f"the body is {int(length)} bytes, more than {max_bytes}", "body size cap", url
            )
        encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
        encoding = {"x-gzip": "gzip", "": "identity"}.get(encoding, encoding)
        if encoding not in ("identity", "gzip", "deflate"):
            raise FetchRefused(
                f"content encoding {encoding!r} is not supported", "gzip, deflate or no encoding only", url
            )
        body = _CappedBody(encoding, max_bytes, url)
        while True:
            deadline.check(url)
            chunk = response.read(_CHUNK)
            if not chunk:
                break
            body.feed(chunk)
        deadline.check(url)
        return body.finish()
