"""SSRF: a table of hostile URLs, each refused by the fetcher before any connection is attempted.

No sockets: names resolve through a fake resolver, connections go through a recording connector, and
``socket`` itself is spied on so that a connection or DNS lookup made behind the fetcher's back (a
second resolution, a library opening its own socket) would fail the test too. The positive controls at
the bottom prove the spies see a connection when the fetcher does make one.
"""

from __future__ import annotations

import socket

import pytest
from newsdigest.fetcher import FEED_TYPES, PAGE_TYPES, Fetcher, FetchFailed, FetchRefused

# Fake DNS: what hostile names resolve to.
DNS = {
    "localhost": ["127.0.0.1"],
    "internal.example": ["10.0.0.5"],
    "corp.example": ["172.20.1.1"],
    "metadata.example": ["169.254.169.254"],
    "ecs-creds.example": ["169.254.170.2"],
    "cgnat.example": ["100.100.100.200"],
    "rebind.example": ["93.184.216.34", "127.0.0.1"],  # one good answer does not excuse a bad one
    "v6loopback.example": ["::1"],
    "mapped.example": ["::ffff:169.254.169.254"],
    "nat64.example": ["64:ff9b::a9fe:a9fe"],
    "ula.example": ["fd00:ec2::254"],
    "linklocal6.example": ["fe80::1"],
    "multicast.example": ["239.255.255.250"],
    "zero.example": ["0.0.0.0"],
    "example.com": ["93.184.216.34"],
    "www.example.org": ["2606:2800:220:1:248:1893:25c8:1946"],
}

