"""Shared fixtures. AWS is only ever moto: in-process (``aws``) or moto's server on loopback (e2e)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"

# Before any boto3 client exists: fake credentials, a region, and no way to reach a real endpoint.
os.environ.update(
    {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_REGION": "us-east-1",
        "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
        "POWERTOOLS_METRICS_DISABLED": "true",
        # As every function has it from the template. Powertools reads it once, when the Metrics object is
        # made; without it, the 100th value of a metric in one process (a long e2e run) fails the handler.
        "POWERTOOLS_METRICS_NAMESPACE": "Newsdigest",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
    }
)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_PROFILE", None)


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


def cold_start(**members: Any) -> Any:
    """Settings and clients are built once per cold start (newsdigest.wiring); a test is a cold start, and
    hands in the fakes it wants (``mailer=``, ``clock=``, ...)."""
    from newsdigest import wiring

    return wiring.cold_start(**members)


@pytest.fixture
def fakes() -> Iterator[Any]:
    """``fakes(mailer=..., clock=...)``: a cold start with these fakes for the rest of the test; a plain
    cold start after it."""
    yield cold_start
    cold_start()


@pytest.fixture
def aws() -> Iterator[Any]:
    """In-process moto holding every resource template.yaml declares; yields a LocalRuntime whose
    ``invoke(logical_id, event)`` runs the template's handlers."""
    from moto import mock_aws
    from newsdigest_local.resources import provision
    from newsdigest_local.runtime import LocalRuntime
    from newsdigest_local.stack import local_function_environment
    from newsdigest_local.template import Template

    saved = dict(os.environ)
    with mock_aws():
        template = Template.load()
        resolver = provision(template)
        runtime = LocalRuntime(
            template, resolver, log=lambda line: None, overrides=local_function_environment(True)
        )
        runtime.resolver = resolver  # type: ignore[attr-defined]
        cold_start()
        yield runtime
    cold_start()
    os.environ.clear()
    os.environ.update(saved)
