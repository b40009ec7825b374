from __future__ import annotations

import os
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from newsdigest_local.stack import LocalStack

from tests.conftest import cold_start

API_KEY = "e2e-test-key"
WRITE = {"x-api-key": API_KEY}


class OfflineWeb:
    """The web as the stack's fetcher sees it in e2e tests: every name resolves to a public documentation
    address (so every rule passes as for a real site), and every connection goes to one server on
    127.0.0.1 that answers any path with the same news page. No test reaches the internet."""

    def __init__(self) -> None:
        from tests.unit.extraction.pages import news_page

        page = news_page().encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def fetcher(self) -> Any:
        from newsdigest.fetcher import Fetcher

        port = self.httpd.server_address[1]
        return Fetcher(
            resolver=lambda host: ["93.184.216.34"],
            connector=lambda address, timeout: socket.create_connection(("127.0.0.1", port), timeout),
            total_timeout=5,
        )

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def running_stack(**options: Any) -> Iterator[LocalStack]:
    """A local stack on loopback ports of its own; the process environment is restored afterwards.
    Its fetcher reaches only an OfflineWeb."""
    saved = dict(os.environ)
    cold_start()
    web = OfflineWeb()
    local = LocalStack(api_port=0, log=lambda line: None, poll_interval=0.05, **options)
    local.start()
    cold_start(fetcher=web.fetcher())
    local.serve_in_thread()
    try:
        yield local
    finally:
        local.stop()
        web.stop()
        cold_start()
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    """The whole local stack - moto's server, API and stream mapping - on loopback ports of its own."""
    with running_stack(api_key=API_KEY) as local:
        yield local
