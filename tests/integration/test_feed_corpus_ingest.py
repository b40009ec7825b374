"""The feedparser corpus through the whole poll path, served from 127.0.0.1:

- every file through ``poll_and_ingest`` (fetch, parse, entries -> articles through the articles' own
  ``ingest_article``, the poll-state write) with in-memory stores: zero crashes; each file gives articles
  or a clear feed error; a second poll writes no article;
- a bounded sample through the Lambda handlers under moto (POST /feeds, FeedScheduleFunction,
  FeedPollFunction): no failed job, every feed polled.

Teaser entries (``full_text: auto``) link to hosts that do not resolve here (the test's resolver knows no
name), so their pages are refused quickly and the entry's own text is used: no test reaches the internet.
"""

from __future__ import annotations

import copy
import hashlib
import json
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import boto3
import pytest
from newsdigest.articles.models import Article, IngestStatus
from newsdigest.feeds.feed import Feed, FeedJob, feed_id
from newsdigest.feeds.polling import PollState
from newsdigest.feeds.runs import poll_and_ingest
from newsdigest.fetcher import Fetcher
from newsdigest_local.queues import sqs_record

from tests.conftest import load_event
from tests.integration.test_feed_polling_http import CorpusServer
from tests.unit.test_feed_corpus import CORPUS, EXECUTABLE

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
pytestmark = pytest.mark.skipif(CORPUS is None, reason="../shared/feeds/feedparser-corpus is not here")


