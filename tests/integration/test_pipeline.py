"""Ingest -> stream -> summarize -> read, under in-process moto, with the template's event source mapping."""

from __future__ import annotations

import json

import boto3
import pytest
from newsdigest_local.streams import StreamPoller

from tests.conftest import load_event

SAMPLE_HEADINGS = ["How the trial went", "What it will cost", "Will fares go up?", "What comes next"]


def stream_poller(runtime) -> StreamPoller:
    source = runtime.specs["SummarizeFunction"].streams[0]
    queue = runtime.resolver.refs[source.on_failure_queue]
    return StreamPoller(
        source, runtime.resolver.get_att(source.table, "StreamArn"), runtime, queue, retry_delay=0
    )


def get(runtime, event_name: str, **path) -> tuple[int, dict]:
    event = load_event(event_name)
    if path:
        event["pathParameters"] = path
        event["path"] = event["resource"].replace("{article_id}", path["article_id"])
    response = runtime.invoke("ApiFunction", event)
    return response["statusCode"], json.loads(response["body"])


def test_an_ingested_article_gets_its_digest_and_outline(aws):
    # Given an ingested plain-text feature article with short heading lines
    aws.invoke("IngestFunction", load_event("ingest-post-article.json"))
    status, pending = get(aws, "api-get-digest.json")
    assert status == 200 and pending["status"] == "pending"

    # When the stream delivers it to the summarizer
    poller = stream_poller(aws)
    assert poller.poll_once() >= 1

    # Then the digest is ready, every sentence is traceable, and the outline has the article's own headings
    status, digest = get(aws, "api-get-digest.json")
    assert status == 200 and digest["status"] == "ready"
    _, article = get(aws, "api-get-article.json")
    text = article["text"]
    assert 1 <= len(digest["digest"]) <= 3
    for span in digest["digest"] + [o["gist"] for o in digest["outline"] if o["gist"]]:
        assert text[span["start"] : span["end"]] == span["text"]
    assert [o["heading"] for o in digest["outline"]] == [None, *SAMPLE_HEADINGS]
    assert digest["keywords"] and digest["reading_time_minutes"] >= 1


def test_the_summarizers_own_write_is_not_fed_back(aws):
    aws.invoke("IngestFunction", load_event("ingest-post-article.json"))
    poller = stream_poller(aws)
    poller.poll_once()
    delivered = poller.delivered
    assert poller.poll_once() >= 1  # the summary write is on the stream...
    assert poller.delivered == delivered  # ...but the filter keeps it from the function


def test_the_stream_event_file_drives_the_summarizer(aws):
    aws.invoke("IngestFunction", load_event("ingest-post-article.json"))
    result = aws.invoke("SummarizeFunction", load_event("summarize-stream.json"))
    assert result == {"batchItemFailures": []}
    assert get(aws, "api-get-digest.json")[1]["status"] == "ready"


def test_a_summary_of_an_outdated_version_is_not_stored(aws):
    # Given the stream record of the first version, and a newer version already in the table
    aws.invoke("IngestFunction", load_event("ingest-post-article.json"))
    table = boto3.resource("dynamodb").Table(aws.environment["ARTICLES_TABLE"])
    (item,) = table.scan()["Items"]
    table.update_item(
        Key={"id": item["id"]},
        UpdateExpression="SET content_hash = :h",
        ExpressionAttributeValues={":h": "newer"},
    )
    # When the old record is processed, it succeeds without overwriting the newer version's state
    assert aws.invoke("SummarizeFunction", load_event("summarize-stream.json")) == {"batchItemFailures": []}
    assert table.get_item(Key={"id": item["id"]})["Item"]["summary_status"] == "pending"


def test_a_summarizer_bug_marks_the_article_failed_instead_of_retrying_forever(aws, monkeypatch):
    from newsdigest import summarizer

    def broken(*args, **kwargs):
        raise ValueError("cannot parse")

    monkeypatch.setattr(summarizer, "summarize", broken)
    aws.invoke("IngestFunction", load_event("ingest-post-article.json"))
    assert aws.invoke("SummarizeFunction", load_event("summarize-stream.json")) == {"batchItemFailures": []}
    _, digest = get(aws, "api-get-digest.json")
    assert digest["status"] == "failed" and "cannot parse" in digest["error"]


def test_records_that_cannot_be_stored_are_retried_then_dead_lettered(aws, monkeypatch):
    from newsdigest.dal.articles import ArticleStore

    def unavailable(self, article_id, summary):
        raise ConnectionError("DynamoDB unavailable")

    monkeypatch.setattr(ArticleStore, "save_summary", unavailable)
    aws.invoke("IngestFunction", load_event("ingest-post-article.json"))
    poller = stream_poller(aws)
    poller.poll_once()
    assert poller.dead_lettered == 1
    sqs = boto3.client("sqs")
    queue = aws.resolver.refs["SummarizeFailureQueue"]
    (message,) = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    info = json.loads(message["Body"])
    assert info["DDBStreamBatchInfo"]["batchSize"] == 1
    assert (
        info["requestContext"]["approximateInvokeCount"]
        == 1 + aws.specs["SummarizeFunction"].streams[0].max_retries
    )


@pytest.mark.parametrize("bad_id", ["nope", "' OR 1=1 --", '{"$ne": null}', "a" * 3000, "../../etc/passwd"])
def test_unknown_or_hostile_ids_are_404(aws, bad_id):
    status, body = get(aws, "api-get-article.json", article_id=bad_id)
    assert status == 404 and body["error"]["code"] == "not_found"