# (hostile URL, a fragment of the rule that must refuse it)
HOSTILE = [
    # IPv4 loopback in every spelling a resolver accepts
    ("http://127.0.0.1/", "no loopback"),
    ("http://2130706433/", "no loopback"),
    ("http://0177.0.0.1/", "no loopback"),
    ("http://0x7f.1/", "no loopback"),
    ("http://127.1/", "no loopback"),
    ("http://0x7f000001/", "no loopback"),
    ("http://017700000001/", "no loopback"),
    ("http://127.0.0.1./", "no loopback"),
    ("http://127.255.255.254/", "no loopback"),
    ("http://１２７.０.０.１/", "no loopback"),  # full-width digits fold to 127.0.0.1 under IDNA
    ("http://0/", "no unspecified"),
    ("http://0.0.0.0/", "no unspecified"),
    # metadata and link-local, spelled several ways
    ("http://169.254.169.254/latest/meta-data/", "metadata"),
    ("http://2852039166/", "metadata"),
    ("http://0xa9.0xfe.0xa9.0xfe/", "metadata"),
    ("http://0251.0376.0251.0376/", "metadata"),
    ("http://169.254.170.2/v2/credentials", "link-local"),
    # private, CGNAT and other special IPv4 networks
    ("http://10.0.0.5/", "no private networks"),
    ("http://172.16.0.1/", "no private networks"),
    ("http://192.168.1.1/", "no private networks"),
    ("http://100.64.0.1/", "no CGNAT"),
    ("http://100.100.100.200/", "no CGNAT"),
    ("http://224.0.0.1/", "no multicast"),
    ("http://255.255.255.255/", "no broadcast"),
    ("http://240.0.0.1/", "no reserved"),
    ("http://198.18.0.1/", "no benchmarking"),
    ("http://192.0.2.1/", "no documentation"),
    # IPv6 and the IPv6 forms of bad IPv4 addresses
    ("http://[::]/", "no unspecified"),
    ("http://[::1]/", "no loopback"),
    ("http://[::ffff:127.0.0.1]/", "no loopback"),
    ("http://[::ffff:7f00:1]/", "no loopback"),
    ("http://[0:0:0:0:0:ffff:7f00:1]/", "no loopback"),
    ("http://[::ffff:a9fe:a9fe]/", "metadata"),
    ("http://[::ffff:8.8.8.8]/", "no IPv4-mapped"),
    ("http://[::127.0.0.1]/", "no loopback"),  # IPv4-compatible
    ("http://[64:ff9b::a9fe:a9fe]/", "metadata"),  # NAT64
    ("http://[64:ff9b::7f00:1]/", "no loopback"),
    ("http://[64:ff9b:1::a00:5]/", "no local-use NAT64"),
    ("http://[2002:7f00:1::]/", "no loopback"),  # 6to4
    ("http://[2002:a9fe:a9fe::1]/", "metadata"),
    ("http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/", "no loopback"),  # Teredo, client 127.0.0.1
    ("http://[fc00::1]/", "no private networks"),
    ("http://[fd00:ec2::254]/", "no private networks"),  # the EC2 IPv6 metadata address
    ("http://[fe80::1]/", "link-local"),
    ("http://[fe80::1%25eth0]/", "link-local"),
    ("http://[fec0::1]/", "no site-local"),
    ("http://[ff02::1]/", "no multicast"),
    # names that resolve to bad addresses
    ("http://localhost/", "no loopback"),
    ("http://internal.example/", "no private networks"),
    ("https://corp.example/", "no private networks"),
    ("http://metadata.example/latest/meta-data/", "metadata"),
    ("http://ecs-creds.example/", "link-local"),
    ("http://cgnat.example/", "no CGNAT"),
    ("http://rebind.example/", "no loopback"),
    ("http://v6loopback.example/", "no loopback"),
    ("http://mapped.example/", "metadata"),
    ("http://nat64.example/", "metadata"),
    ("http://ula.example/", "no private networks"),
    ("http://linklocal6.example/", "link-local"),
    ("http://multicast.example/", "no multicast"),
    ("http://zero.example/", "no unspecified"),
    # schemes
    ("gopher://127.0.0.1:6379/_SET%20x%201", "http and https only"),
    ("ftp://example.com/", "http and https only"),
    ("file:///etc/passwd", "http and https only"),
    ("dict://127.0.0.1:11211/stats", "http and https only"),
    ("javascript:alert(1)", "http and https only"),
    ("data:text/html,<script>alert(1)</script>", "http and https only"),
    ("//example.com/", "http and https only"),
    # ports
    ("http://example.com:22/", "ports 80 and 443 only"),
    ("http://example.com:6379/", "ports 80 and 443 only"),
    ("https://example.com:8443/", "ports 80 and 443 only"),
    ("http://example.com:0/", "ports 80 and 443 only"),
    ("http://example.com:99999/", "a well-formed URL"),
    ("http://127.0.0.1:6379/", "ports 80 and 443 only"),
    # user info and parser confusion
    ("http://example.com@127.0.0.1/", "no user info"),
    ("http://user:pass@example.com/", "no user info"),
    ("http://127.0.0.1#@example.com/", "no loopback"),
    ("http://127.0.0.1?@example.com/", "no loopback"),
    ("http://example.com\\@127.0.0.1/", "a well-formed URL"),
    ("http://127.0.0.1%2f@example.com/", "no user info"),
    ("http://exam ple.com/", "a well-formed URL"),
    ("http://example.com\r\nHost: 127.0.0.1/", "a well-formed URL"),
    ("http://1.2.3.4.5/", "a valid host"),
    ("http://example.123/", "a valid host"),
    ("http://0x7g.1/", "a valid host"),
    ("http://256.0.0.1/", "a valid host"),
    ("http://[::1/", "a well-formed URL"),
    ("http://%31%32%37.0.0.1/", "a valid host"),
    ("http:///etc/passwd", "a well-formed URL"),
]


class RecordingResolver:
    def __init__(self) -> None:
        self.asked: list[str] = []

    def __call__(self, host: str) -> list[str]:
        self.asked.append(host)
        if host not in DNS:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return DNS[host]


