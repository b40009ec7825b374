"""The way back for failed articles, over HTTP and with the CLI: POST /articles/{id}/summarize (API key),
and `newsdigest redrive --all-failed | ID...` against the running local stack."""

from __future__ import annotations

import subprocess
import sys
import time

import boto3
import pytest
import requests

from tests.conftest import ROOT
from tests.e2e.conftest import WRITE

pytestmark = pytest.mark.e2e

BODY = (ROOT / "infra" / "samples" / "harbour-ferries.txt").read_text()


def status_of(stack, article_id: str, timeout: float = 10.0, until: str | None = None) -> str:
    deadline = time.monotonic() + timeout
    while True:
        status = requests.get(f"{stack.api_url}/articles/{article_id}/digest", timeout=5).json()["status"]
        if (status == until if until else status != "pending") or time.monotonic() > deadline:
            return status
        time.sleep(0.05)


def fail(stack, article_id: str) -> None:
    """As SummarizeFailuresFunction leaves an article whose retries were exhausted."""
    table = boto3.resource("dynamodb", endpoint_url=stack.aws_endpoint).Table(
        stack.resolver.refs["ArticlesTable"]
    )
    item = table.get_item(Key={"id": article_id})["Item"]
    table.update_item(
        Key={"id": article_id},
        UpdateExpression="SET summary_status = :f, summary = :s",
        ExpressionAttributeValues={
            ":f": "failed",
            ":s": {
                "status": "failed",
                "error": "summarize retries exhausted",
                "content_hash": item["content_hash"],
            },
        },
    )


def post(stack, n: int) -> str:
    article = {
        "title": f"Ferries {n}",
        "format": "text",
        "body": BODY,
        "url": f"https://e.example/redrive/{n}",
    }
    response = requests.post(f"{stack.api_url}/articles", json=article, headers=WRITE, timeout=5)
    assert response.status_code == 201
    return str(response.json()["id"])


def test_the_summarize_route_needs_the_key_and_puts_a_failed_article_back(stack):
    article_id = post(stack, 1)
    assert status_of(stack, article_id) == "ready"
    fail(stack, article_id)
    assert status_of(stack, article_id) == "failed"
    url = f"{stack.api_url}/articles/{article_id}/summarize"
    assert requests.post(url, timeout=5).status_code == 403
    assert (
        requests.post(f"{stack.api_url}/articles/{'0' * 24}/summarize", headers=WRITE, timeout=5).status_code
        == 404
    )
    response = requests.post(url, headers=WRITE, timeout=5)
    assert response.status_code == 202 and response.json() == {"id": article_id, "status": "pending"}
    assert status_of(stack, article_id) == "ready"


def test_newsdigest_redrive_all_failed(stack):
    ids = [post(stack, n) for n in (2, 3)]
    for article_id in ids:
        assert status_of(stack, article_id) == "ready"
        fail(stack, article_id)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "newsdigest_local.cli",
            "redrive",
            "--all-failed",
            "--endpoint",
            stack.aws_endpoint,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert {line.split()[0] for line in result.stdout.splitlines()} >= set(ids)
    assert [status_of(stack, i, until="ready") for i in ids] == ["ready", "ready"]
