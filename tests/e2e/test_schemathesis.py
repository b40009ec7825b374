"""Property-based fuzzing of the whole API from its own OpenAPI document, on the local stack: no 5xx, and
every response (status, content type, body) as the document says. Bounded: NEWSDIGEST_FUZZ_EXAMPLES; the
checks: NEWSDIGEST_FUZZ_CHECKS (`make fuzz`: all of them, 200 examples; schemathesis.toml says which
statuses valid-looking data may get where the schema cannot say everything)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import API_KEY

pytestmark = pytest.mark.e2e
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"


def test_the_api_survives_schemathesis(stack, tmp_path: Path):
    examples = os.environ.get("NEWSDIGEST_FUZZ_EXAMPLES", "25")
    checks = os.environ.get("NEWSDIGEST_FUZZ_CHECKS", CHECKS)
    command = [
        str(Path(sys.executable).with_name("schemathesis")),
        "run",
        f"{stack.api_url}/openapi.json",
        "--url",
        stack.api_url,
        "-H",
        f"x-api-key: {API_KEY}",
        "--checks",
        checks,
        "--max-examples",
        examples,
        "--seed",
        "20261128",
        "--workers",
        "1",
        "--request-timeout",
        "20",
        "--report-dir",
        str(tmp_path),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failures" not in result.stdout.splitlines()[-1]
