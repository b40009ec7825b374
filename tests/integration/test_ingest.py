"""IngestFunction under moto, driven by the events/ files."""

from __future__ import annotations

import copy
import json

import boto3

from tests.conftest import load_event


def items(runtime) -> list[dict]:
    table = boto3.resource("dynamodb").Table(runtime.environment["ARTICLES_TABLE"])
    return table.scan()["Items"]


def post(runtime, event: dict) -> tuple[int, dict, dict]:
    response = runtime.invoke("IngestFunction", event)
    headers = {k: v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()} | (
        response.get("headers") or {}
    )
    return response["statusCode"], json.loads(response["body"]), headers


def with_body(event: dict, body: dict) -> dict:
    changed = copy.deepcopy(event)
    changed["body"] = json.dumps(body)
    return changed


def test_posting_the_same_article_twice_stores_it_once(aws):
    event = load_event("ingest-post-article.json")
    status, first, headers = post(aws, event)
    assert status == 201 and first["status"] == "created"
    assert headers["Location"] == f"/articles/{first['id']}"
    status, second, _ = post(aws, event)
    assert status == 200 and second == {"id": first["id"], "status": "unchanged"}
    (item,) = items(aws)
    assert item["id"] == first["id"] and item["summary_status"] == "pending"


def test_changed_content_for_the_same_url_updates_and_asks_for_a_new_summary(aws):
    event = load_event("ingest-post-article.json")
    article = json.loads(event["body"])
    _, first, _ = post(aws, event)
    table = boto3.resource("dynamodb").Table(aws.environment["ARTICLES_TABLE"])
    table.update_item(
        Key={"id": first["id"]},
        UpdateExpression="SET summary_status = :r, summary = :s",
        ExpressionAttributeValues={":r": "ready", ":s": {"status": "ready"}},
    )
    original = items(aws)[0]

    status, second, _ = post(
        aws, with_body(event, {**article, "body": article["body"] + "\n\nA late addition."})
    )

    assert status == 200 and second == {"id": first["id"], "status": "updated"}
    (item,) = items(aws)
    assert item["body"].endswith("A late addition.")
    assert item["summary_status"] == "pending" and "summary" not in item
    assert item["ingested_at"] == original["ingested_at"]  # keeps its place in the timeline
    assert item["content_hash"] != original["content_hash"]


def test_invalid_article_gets_422_naming_the_fields_and_stores_nothing(aws):
    status, body, _ = post(aws, load_event("ingest-post-article-invalid.json"))
    assert status == 422
    fields = {d["field"] for d in body["error"]["details"]}
    assert fields == {"title", "format"}
    assert "title" in body["error"]["message"]
    assert items(aws) == []


def test_malformed_json_is_a_400(aws):
    event = load_event("ingest-post-article.json")
    event["body"] = '{"title": "x", '
    status, body, _ = post(aws, event)
    assert status == 400 and body["error"]["code"] == "invalid_json"
    assert items(aws) == []


def test_a_body_over_the_limit_is_a_413_that_says_the_limit(aws):
    event = load_event("ingest-post-article.json")
    article = json.loads(event["body"])
    status, body, _ = post(aws, with_body(event, {**article, "body": "word " * 400_001}))
    assert status == 413
    assert "2000000" in body["error"]["message"]
    assert items(aws) == []


def test_wrong_content_type_is_a_415(aws):
    event = load_event("ingest-post-article.json")
    event["headers"]["Content-Type"] = "text/plain"
    event["multiValueHeaders"]["Content-Type"] = ["text/plain"]
    status, body, _ = post(aws, event)
    assert status == 415 and body["error"]["code"] == "unsupported_media_type"


def test_batch_reports_one_result_per_article(aws):
    event = load_event("ingest-post-batch.json")
    batch = json.loads(event["body"])
    batch["articles"].append({"title": "", "body": "x", "format": "text"})
    batch["articles"].append(batch["articles"][0])  # a repeat inside the batch
    response = aws.invoke("IngestFunction", with_body(event, batch))
    body = json.loads(response["body"])
    assert response["statusCode"] == 200
    assert [r["status"] for r in body["results"]] == ["created", "created", "error", "unchanged"]
    assert body["results"][2]["error"]["details"][0]["field"] == "title"
    assert (body["created"], body["unchanged"], body["failed"]) == (2, 1, 1)
    assert len(items(aws)) == 2


def test_a_batch_over_25_articles_is_refused_whole(aws):
    event = load_event("ingest-post-batch.json")
    article = json.loads(event["body"])["articles"][0]
    response = aws.invoke("IngestFunction", with_body(event, {"articles": [article] * 26}))
    assert response["statusCode"] == 422
    assert json.loads(response["body"])["error"]["details"][0]["field"] == "articles"
    assert items(aws) == []
