"""`newsdigest serve` and `newsdigest invoke` as a user runs them."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from newsdigest_local.stack import free_port

from tests.conftest import ROOT

pytestmark = [pytest.mark.e2e, pytest.mark.local_stack]  # the local stack's command, over loopback
CLI = [sys.executable, "-m", "newsdigest_local.cli"]


def clean_env() -> dict[str, str]:
    env = dict(os.environ)
    for key in ("AWS_ENDPOINT_URL", "ARTICLES_TABLE", "NEWSDIGEST_SIGNING_SECRET"):
        env.pop(key, None)
    return env


def test_serve_prints_its_endpoints_serves_and_stops_on_ctrl_c(tmp_path: Path):
    port = free_port()
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--state-dir", str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=clean_env(),
    )
    try:
        lines = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            lines.append(line)
            if "Ctrl-C" in line or not line:
                break
        banner = "".join(lines)
        assert f"http://127.0.0.1:{port}" in banner, banner
        assert re.search(r"AWS endpoint: http://127\.0\.0\.1:\d+", banner)
        assert json.loads((tmp_path / "stack.json").read_text())["api_url"] == f"http://127.0.0.1:{port}"

        response = requests.get(f"http://127.0.0.1:{port}/articles", timeout=10)
        assert response.status_code == 200 and response.json()["items"] == []
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0
        assert "ApiFunction" in out and "GET /articles" in out  # one line per invocation
        assert "stopped" in out and not (tmp_path / "stack.json").exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_invoke_runs_a_function_on_an_event_file_in_process(tmp_path: Path):
    result = subprocess.run(
        [
            *CLI,
            "invoke",
            "IngestFunction",
            "--event",
            "events/ingest-post-article.json",
            "--state-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    output = json.loads(result.stdout)
    assert output["statusCode"] == 201
    assert json.loads(output["body"])["status"] == "created"


def test_invoke_against_a_running_stack_shares_its_tables(stack, tmp_path: Path):
    (tmp_path / "stack.json").write_text(json.dumps({"aws_endpoint": stack.aws_endpoint}))
    env = clean_env()
    for event, function in [
        ("ingest-post-article.json", "IngestFunction"),
        ("api-get-article.json", "ApiFunction"),
    ]:
        result = subprocess.run(
            [*CLI, "invoke", function, "-e", f"events/{event}", "--state-dir", str(tmp_path)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["statusCode"] == 200  # the GET found what the POST stored


def test_invoke_stdout_is_the_result_only_and_the_functions_logs_go_to_stderr(tmp_path: Path):
    # An SNS message that is no SES notification makes MailEventsFunction log a WARNING
    event = json.loads((ROOT / "events" / "mail-bounce-sns.json").read_text())
    event["Records"][0]["Sns"]["Message"] = "not an SES notification"
    (tmp_path / "event.json").write_text(json.dumps(event))
    result = subprocess.run(
        [
            *CLI,
            "invoke",
            "MailEventsFunction",
            "-e",
            str(tmp_path / "event.json"),
            "--state-dir",
            str(tmp_path),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"suppressed": 0}  # the whole of stdout parses as JSON
    assert '"level":"WARNING"' in result.stderr


def test_serve_stops_on_sigint_even_when_its_parent_ignores_sigint(tmp_path: Path):
    # A shell's background job (or a supervisor) starts it with SIGINT ignored: Python then installs no
    # KeyboardInterrupt handler, so serve must install its own.
    port = free_port()
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", str(port), "--state-dir", str(tmp_path)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=clean_env(),
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if "Ctrl-C" in line or not line:
                break
        assert requests.get(f"http://127.0.0.1:{port}/health", timeout=10).status_code == 200
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=30)
        assert proc.returncode == 0 and "stopped" in out
        assert not (tmp_path / "stack.json").exists()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
