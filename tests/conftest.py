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
        # As template.yaml's Globals: the shared Metrics object is made at the first import of
        # newsdigest.observability, which may be a unit test's, before any function environment exists.
        # (Disabled metrics are never cleared by Powertools; at 100 values it publishes them anyway, and
        # without a namespace that raises.)
        "POWERTOOLS_SERVICE_NAME": "newsdigest",
        "POWERTOOLS_METRICS_NAMESPACE": "Newsdigest",
        "POWERTOOLS_LOG_LEVEL": "WARNING",
        # Resources are emptied between tests (newsdigest_local.resources.empty): purge a queue at will.
        "MOTO_SQS_ENFORCE_STRICT_QUEUE_PURGE_BEHAVIOUR": "false",
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


@pytest.fixture(scope="module")
def aws_resources() -> Iterator[tuple[Any, Any]]:
    """In-process moto holding every resource template.yaml declares, provisioned once per test module
    (a module, not the session: moto's in-process mock must not outlive the modules that want it)."""
    from moto import mock_aws
    from newsdigest_local.resources import provision
    from newsdigest_local.template import Template

    with mock_aws():
        template = Template.load()
        yield template, provision(template)


@pytest.fixture
def aws(aws_resources: tuple[Any, Any]) -> Iterator[Any]:
    """The module's resources, emptied for this test; yields a LocalRuntime whose
    ``invoke(logical_id, event)`` runs the template's handlers."""
    from newsdigest_local.resources import empty
    from newsdigest_local.runtime import LocalRuntime
    from newsdigest_local.stack import local_function_environment

    template, resolver = aws_resources
    saved = dict(os.environ)
    empty(template, resolver)
    runtime = LocalRuntime(
        template, resolver, log=lambda line: None, overrides=local_function_environment(True)
    )
    runtime.resolver = resolver  # type: ignore[attr-defined]
    cold_start()
    yield runtime
    cold_start()
    os.environ.clear()
    os.environ.update(saved)