class RecordingConnector:
    """Records every connection the fetcher asks for, and makes none."""

    def __init__(self) -> None:
        self.attempts: list[tuple[str, int]] = []

    def __call__(self, address: tuple[str, int], timeout: float) -> socket.socket:
        self.attempts.append(address)
        raise ConnectionRefusedError(f"test connector: no connection to {address}")


@pytest.fixture
def socket_spy(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, object]]:
    """Every real connect or DNS lookup in the process, recorded (and refused)."""
    seen: list[tuple[str, object]] = []

    def no_connect(self: socket.socket, address: object) -> None:
        seen.append(("connect", address))
        raise ConnectionRefusedError("socket spy: no connections in unit tests")

    real_getaddrinfo = socket.getaddrinfo

    def no_lookup(host: str, port: object, family: int = 0, type: int = 0, proto: int = 0, flags: int = 0):
        # Numeric hosts are answered without DNS (AI_NUMERICHOST fails on a name); both are recorded.
        seen.append(("getaddrinfo", host))
        return real_getaddrinfo(host, port, family, type, proto, flags | socket.AI_NUMERICHOST)

    monkeypatch.setattr(socket.socket, "connect", no_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", no_connect)
    monkeypatch.setattr(socket, "getaddrinfo", no_lookup)
    return seen


def make_fetcher() -> tuple[Fetcher, RecordingResolver, RecordingConnector]:
    resolver, connector = RecordingResolver(), RecordingConnector()
    return Fetcher(resolver=resolver, connector=connector, total_timeout=5), resolver, connector


def test_the_table_is_at_least_forty_hostile_urls():
    assert len({url for url, _ in HOSTILE}) == len(HOSTILE) >= 40


@pytest.mark.parametrize(("url", "rule"), HOSTILE, ids=[u for u, _ in HOSTILE])
@pytest.mark.parametrize("accept", [FEED_TYPES, PAGE_TYPES], ids=["feed", "page"])
def test_hostile_url_is_refused_before_any_connection(url, rule, accept, socket_spy):
    # Given a fetcher whose only ways out are recorded
    fetcher, _resolver, connector = make_fetcher()
    # When it is asked for a hostile URL
    with pytest.raises(FetchRefused) as refused:
        fetcher.fetch(url, accept)
    # Then the refusal names the rule, and no connection (nor any real DNS lookup) was attempted
    message = str(refused.value)
    assert message.startswith("refused: ") and f"(rule: {refused.value.rule})" in message
    assert rule in refused.value.rule, message
    assert connector.attempts == []
    assert socket_spy == []


@pytest.mark.parametrize(("url", "rule"), HOSTILE, ids=[u for u, _ in HOSTILE])
def test_hostile_url_is_refused_by_the_default_connector_too(url, rule, socket_spy):
    # The production connector (socket.create_connection) with only DNS faked: the socket spy sees
    # every connect and every getaddrinfo (numeric or not) the process makes. None happens.
    fetcher = Fetcher(resolver=RecordingResolver(), total_timeout=5)
    with pytest.raises(FetchRefused) as refused:
        fetcher.fetch(url, FEED_TYPES)
    assert rule in refused.value.rule, str(refused.value)
    assert socket_spy == []


@pytest.mark.parametrize(
    "url",
    [
        "http://2130706433/",
        "http://0x7f.1/",
        "http://127.1/",
        "http://0177.0.0.1/",
        "http://１２７.０.０.１/",
    ],
)
def test_numeric_hosts_are_read_as_addresses_never_sent_to_dns(url, socket_spy):
    # A system resolver would turn these into 127.0.0.1 on its own; we must read them ourselves.
    fetcher, resolver, _connector = make_fetcher()
    with pytest.raises(FetchRefused):
        fetcher.fetch(url, FEED_TYPES)
    assert resolver.asked == []


def test_a_refusal_message_says_what_the_address_is():
    fetcher, _, _ = make_fetcher()
    with pytest.raises(FetchRefused) as refused:
        fetcher.fetch("http://10.0.0.5/feed.xml", FEED_TYPES)
    assert str(refused.value) == "refused: 10.0.0.5 is a private address (rule: no private networks)"
    with pytest.raises(FetchRefused) as refused:
        fetcher.fetch("http://metadata.example/", FEED_TYPES)
    assert str(refused.value) == (
        "refused: metadata.example resolves to 169.254.169.254, the cloud metadata address "
        "(rule: no link-local or metadata addresses)"
    )


def test_the_loopback_test_setting_opens_only_the_named_port_on_loopback(socket_spy):
    # Given a fetcher that may reach a loopback test server on port 8123 only
    resolver, connector = RecordingResolver(), RecordingConnector()
    fetcher = Fetcher(resolver=resolver, connector=connector, allow_loopback_ports=frozenset({8123}))
    # Then other loopback ports, loopback on 80, private addresses on 8123 and mapped loopback stay refused
    for url in [
        "http://127.0.0.1:8124/",
        "http://127.0.0.1/",
        "http://10.0.0.5:8123/",
        "http://169.254.169.254:8123/",
        "http://[::ffff:127.0.0.1]:8123/",
        "http://example.com:8123/",  # a public address on a non-standard port
    ]:
        with pytest.raises(FetchRefused):
            fetcher.fetch(url, FEED_TYPES)
    assert connector.attempts == []
    # And the named port on loopback is let through to the connector
    with pytest.raises(FetchFailed):
        fetcher.fetch("http://127.0.0.1:8123/feed.xml", FEED_TYPES)
    assert connector.attempts == [("127.0.0.1", 8123)]
    assert socket_spy == []


def test_default_fetcher_allows_no_loopback_port():
    assert Fetcher().allow_loopback_ports == frozenset()


# ---- positive controls: the spies do see the connections the fetcher makes to good addresses
@pytest.mark.parametrize(
    ("url", "address"),
    [
        ("http://example.com/feed.xml", ("93.184.216.34", 80)),
        ("https://example.com/feed.xml", ("93.184.216.34", 443)),
        ("http://www.example.org/", ("2606:2800:220:1:248:1893:25c8:1946", 80)),
        ("http://[2606:4700:4700::1111]/", ("2606:4700:4700::1111", 80)),
        ("http://[64:ff9b::808:808]/", ("64:ff9b::808:808", 80)),  # NAT64 of a public address
        ("http://8.8.8.8/", ("8.8.8.8", 80)),
    ],
)
def test_public_addresses_reach_the_connector_at_the_checked_address(url, address, socket_spy):
    fetcher, _resolver, connector = make_fetcher()
    with pytest.raises(FetchFailed, match="could not connect"):
        fetcher.fetch(url, FEED_TYPES)
    assert connector.attempts == [address]
    assert socket_spy == []  # the connector is the only way out: no DNS lookup of the fetcher's own


def test_real_socket_connect_is_seen_by_the_spy(socket_spy):
    # The spy itself can fail: a fetcher using the real socket module is caught at connect.
    fetcher = Fetcher(resolver=lambda host: DNS[host])
    with pytest.raises(FetchFailed):
        fetcher.fetch("http://example.com/", FEED_TYPES)
    assert socket_spy == [("getaddrinfo", "93.184.216.34"), ("connect", ("93.184.216.34", 80))]


def test_the_user_agent_names_the_project_version_and_its_readme():
    import tomllib
    from pathlib import Path

    from newsdigest.fetcher import USER_AGENT, VERSION

    pyproject = tomllib.loads((Path(__file__).resolve().parents[2] / "pyproject.toml").read_text())
    assert pyproject["project"]["version"] == VERSION
    assert f"newsdigest/{VERSION} (+https://github.com/newsdigest/newsdigest#readme)" == USER_AGENT
