"""The issue's acceptance path, over real HTTP on loopback."""

from __future__ import annotations

import json
import socket
import time
from urllib.parse import urlsplit

import pytest
import requests
from newsdigest_local.template import ACCOUNT, REGION, Template

from tests.conftest import ROOT
from tests.e2e.conftest import WRITE, running_stack

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


def test_unknown_routes_and_methods_get_api_gateways_404(stack):
    # API Gateway answers a path or method it lacks with MISSING_AUTHENTICATION_TOKEN, which the
    # template's GatewayResponses turn into a 404 in the service's error shape; no 405, no Allow.
    template = Template.load().resources["NewsApi"]["Properties"]["GatewayResponses"]
    expected = json.loads(template["MISSING_AUTHENTICATION_TOKEN"]["ResponseTemplates"]["application/json"])
    assert requests.get(f"{stack.api_url}/nowhere", timeout=5).status_code == 404
    for method, path in [("PUT", "/articles"), ("OPTIONS", "/articles/batch"), ("GET", "/articles/batch")]:
        response = requests.request(method, f"{stack.api_url}{path}", timeout=5)
        assert response.status_code == 404, (method, path)
        assert "Allow" not in response.headers and response.json() == expected


def test_a_trailing_newline_is_part_of_the_path_not_its_end(stack):
    # /articles%0a is no route; /articles/%0a is the article "\n", which does not exist
    assert requests.get(f"{stack.api_url}/articles%0a", timeout=5).status_code == 404
    response = requests.get(f"{stack.api_url}/articles/%0a", timeout=5)
    assert response.status_code == 404 and "items" not in response.json()


def test_a_request_over_api_gateways_10_mb_is_refused_unread(stack):
    with socket.create_connection(urlsplit(stack.api_url).netloc.split(":"), timeout=5) as conn:
        conn.sendall(
            b"POST /articles HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 50000000000\r\n\r\n{"
        )
        assert conn.recv(200).startswith(b"HTTP/1.1 413 ")
    assert requests.get(f"{stack.api_url}/health", timeout=5).status_code == 200


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


def test_a_failed_digest_job_waits_out_the_queues_visibility_timeout_from_the_template():
    import boto3
    from moto.sqs.models import sqs_backends

    template = Template.load().of_type("AWS::SQS::Queue")["DigestQueue"]
    with running_stack() as local:
        sqs = boto3.client("sqs", endpoint_url=local.aws_endpoint)
        url = local.resolver.refs["DigestQueue"]
        attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
        assert attributes["Attributes"]["VisibilityTimeout"] == str(template["VisibilityTimeout"])
        # Given a job the sender fails on (not a job at all)
        message_id = sqs.send_message(QueueUrl=url, MessageBody="not a digest job")["MessageId"]
        # (moto's own record: another stack of this test process may be the one that receives it)
        queue = sqs_backends[ACCOUNT][REGION].queues[url.rsplit("/", 1)[1]]

        def receives() -> int:
            found = [m for m in queue._messages if m.id == message_id]
            return found[0].approximate_receive_count if found else -1

        deadline = time.monotonic() + 10
        while receives() < 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert receives() == 1
        # Then it is not received again within seconds (AWS waits out VisibilityTimeout), nor dead-lettered
        time.sleep(2.5)
        assert receives() == 1
        dlq = local.resolver.refs["DigestDeadLetterQueue"]
        assert "Messages" not in sqs.receive_message(QueueUrl=dlq, WaitTimeSeconds=0)