@pytest.fixture
def corpus_server() -> Iterator[CorpusServer]:
    assert CORPUS is not None
    server = CorpusServer(CORPUS.resolve())
    thread = threading.Thread(target=server.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()
        thread.join(5)


def no_dns(host: str) -> list[str]:
    raise socket.gaierror(socket.EAI_NONAME, "no DNS in tests")


class Articles:
    """The articles table's conditional write, in memory: same id and hash -> unchanged."""

    def __init__(self) -> None:
        self.items: dict[str, Article] = {}
        self.writes = 0

    def put_article(self, article: Article) -> IngestStatus:
        old = self.items.get(article.id)
        if old is not None and old.content_hash == article.content_hash:
            return "unchanged"
        self.writes += 1
        self.items[article.id] = article
        return "updated" if old else "created"


class Feeds:
    def __init__(self) -> None:
        self.saved: dict[str, dict] = {}

    def save_poll(self, feed_id: str, state: PollState, **fields) -> bool:
        self.saved[feed_id] = {"state": state, **fields}
        return True


def files() -> list[Path]:
    assert CORPUS is not None
    return sorted(p.resolve() for p in CORPUS.rglob("*") if p.is_file() and p.suffix in (".xml", ".json"))


def feed_for(url: str, full_text: str = "auto") -> Feed:
    return Feed(
        id=feed_id(url), url=url, submitted_url=url, full_text=full_text, created_at=NOW, next_poll_at=NOW
    )  # type: ignore[arg-type]


def test_every_corpus_file_through_poll_and_ingest(corpus_server):
    fetcher = Fetcher(resolver=no_dns, allow_loopback_ports={corpus_server.port}, total_timeout=10)
    feeds = Feeds()
    outcomes: Counter[str] = Counter()
    second: list[tuple[Feed, dict, Articles]] = []
    corpus = files()
    stored: list[Article] = []
    for path in corpus:
        feed = feed_for(corpus_server.url(path))
        articles = Articles()  # each feed on its own: the corpus's files share links and texts
        report = poll_and_ingest(FeedJob(feed=feed, scheduled_time=NOW), fetcher=fetcher, articles=articles,
                                 feeds=feeds, clock=lambda: NOW)  # fmt: skip
        saved = feeds.saved[feed.id]
        if report.outcome == "fetched":
            assert saved["state"].last_status == 200 and report.deferred == 0
            assert len(saved["fingerprints"]) == report.entries
            assert report.ingested == len(articles.items) == articles.writes
            if report.ingested:
                outcomes["articles"] += 1
            else:  # entries with no text at all (a title, an author...) are not articles
                assert report.failed == report.entries, path
                outcomes["entries without text" if report.entries else "valid feed, no entries"] += 1
            second.append((feed, saved, articles))
            stored += articles.items.values()
        else:
            assert report.outcome == "error" and saved["state"].last_error, path
            outcomes["clear feed error"] += 1
    assert sum(outcomes.values()) == len(corpus) > 2000 and outcomes["articles"] > 300, outcomes
    # what is stored is text: no article body or title holds markup that would run if shown unescaped...
    # except as text the entry itself spelled out (escaped markup in the feed), which the pages escape
    for article in stored:
        assert article.format == "text" and article.body.strip() and article.title.strip()
    print(dict(outcomes), len(stored), "articles")

    # the second poll of every feed that was read: 304, not one article write
    later = NOW + timedelta(hours=2)
    for feed, saved, articles in second:
        writes = articles.writes
        state = saved["state"]
        polled = feed.model_copy(
            update={
                "etag": state.etag,
                "last_modified": state.last_modified,
                "next_poll_at": state.next_poll_at,
                "entry_fingerprints": saved["fingerprints"],
            }
        )
        report = poll_and_ingest(FeedJob(feed=polled, scheduled_time=later), fetcher=fetcher,
                                 articles=articles, feeds=feeds, clock=lambda: later)  # fmt: skip
        assert report.outcome == "not_modified" and report.status == 304 and articles.writes == writes


def test_sanitize_cases_store_no_executable_markup_as_markup(corpus_server):
    """The sanitize cases: whatever an entry's HTML held, the stored article is text from html_to_text;
    markup only survives as the text an entry spelled out with entities."""
    assert CORPUS is not None
    fetcher = Fetcher(resolver=no_dns, allow_loopback_ports={corpus_server.port}, total_timeout=10)
    feeds = Feeds()
    cases = sorted((CORPUS / "wellformed" / "sanitize").resolve().glob("*.xml"))
    with_articles, unsafe = 0, []
    for path in cases:
        articles = Articles()
        feed = feed_for(corpus_server.url(path), full_text="never")
        poll_and_ingest(FeedJob(feed=feed, scheduled_time=NOW), fetcher=fetcher, articles=articles,
                        feeds=feeds, clock=lambda: NOW)  # fmt: skip
        with_articles += bool(articles.items)
        unsafe += [
            f"{path.name}: {a.body[:100]!r}" for a in articles.items.values()
            if EXECUTABLE.search(a.body) or EXECUTABLE.search(a.title)
        ]  # fmt: skip
    assert with_articles > 150 and unsafe == []


def sample(n: int) -> list[Path]:
    return sorted(files(), key=lambda p: hashlib.sha256(p.name.encode()).hexdigest())[:n]


def test_a_sample_of_the_corpus_through_the_lambda_handlers(aws, fakes, corpus_server):
    fakes(fetcher=Fetcher(resolver=no_dns, allow_loopback_ports={corpus_server.port}, total_timeout=10),
          clock=lambda: NOW)  # fmt: skip
    post = load_event("ingest-post-feed.json")
    chosen = sample(60)
    for path in chosen:
        event = copy.deepcopy(post)
        event["body"] = json.dumps({"url": corpus_server.url(path), "full_text": "auto"})
        assert aws.invoke("IngestFunction", event)["statusCode"] == 201
    scheduled = aws.invoke(
        "FeedScheduleFunction", dict(load_event("feed-schedule.json"), scheduled_time=NOW.isoformat())
    )
    assert scheduled["queued"] == len(chosen)
    sqs = boto3.client("sqs")
    queue = aws.environment["FEED_QUEUE_URL"]
    arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    polled = 0
    while messages := sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=5).get("Messages", []):
        result = aws.invoke("FeedPollFunction", {"Records": [sqs_record(m, arn) for m in messages]})
        assert result == {"batchItemFailures": []}
        for m in messages:
            sqs.delete_message(QueueUrl=queue, ReceiptHandle=m["ReceiptHandle"])
        polled += len(messages)
    assert polled == len(chosen)
    table = boto3.resource("dynamodb").Table(aws.environment["FEEDS_TABLE"])
    stored = table.scan()["Items"]
    assert len(stored) == len(chosen)
    for item in stored:
        assert item["last_polled_at"] == "2026-11-29T12:00:00Z"
        assert item["last_status"] == 200 or item.get("last_error"), item
    ingested = sum(int(item["entries_ingested"]) for item in stored)
    articles = boto3.resource("dynamodb").Table(aws.environment["ARTICLES_TABLE"]).scan()["Items"]
    assert ingested == len(articles) > 0
