"""Dead-lettered articles have a way back (issue 11, item 3): when the summarizer's retries are exhausted,
SummarizeFailuresFunction reads the failed stream range back and marks the articles still pending
``failed`` ("summarize retries exhausted"); POST /articles/{id}/summarize puts a failed one back."""

from __future__ import annotations

import copy
import json
from typing import ClassVar

import boto3
from newsdigest.dal.articles import ArticleStore
from newsdigest.dal.content import ContentStore
from newsdigest_local.queues import queue_pollers
from newsdigest_local.streams import StreamPoller

from tests.conftest import load_event

SUMMARIZED = {"ready", "too_short"}


class CrashingStore(ArticleStore):
    """The summarizer dies on the articles named (every attempt), as a bug or a poison record would."""

    crash_ids: ClassVar[set[str]] = set()

    def save_summary(self, article_id, summary, **kwargs):
        if article_id in self.crash_ids and summary.error is None:
            raise RuntimeError("summarizer crashed")
        return super().save_summary(article_id, summary, **kwargs)


def stream_poller(runtime) -> StreamPoller:
    source = runtime.specs["SummarizeFunction"].streams[0]
    return StreamPoller(
        source,
        runtime.resolver.get_att(source.table, "StreamArn"),
        runtime,
        runtime.resolver.refs[source.on_failure_queue],
        retry_delay=0,
    )


def drain(runtime) -> None:
    poller = stream_poller(runtime)
    while poller.poll_once():
        pass
    (failures,) = [
        p
        for p in queue_pollers(runtime, runtime.resolver)
        if p.source.function == "SummarizeFailuresFunction"
    ]
    while failures.poll_once():
        pass


def post(runtime, article: dict) -> str:
    event = copy.deepcopy(load_event("ingest-post-article.json"))
    event["body"] = json.dumps(article)
    response = runtime.invoke("IngestFunction", event)
    assert response["statusCode"] == 201, response
    return json.loads(response["body"])["id"]


def digest(runtime, article_id: str) -> dict:
    event = copy.deepcopy(load_event("api-get-digest.json"))
    event["pathParameters"] = {"article_id": article_id}
    event["path"] = f"/articles/{article_id}/digest"
    return json.loads(runtime.invoke("ApiFunction", event)["body"])


def redrive(runtime, article_id: str) -> dict:
    event = copy.deepcopy(load_event("ingest-redrive-article.json"))
    event["pathParameters"] = {"article_id": article_id}
    event["path"] = f"/articles/{article_id}/summarize"
    return runtime.invoke("IngestFunction", event)


def article(n: int) -> dict:
    body = f"Story {n}. The harbour ferries ran on time all week. Officials said fares would not change."
    return {"title": f"Story {n}", "format": "text", "url": f"https://example.com/redrive/{n}", "body": body}


def test_exhausted_retries_mark_the_article_failed_and_a_redrive_brings_it_back(aws, fakes):
    # Given a summarizer that crashes on one article of a batch, every time
    env = aws.environment
    store = CrashingStore(env["ARTICLES_TABLE"], content=ContentStore(env["CONTENT_BUCKET"]))
    fakes(article_store=store)
    ids = [post(aws, article(n)) for n in range(3)]
    CrashingStore.crash_ids = {ids[1]}
    # When the stream is processed until the mapping gives up and the failure queue is consumed
    drain(aws)
    # Then the poisoned article is failed with the reason, and its batch neighbours are ready
    statuses = [digest(aws, i)["status"] for i in ids]
    assert statuses[1] == "failed" and {statuses[0], statuses[2]} <= SUMMARIZED
    assert digest(aws, ids[1])["error"] == "summarize retries exhausted"
    # When the bug is fixed and the article is redriven
    CrashingStore.crash_ids = set()
    response = redrive(aws, ids[1])
    assert response["statusCode"] == 202
    assert json.loads(response["body"]) == {"id": ids[1], "status": "pending"}
    assert digest(aws, ids[1])["status"] == "pending"
    drain(aws)
    # Then it ends summarized
    assert digest(aws, ids[1])["status"] in SUMMARIZED


def test_a_dead_lettered_range_never_downgrades_an_article_summarized_since(aws, fakes):
    env = aws.environment
    store = CrashingStore(env["ARTICLES_TABLE"], content=ContentStore(env["CONTENT_BUCKET"]))
    fakes(article_store=store)
    first = post(aws, article(10))
    CrashingStore.crash_ids = {first}
    poller = stream_poller(aws)
    while poller.poll_once():
        pass
    # the article is summarized (e.g. by a redrive) before the failure queue is consumed
    CrashingStore.crash_ids = set()
    assert redrive(aws, first)["statusCode"] == 202
    while poller.poll_once():
        pass
    assert digest(aws, first)["status"] in SUMMARIZED
    drain(aws)
    assert digest(aws, first)["status"] in SUMMARIZED


def test_redrive_of_an_unknown_article_is_a_404(aws):
    assert redrive(aws, "0" * 24)["statusCode"] == 404
    assert redrive(aws, "not-an-id")["statusCode"] == 404
    table = boto3.resource("dynamodb").Table(aws.environment["ARTICLES_TABLE"])
    assert table.scan()["Items"] == []
