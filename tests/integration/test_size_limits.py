"""Every accepted article fits its DynamoDB item by construction and ends summarized (issue 11, item 2):
content over the inline limit goes to the content bucket (claim check), the outline is capped, and the
body limit is the one a Lambda request and response can carry."""

from __future__ import annotations

import copy
import json

import boto3
import pytest
from newsdigest.config import (
    MAX_BODY_BYTES,
    MAX_INLINE_CONTENT_BYTES,
    MAX_OUTLINE_ENTRIES,
)
from newsdigest_local.streams import StreamPoller

from tests.conftest import load_event

ITEM_LIMIT = 400 * 1024
SENTENCE = "The harbour authority said the ferries would run on time from next spring onwards. "


def table(runtime):
    return boto3.resource("dynamodb").Table(runtime.environment["ARTICLES_TABLE"])


def bucket_keys(runtime) -> list[str]:
    s3 = boto3.client("s3")
    listing = s3.list_objects_v2(Bucket=runtime.environment["CONTENT_BUCKET"])
    return [o["Key"] for o in listing.get("Contents", [])]


def post(runtime, article: dict) -> tuple[int, dict]:
    event = copy.deepcopy(load_event("ingest-post-article.json"))
    event["body"] = json.dumps(article)
    response = runtime.invoke("IngestFunction", event)
    return response["statusCode"], json.loads(response["body"])


def call(runtime, function: str, name: str, article_id: str, method: str | None = None) -> dict:
    event = copy.deepcopy(load_event(name))
    event["pathParameters"] = {"article_id": article_id}
    event["path"] = event["resource"].replace("{article_id}", article_id)
    if method:
        event["httpMethod"] = method
    return runtime.invoke(function, event)


def item_size(item: dict) -> int:
    """DynamoDB's item size, near enough: UTF-8 names plus values (numbers and nesting cost a little)."""
    return len(json.dumps(item, default=str, ensure_ascii=False).encode())


def summarize(runtime) -> None:
    source = runtime.specs["SummarizeFunction"].streams[0]
    poller = StreamPoller(
        source,
        runtime.resolver.get_att(source.table, "StreamArn"),
        runtime,
        runtime.resolver.refs[source.on_failure_queue],
        retry_delay=0,
    )
    while poller.poll_once():
        pass


