"""The poll path without AWS: the feedparser corpus served from 127.0.0.1, polled through the safe
fetcher, parsed, and the poll state moved on; then polled again, conditionally.

Every file ends as a feed (with entries, or a valid feed with none) or a poll state whose last error
says why, with zero crashes; the second poll of an unchanged feed sends its validators and gets a 304.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from newsdigest.feeds.polling import PollState, poll_feed
from newsdigest.fetcher import Fetcher

from tests.unit.test_feed_corpus import CORPUS, HEADER

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.skipif(
    CORPUS is None, reason="../shared/feeds/feedparser-corpus is not on this machine"
)


class CorpusServer:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.conditional_requests = 0
        self.not_modified = 0
        self.special: dict[str, tuple[int, dict[str, str]]] = {}
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server.handle(self)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    def url(self, path: Path | str) -> str:
        relative = path.relative_to(self.root) if isinstance(path, Path) else path
        return f"http://127.0.0.1:{self.port}/{relative}"

    def handle(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path.lstrip("/")
        if path in self.special:
            status, headers = self.special[path]
            h.send_response(status)
            for name, value in headers.items():
                h.send_header(name, value)
            h.send_header("Content-Length", "0")
            h.end_headers()
            return
        file = (self.root / path).resolve()
        if self.root not in file.parents or not file.is_file():
            h.send_error(404)
            return
        body = file.read_bytes()
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if h.headers.get("If-None-Match"):
            with self.lock:
                self.conditional_requests += 1
        if h.headers.get("If-None-Match") == etag:
            with self.lock:
                self.not_modified += 1
            h.send_response(304)
            h.send_header("ETag", etag)
            h.end_headers()
            return
        header = HEADER.search(body[:4096])
        default = "application/feed+json" if file.suffix == ".json" else "application/xml"
        content_type = header.group(1).decode("latin-1") if header else default
        h.send_response(200)
        h.send_header("Content-Type", re.sub(r"[\r\n]", "", content_type))
        h.send_header("ETag", etag)
        h.send_header("Last-Modified", "Sat, 28 Nov 2026 10:00:00 GMT")
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        h.wfile.write(body)


@pytest.fixture
def corpus_server() -> Iterator[CorpusServer]:
    assert CORPUS is not None
    server = CorpusServer(CORPUS.resolve())
    thread = threading.Thread(target=server.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        thread.join(5)


def test_the_whole_corpus_through_the_poll_path_then_a_conditional_second_poll(corpus_server):
    assert CORPUS is not None
    fetcher = Fetcher(allow_loopback_ports=frozenset({corpus_server.port}), total_timeout=10)
    files = sorted(p.resolve() for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".xml", ".json"))
    outcomes: Counter[str] = Counter()
    fetched: list[PollState] = []
    for path in files:
        polled = poll_feed(PollState(url=corpus_server.url(path)), fetcher, NOW)
        state = polled.state
        assert state.last_polled_at == NOW and state.next_poll_at is not None
        if polled.feed is not None:
            assert state.last_status == 200 and state.last_error is None and state.etag
            outcomes["entries" if polled.feed.entries else "valid feed, no entries"] += 1
            fetched.append(state)
        else:
            assert state.last_error, path  # a reason in words
            assert state.consecutive_errors == 1 and state.etag is None
            outcomes[state.last_error.split(" (")[0][:60]] += 1
    assert sum(outcomes.values()) == len(files) > 2000
    assert outcomes["entries"] > 1000, outcomes
    print(dict(outcomes))

    # Second poll of every feed that was read: validators sent, 304, nothing to parse
    later = NOW + timedelta(hours=1)
    for state in fetched:
        again = poll_feed(state, fetcher, later)
        assert again.feed is None
        assert again.state.last_status == 304 and again.state.etag == state.etag
        assert again.state.last_modified == state.last_modified and again.state.consecutive_errors == 0
    assert corpus_server.not_modified == corpus_server.conditional_requests == len(fetched)


def test_a_429_with_retry_after_is_not_polled_again_within_the_hour(corpus_server):
    corpus_server.special["busy.xml"] = (429, {"Retry-After": "3600"})
    fetcher = Fetcher(allow_loopback_ports=frozenset({corpus_server.port}), total_timeout=10)
    state = poll_feed(PollState(url=corpus_server.url("busy.xml"), poll_minutes=15), fetcher, NOW).state
    assert state.last_status == 429 and not state.due(NOW + timedelta(minutes=59))


def test_a_moved_feed_updates_its_url_and_a_gone_one_is_marked(corpus_server):
    assert CORPUS is not None
    target = corpus_server.url("wellformed/rss/item_title.xml")
    corpus_server.special["moved.xml"] = (301, {"Location": target})
    corpus_server.special["gone.xml"] = (410, {})
    fetcher = Fetcher(allow_loopback_ports=frozenset({corpus_server.port}), total_timeout=10)
    moved = poll_feed(PollState(url=corpus_server.url("moved.xml")), fetcher, NOW)
    assert moved.feed is not None and moved.state.url == target
    gone = poll_feed(PollState(url=corpus_server.url("gone.xml")), fetcher, NOW)
    assert gone.state.gone and gone.feed is None
