from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from newsdigest_local.stack import LocalStack

from tests.conftest import cold_start

API_KEY = "e2e-test-key"
WRITE = {"x-api-key": API_KEY}


def _errors_only(line: str) -> None:
    if " ERROR " in line or "failed" in line:
        print(line, file=sys.stderr, flush=True)


class OfflineWeb:
    """The web as the stack's fetcher sees it in e2e tests: every name resolves to a public documentation
    address, so the fetcher's rules apply as for a real site (a refused URL is still a 422), and every
    page that passes them is the same news page, answered at once, over http or https alike. No test
    reaches the internet, and a fuzzer never meets an upstream failure (a 502/504 is the page's fault,
    which tests/integration/test_pages_api.py covers with a real server on 127.0.0.1)."""

    def fetcher(self) -> Any:
        from newsdigest.fetcher import Fetcher, FetchResult, ResponseHeaders

        from tests.unit.extraction.pages import news_page

        page = news_page().encode()

        class Offline(Fetcher):
            def fetch(self, url: str, accept: Any, **kwargs: Any) -> FetchResult:
                self.check(url)  # every rule that can refuse without a connection
                headers = ResponseHeaders(content_type="text/html; charset=utf-8")
                return FetchResult(200, url, url, headers, body=page, media_type="text/html")

        return Offline(resolver=lambda host: ["93.184.216.34"], connector=_no_connection)

    def stop(self) -> None:
        pass


def _no_connection(address: Any, timeout: float) -> Any:
    raise ConnectionRefusedError(f"e2e: no connection to {address}")


@contextmanager
def running_stack(**options: Any) -> Iterator[LocalStack]:
    """A local stack on loopback ports of its own; the process environment is restored afterwards.
    Its fetcher reaches only an OfflineWeb."""
    saved = dict(os.environ)
    cold_start()
    web = OfflineWeb()
    # The stack's log lines about failed invocations go to stderr: pytest shows them when a test fails.
    local = LocalStack(api_port=0, log=_errors_only, poll_interval=0.05, **options)
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