def text_article(size: int, url: str) -> dict:
    body = (SENTENCE * (size // len(SENTENCE) + 1))[: size - 1] + "."
    return {"title": "Ferries", "format": "text", "url": url, "body": body}


def test_content_just_under_the_inline_limit_stays_in_the_item(aws):
    # body and text are the same for text: the JSON {"body","text"} is about twice the body
    article = text_article(MAX_INLINE_CONTENT_BYTES // 2 - 100, "https://example.com/inline")
    status, created = post(aws, article)
    assert status == 201
    item = table(aws).get_item(Key={"id": created["id"]})["Item"]
    assert item["body"] == article["body"] and "content_key" not in item
    assert bucket_keys(aws) == []


def test_content_over_the_inline_limit_goes_to_the_bucket_and_reads_back(aws):
    article = text_article(MAX_INLINE_CONTENT_BYTES // 2 + 100, "https://example.com/offloaded")
    status, created = post(aws, article)
    assert status == 201
    item = table(aws).get_item(Key={"id": created["id"]})["Item"]
    # the item holds the pointer and the checksum, not the body
    assert "body" not in item and "text" not in item
    assert [item["content_key"]] == bucket_keys(aws)
    s3 = boto3.client("s3")
    bucket = aws.environment["CONTENT_BUCKET"]
    stored = s3.get_object(Bucket=bucket, Key=item["content_key"])["Body"].read()
    import hashlib

    assert hashlib.sha256(stored).hexdigest() == item["content_sha256"]
    # the object the item points at is no longer tagged for the orphan rule
    assert s3.get_object_tagging(Bucket=bucket, Key=item["content_key"])["TagSet"] == []
    # reads and the summarizer see the body
    response = call(aws, "ApiFunction", "api-get-article.json", created["id"])
    assert response["statusCode"] == 200 and json.loads(response["body"])["body"] == article["body"]
    summarize(aws)
    digest = json.loads(call(aws, "ApiFunction", "api-get-digest.json", created["id"])["body"])
    assert digest["status"] == "ready"


def test_a_new_version_and_a_delete_remove_the_old_objects(aws):
    article = text_article(MAX_INLINE_CONTENT_BYTES, "https://example.com/versions")
    _, created = post(aws, article)
    (first_key,) = bucket_keys(aws)
    # an unchanged re-post leaves exactly the one object
    assert post(aws, article)[1]["status"] == "unchanged"
    assert bucket_keys(aws) == [first_key]
    # a new version replaces it
    assert post(aws, {**article, "body": article["body"] + " More."})[1]["status"] == "updated"
    (second_key,) = bucket_keys(aws)
    assert second_key != first_key
    # a new version small enough to be inline leaves no object
    assert post(aws, {**article, "body": "Short now."})[1]["status"] == "updated"
    assert bucket_keys(aws) == []
    post(aws, {**article, "body": article["body"] + " Again."})
    assert len(bucket_keys(aws)) == 1
    assert call(aws, "IngestFunction", "ingest-delete-article.json", created["id"])["statusCode"] == 204
    assert bucket_keys(aws) == []


def test_the_body_limit_accepts_a_page_at_the_limit_and_refuses_one_byte_more(aws):
    at_limit = text_article(MAX_BODY_BYTES, "https://example.com/at-limit")
    assert len(at_limit["body"].encode()) == MAX_BODY_BYTES
    status, created = post(aws, at_limit)
    assert status == 201, created
    item = table(aws).get_item(Key={"id": created["id"]})["Item"]
    assert item_size(item) < 10_000
    status, refused = post(aws, {**at_limit, "body": at_limit["body"] + "x"})
    assert status == 413 and str(MAX_BODY_BYTES) in refused["error"]["message"]


def test_1380_h2_sections_end_ready_with_a_capped_outline(aws):
    # Given the page from the issue: 1,380 <h2> sections, ~147 kB of HTML
    para = (
        "<p>The council voted on the plan on Tuesday, after a long debate. It passed by a narrow margin.</p>"
    )
    html = "<html><body>" + "".join(f"<h2>Part {i}</h2>{para}" for i in range(1380)) + "</body></html>"
    assert 140_000 < len(html) < 200_000
    status, created = post(aws, {"title": "A long page", "format": "html", "body": html})
    assert status == 201
    # When it is summarized
    summarize(aws)
    # Then it is ready, the outline holds the first sections, and the item fits with room to spare
    digest = json.loads(call(aws, "ApiFunction", "api-get-digest.json", created["id"])["body"])
    assert digest["status"] == "ready"
    assert len(digest["outline"]) == MAX_OUTLINE_ENTRIES and digest["outline_sections"] >= 1380
    item = table(aws).get_item(Key={"id": created["id"]})["Item"]
    assert "content_key" in item and item_size(item) < ITEM_LIMIT // 2


def test_an_offloaded_body_that_vanished_ends_failed_with_the_reason(aws):
    _, created = post(aws, text_article(MAX_INLINE_CONTENT_BYTES, "https://example.com/vanished"))
    (key,) = bucket_keys(aws)
    boto3.client("s3").delete_object(Bucket=aws.environment["CONTENT_BUCKET"], Key=key)
    summarize(aws)
    digest = json.loads(call(aws, "ApiFunction", "api-get-digest.json", created["id"])["body"])
    assert digest["status"] == "failed" and "missing" in digest["error"]


@pytest.mark.parametrize("wide", ["a", "\U0001f600"])
def test_the_worst_case_item_fits_by_construction(wide):
    """Every field at its cap, in 1- and 4-byte characters: the stored item stays under 400 KB."""
    from newsdigest.articles.models import Article, ArticleSummary, OutlineItem, SpanOut
    from newsdigest.config import (
        MAX_DIGEST_SPAN_CHARS,
        MAX_GIST_CHARS,
        MAX_HEADING_CHARS,
        MAX_KEYWORD_CHARS,
        MAX_KEYWORDS,
        MAX_SOURCE_CHARS,
        MAX_TITLE_CHARS,
        MAX_URL_CHARS,
    )

    def span(n: int) -> SpanOut:
        return SpanOut(text=wide * n, start=0, end=n)

    summary = ArticleSummary(
        status="ready",
        digest=[span(MAX_DIGEST_SPAN_CHARS)] * 10,
        outline=[OutlineItem(heading=wide * MAX_HEADING_CHARS, gist=span(MAX_GIST_CHARS))]
        * MAX_OUTLINE_ENTRIES,
        keywords=[wide * MAX_KEYWORD_CHARS] * MAX_KEYWORDS,
        content_hash="0" * 64,
        language="en",
    )
    inline = "b" * MAX_INLINE_CONTENT_BYTES  # content at the inline limit
    url = "https://example.com/" + wide * (MAX_URL_CHARS - 20)
    item = {
        "id": "0" * 24,
        "title": wide * MAX_TITLE_CHARS,
        "body": inline,
        "url": url,
        "canonical_url": url,
        "source": wide * MAX_SOURCE_CHARS,
        "summary": summary.model_dump(mode="json"),
        "content_hash": "0" * 64,
        "feed": "articles",
        "ingested_key": "2026-11-29T00:00:00.000000Z#" + "0" * 24,
    }
    assert Article  # the stored shape is dal/articles.py's; this is its largest form
    assert item_size(item) < ITEM_LIMIT
