"""``newsdigest invoke``: one function of the template on one event - the Docker-free ``sam local invoke``.

Against a running local stack (its endpoint from ``serve``'s state file or ``--endpoint``), or, when none
runs, against an in-process moto holding the template's resources.
"""

from __future__ import annotations

import json
import os
import sys
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from newsdigest_local.resources import provision
from newsdigest_local.runtime import LocalRuntime
from newsdigest_local.stack import STATE_FILE, aws_environment, local_function_environment
from newsdigest_local.template import Template


def _stderr(line: str) -> None:
    # stdout carries only the function's result (JSON), as with `sam local invoke`.
    print(line, file=sys.stderr, flush=True)


@contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """While a function runs, whatever it writes to stdout - Powertools' JSON logs (a WARNING), EMF
    metrics, a print - goes to stderr, at the file-descriptor level (Powertools' handler holds the stdout
    it found at import), so that the caller's stdout carries only the result: `... | jq` works."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def _running_endpoint(state_dir: Path) -> str | None:
    state = state_dir / STATE_FILE
    if not state.exists():
        return None
    endpoint = json.loads(state.read_text()).get("aws_endpoint")
    try:
        urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=1).close()
    except OSError:
        return None
    return str(endpoint)


def _describe(result: Any) -> str:
    if isinstance(result, dict) and "statusCode" in result:
        return str(result["statusCode"])
    if isinstance(result, dict) and "batchItemFailures" in result:
        return f"{len(result['batchItemFailures'])} failed record(s)"
    return "ok"


def invoke(function: str, event: dict[str, Any], *, state_dir: Path, endpoint: str | None = None) -> Any:
    """Run ``function`` on ``event``; the function's own output goes to stderr, the result is returned."""
    with stdout_to_stderr():
        return _invoke(function, event, state_dir=state_dir, endpoint=endpoint)


def _invoke(function: str, event: dict[str, Any], *, state_dir: Path, endpoint: str | None = None) -> Any:
    endpoint = endpoint or _running_endpoint(state_dir)
    template = Template.load()
    if endpoint:
        os.environ.update(aws_environment(endpoint) | local_function_environment(quiet=True))
        overrides = local_function_environment(True)
        state = state_dir / STATE_FILE
        api_url = json.loads(state.read_text()).get("api_url") if state.exists() else None
        if api_url:  # links in emails point at the running stack's API
            overrides["NEWSDIGEST_PUBLIC_URL"] = str(api_url)
        runtime = LocalRuntime(
            template,
            provision(template, create=False),
            log=_stderr,
            overrides=overrides,
        )
        return runtime.invoke(function, event, "invoke", _describe)
    from moto import mock_aws

    os.environ.update(aws_environment("") | local_function_environment(quiet=True))
    os.environ.pop("AWS_ENDPOINT_URL", None)
    with mock_aws():
        runtime = LocalRuntime(
            template, provision(template), log=_stderr, overrides=local_function_environment(True)
        )
        return runtime.invoke(function, event, "invoke (in-process moto)", _describe)
