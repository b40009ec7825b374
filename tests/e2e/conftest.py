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


@contextmanager
def running_stack(**options: Any) -> Iterator[LocalStack]:
    """A local stack on loopback ports of its own; the process environment is restored afterwards."""
    saved = dict(os.environ)
    cold_start()
    # The stack's log lines about failed invocations go to stderr: pytest shows them when a test fails.
    local = LocalStack(api_port=0, log=_errors_only, poll_interval=0.05, **options)
    local.start().serve_in_thread()
    try:
        yield local
    finally:
        local.stop()
        cold_start()
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def stack() -> Iterator[LocalStack]:
    """The whole local stack - moto's server, API and stream mapping - on loopback ports of its own."""
    with running_stack(api_key=API_KEY) as local:
        yield local
