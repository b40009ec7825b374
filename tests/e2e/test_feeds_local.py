"""Following a feed on the local stack, over real HTTP on loopback: POST /feeds, the FeedPolls schedule
fires, the stack's queue mapping runs the poller, the entries are articles with digests. The feed and the
page behind its teaser come from a server on 127.0.0.1 that the test starts and stops; the stack's fetcher
may reach it only because its port is named."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from newsdigest.fetcher import Fetcher
from newsdigest_local.schedules import find_schedule, schedule_event

from tests.conftest import cold_start
from tests.e2e.conftest import API_KEY, WRITE, running_stack
from tests.unit.extraction.pages import news_page

pytestmark = pytest.mark.e2e


@pytest.fixture
def site() -> Iterator[ThreadingHTTPServer]:
    pages: dict[str, tuple[str, bytes]] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            content_type, body = pages.get(self.path, ("text/plain", b"not found"))
            self.send_response(200 if self.path in pages else 404)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.pages = pages  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def test_a_followed_feed_becomes_articles_with_digests(site):
    port = site.server_address[1]
    base = f"http://127.0.0.1:{port}"
    site.pages["/news/ferries"] = ("text/html; charset=utf-8", news_page().encode())  # type: ignore[attr-defined]
    site.pages["/feed.xml"] = (  # type: ignore[attr-defined]
        "application/rss+xml",
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Coastal Gazette</title><item>'
        f"<title>Ferries</title><link>{base}/news/ferries</link>"
        "<description>The board voted for electric ferries… Read more</description>"
        "</item></channel></rss>".encode(),
    )
    with running_stack(api_key=API_KEY) as stack:
        cold_start(fetcher=Fetcher(allow_loopback_ports={port}, total_timeout=5))
        followed = requests.post(
            f"{stack.api_url}/feeds", json={"url": f"{base}/feed.xml"}, headers=WRITE, timeout=5
        )
        assert followed.status_code == 201
        feed_id = followed.json()["id"]

        schedule = find_schedule(stack.template, "FeedPolls")
        assert stack.runtime.invoke("FeedScheduleFunction", schedule_event(schedule))["queued"] == 1

        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            feed = requests.get(f"{stack.api_url}/feeds/{feed_id}", timeout=5).json()
            if feed["last_polled_at"]:
                break
            time.sleep(0.1)
        assert feed["last_status"] == 200 and feed["entries_ingested"] == 1, feed

        # (moto's backends live as long as the process: other tests' articles may be listed too)
        items = requests.get(f"{stack.api_url}/articles", params={"limit": 100}, timeout=5).json()["items"]
        (item,) = [i for i in items if i["url"] == f"{base}/news/ferries"]
        assert item["url"] == f"{base}/news/ferries" and item["source"] == "Coastal Gazette"
        while time.monotonic() < deadline:
            digest = requests.get(f"{stack.api_url}/articles/{item['id']}/digest", timeout=5).json()
            if digest["status"] != "pending":
                break
            time.sleep(0.1)
        headings = [o["heading"] for o in digest["outline"] if o["heading"]]
        assert digest["status"] == "ready" and headings == [
            "How the trial went",
            "What it will cost",
            "What comes next",
        ]
