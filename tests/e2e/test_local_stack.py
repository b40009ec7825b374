"""The issue's acceptance path, over real HTTP on loopback."""

from __future__ import annotations

import json
import time

import pytest
import requests

from tests.conftest import ROOT
from tests.e2e.conftest import WRITE

pytestmark = pytest.mark.e2e

FEATURE = {
    "title": "Harbour ferries go electric by next year",
    "format": "text",
    "url": "https://news.example.com/e2e/harbour-ferries",
    "body": (ROOT / "infra" / "samples" / "harbour-ferries.txt").read_text(),
}
HEADINGS = ["How the trial went", "What it will cost", "Will fares go up?", "What comes next"]


def wait_for_digest(api: str, article_id: str, timeout: float = 10.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        digest = requests.get(f"{api}/articles/{article_id}/digest", timeout=5).json()
        if digest["status"] != "pending":
            return digest
        time.sleep(0.1)
    raise AssertionError("the digest stayed pending")


def test_post_then_digest_is_ready_with_the_articles_own_headings(stack):
    created = requests.post(f"{stack.api_url}/articles", json=FEATURE, headers=WRITE, timeout=5)
    assert created.status_code == 201
    article_id = created.json()["id"]

    digest = wait_for_digest(stack.api_url, article_id)

    assert digest["status"] == "ready"
    assert [o["heading"] for o in digest["outline"]] == [None, *HEADINGS]
    body = requests.get(f"{stack.api_url}/articles/{article_id}", timeout=5).json()["text"]
    assert all(body[s["start"] : s["end"]] == s["text"] for s in digest["digest"])


def test_posting_twice_stores_one_item(stack):
    import boto3

    article = dict(FEATURE, url="https://news.example.com/e2e/twice")
    first = requests.post(f"{stack.api_url}/articles", json=article, headers=WRITE, timeout=5)
    second = requests.post(f"{stack.api_url}/articles", json=article, headers=WRITE, timeout=5)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    table = boto3.resource("dynamodb", endpoint_url=stack.aws_endpoint).Table(
        stack.resolver.refs["ArticlesTable"]
    )
    matching = [i for i in table.scan()["Items"] if i.get("url") == article["url"]]
    assert len(matching) == 1


@pytest.mark.parametrize(
    ("payload", "status", "named"),
    [
        (b'{"title": "x", "body": ', 400, "JSON"),
        (json.dumps({"body": "Text.", "format": "text"}).encode(), 422, "title"),
        (json.dumps({"title": "t", "body": "Text.", "format": "docx"}).encode(), 422, "format"),
        (json.dumps({"title": "t", "body": "x" * 2_000_001, "format": "text"}).encode(), 413, "limit"),
    ],
)
def test_bad_input_gets_a_4xx_naming_the_problem(stack, payload, status, named):
    response = requests.post(
        f"{stack.api_url}/articles",
        data=payload,
        headers={"Content-Type": "application/json", **WRITE},
        timeout=5,
    )
    assert response.status_code == status
    assert named in response.json()["error"]["message"]


def test_unknown_routes_and_methods(stack):
    assert requests.get(f"{stack.api_url}/nowhere", timeout=5).status_code == 404
    response = requests.put(f"{stack.api_url}/articles", timeout=5)
    assert response.status_code == 405 and set(response.headers["Allow"].split(", ")) == {"GET", "POST"}


def test_huge_headers_are_refused_without_taking_the_server_down(stack):
    # A header the size API Gateway still accepts goes through...
    assert (
        requests.get(f"{stack.api_url}/health", headers={"X-Big": "x" * 8_000}, timeout=5).status_code == 200
    )
    # ...an absurd one is a 4xx, and the server keeps serving
    response = requests.get(f"{stack.api_url}/health", headers={"X-Huge": "x" * 100_000}, timeout=5)
    assert 400 <= response.status_code < 500
    many = {f"X-H{i}": "v" for i in range(200)}
    assert 400 <= requests.get(f"{stack.api_url}/health", headers=many, timeout=5).status_code < 500
    assert requests.get(f"{stack.api_url}/health", timeout=5).status_code == 200
