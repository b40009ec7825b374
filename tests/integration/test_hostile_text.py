"""Lone UTF-16 surrogates ("\\udfff" in a JSON string) are not text: every field that carries them is a 422
naming the field, and nothing is written (issue 11, item 1)."""

from __future__ import annotations

import copy
import json

import boto3
import pytest

from tests.conftest import load_event

LONE = "\udfff"


def items(runtime, table: str = "ARTICLES_TABLE") -> list[dict]:
    return boto3.resource("dynamodb").Table(runtime.environment[table]).scan()["Items"]


def invoke(runtime, function: str, event: dict, body: dict) -> tuple[int, dict]:
    changed = copy.deepcopy(event)
    changed["body"] = json.dumps(body)  # ensure_ascii: the surrogate travels as the escape \udfff
    assert "\\udfff" in changed["body"]
    response = runtime.invoke(function, changed)
    return response["statusCode"], json.loads(response["body"])


@pytest.mark.parametrize("field", ["title", "body", "url", "source", "language"])
def test_a_lone_surrogate_in_an_article_field_is_a_422_naming_it_and_stores_nothing(aws, field):
    event = load_event("ingest-post-article.json")
    article = json.loads(event["body"])
    value = {"url": f"https://example.com/{LONE}"}.get(field, f"x{LONE}y")
    status, body = invoke(aws, "IngestFunction", event, {**article, field: value})
    assert status == 422, body
    assert [d["field"] for d in body["error"]["details"]] == [field]
    assert "surrogate" in body["error"]["details"][0]["message"]
    assert items(aws) == []


def test_a_batch_with_a_surrogate_item_answers_per_item_and_no_5xx(aws):
    event = load_event("ingest-post-batch.json")
    articles = json.loads(event["body"])["articles"]
    bad = {**articles[0], "url": "https://example.com/other", "body": f"bad {LONE}"}
    status, body = invoke(aws, "IngestFunction", event, {"articles": [articles[0], bad, articles[1]]})
    assert status == 200, body
    assert [r["status"] for r in body["results"]] == ["created", "error", "created"]
    assert body["results"][1]["error"]["details"][0]["field"] == "body"
    stored = items(aws)
    assert len(stored) == 2 and all(LONE not in json.dumps(i, ensure_ascii=False) for i in stored)
    # every stored item is a whole article, readable back
    for item in stored:
        get = load_event("api-get-article.json")
        get["pathParameters"] = {"article_id": item["id"]}
        get["path"] = f"/articles/{item['id']}"
        assert aws.invoke("ApiFunction", get)["statusCode"] == 200


def test_an_unknown_field_named_with_a_surrogate_is_a_422(aws):
    event = load_event("ingest-post-article.json")
    article = json.loads(event["body"])
    status, body = invoke(aws, "IngestFunction", event, {**article, f"k{LONE}": 1})
    assert status == 422 and body["error"]["code"] == "validation_error"
    assert items(aws) == []


@pytest.mark.parametrize("field", ["email", "timezone", "sources"])
def test_a_lone_surrogate_in_a_subscription_is_a_422_naming_the_field(aws, field):
    event = load_event("subscriptions-post.json")
    request = json.loads(event["body"])
    value = {"email": f"a{LONE}@example.com", "timezone": f"Europe/{LONE}", "sources": [f"s{LONE}"]}[field]
    status, body = invoke(aws, "SubscriptionsFunction", event, {**request, field: value})
    assert status == 422, body
    assert body["error"]["details"][0]["field"].split(".")[0] == field
    assert items(aws, "SUBSCRIBERS_TABLE") == []


def test_a_batch_whose_store_fails_midway_reports_the_unstored_items_not_a_5xx(aws, fakes):
    # Given a store that takes the first article and then fails
    from newsdigest.dal.articles import ArticleStore

    class FlakyStore(ArticleStore):
        calls = 0

        def put_article(self, article):
            FlakyStore.calls += 1
            if FlakyStore.calls > 1:
                raise ConnectionError("the table went away")
            return super().put_article(article)

    fakes(article_store=FlakyStore(aws.environment["ARTICLES_TABLE"]))
    event = load_event("ingest-post-batch.json")
    articles = json.loads(event["body"])["articles"]
    changed = copy.deepcopy(event)
    changed["body"] = json.dumps({"articles": articles})
    # When the batch is posted
    response = aws.invoke("IngestFunction", changed)
    # Then the answer says which article is stored and which is not (retry it), not a bare 500
    body = json.loads(response["body"])
    assert response["statusCode"] == 200, body
    assert [r["status"] for r in body["results"]] == ["created", "error"]
    assert body["results"][1]["error"]["code"] == "not_stored"
    assert len(items(aws)) == 1
