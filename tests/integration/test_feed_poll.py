"""Following a feed end to end under moto: POST /feeds, the schedule queues the due feed, the poller polls
it from a server on 127.0.0.1 (started and stopped by each test) and ingests its entries through the same
ingest as POST /articles. Manners (conditional GET, Retry-After) and cost (DynamoDB and HTTP requests per
poll) are measured here."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

import boto3
import pytest
from newsdigest.articles.ids import article_id
from newsdigest.fetcher import Fetcher
from newsdigest_local.queues import sqs_record

from tests.conftest import load_event
from tests.integration.test_fetcher_http import Connections, reply, server  # noqa: F401
from tests.unit.extraction.pages import news_page

T0 = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
LONG = " ".join(["The harbour board met again on Tuesday and talked about boats and budgets."] * 20)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def rss(base: str, entries: list[tuple[str, str, str]]) -> bytes:
    items = "".join(
        f"<item><title>{escape(title)}</title><link>{base}{path}</link><guid>{base}{path}</guid>"
        f"<pubDate>Sun, 29 Nov 2026 08:00:00 GMT</pubDate><description>{escape(text)}</description></item>"
        for path, title, text in entries
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Coastal Gazette</title>'
        f"<link>{base}/</link>{items}</channel></rss>"
    ).encode()


class FeedSite:
    """The feed (with ETag and Last-Modified, 304 on a match) and its pages, on the test server."""

    ETAG = '"v1"'
    MODIFIED = "Sun, 29 Nov 2026 08:00:00 GMT"

    def __init__(self, server) -> None:  # noqa: F811
        self.server = server
        self.body = b""
        self.answer: tuple[int, dict[str, str]] | None = None
        server.routes["/feed.xml"] = self.feed

    def feed(self, h) -> None:
        if self.answer:
            status, headers = self.answer
            reply(h, status, b"", None, **headers)
        elif h.headers.get("If-None-Match") == self.ETAG:
            reply(h, 304, b"", None, ETag=self.ETAG)
        else:
            reply(h, 200, self.body, "application/rss+xml", ETag=self.ETAG, Last_Modified=self.MODIFIED)

    @property
    def url(self) -> str:
        return self.server.url("/feed.xml")

    def feed_requests(self) -> list[dict[str, str]]:
        return [r for r in self.server.requests if r["path"] == "/feed.xml"]


@pytest.fixture
def site(server):  # noqa: F811
    return FeedSite(server)


@pytest.fixture
def dynamodb_calls(aws):
    calls: list[str] = []
    session = boto3._get_default_session()

    def count(model, **kwargs):
        calls.append(model.name)

    session.events.register("before-call.dynamodb", count)
    yield calls
    session.events.unregister("before-call.dynamodb", count)


@pytest.fixture
def world(aws, fakes, site, dynamodb_calls):
    clock = Clock(T0)
    connections = Connections()
    fakes(
        clock=clock,
        fetcher=Fetcher(connector=connections, allow_loopback_ports={site.server.port}, total_timeout=5),
    )
    return World(aws, clock, site, connections, dynamodb_calls)


class World:
    def __init__(self, runtime, clock, site, connections, dynamodb_calls) -> None:
        self.runtime, self.clock, self.site = runtime, clock, site
        self.connections, self.dynamodb_calls = connections, dynamodb_calls
        self.sqs = boto3.client("sqs")
        self.queue_url = runtime.environment["FEED_QUEUE_URL"]

    def follow(self, full_text: str = "never", poll_minutes: int = 30) -> str:
        event = copy.deepcopy(load_event("ingest-post-feed.json"))
        event["body"] = json.dumps(
            {"url": self.site.url, "full_text": full_text, "poll_minutes": poll_minutes}
        )
        response = self.runtime.invoke("IngestFunction", event)
        assert response["statusCode"] == 201, response["body"]
        return json.loads(response["body"])["id"]

    def schedule(self) -> dict:
        event = dict(load_event("feed-schedule.json"), scheduled_time=self.clock.now.isoformat())
        return self.runtime.invoke("FeedScheduleFunction", event)

    def jobs(self) -> dict:
        messages = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get(
            "Messages", []
        )
        arn = self.sqs.get_queue_attributes(QueueUrl=self.queue_url, AttributeNames=["QueueArn"])
        return {"Records": [sqs_record(m, arn["Attributes"]["QueueArn"]) for m in messages]}

    def poll_round(self) -> tuple[dict, dict, dict]:
        """The schedule runs, then the poller takes the jobs it queued: (schedule result, poll result,
        the SQS event)."""
        scheduled = self.schedule()
        event = self.jobs()
        if not event["Records"]:
            return scheduled, {}, event
        polled = self.runtime.invoke("FeedPollFunction", event)
        for record in event["Records"]:
            self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=record["receiptHandle"])
        return scheduled, polled, event

    def feed(self, fid: str) -> dict:
        event = copy.deepcopy(load_event("api-get-feed.json"))
        event["pathParameters"] = {"feed_id": fid}
        event["path"] = f"/feeds/{fid}"
        return json.loads(self.runtime.invoke("ApiFunction", event)["body"])

    def articles(self) -> dict[str, dict]:
        table = boto3.resource("dynamodb").Table(self.runtime.environment["ARTICLES_TABLE"])
        return {item["id"]: item for item in table.scan()["Items"]}


def test_a_followed_feed_is_polled_and_its_entries_ingested_like_posted_articles(world):
    base = world.site.server.url("")
    world.site.body = rss(base, [("/a", "First story", LONG), ("/b", "Second story", LONG + " More.")])
    fid = world.follow()

    scheduled, polled, event = world.poll_round()

    assert scheduled["queued"] == 1 and len(event["Records"]) == 1 and polled == {"batchItemFailures": []}
    articles = world.articles()
    assert set(articles) == {
        article_id(url=f"{base}/a", title="", body=""),
        article_id(url=f"{base}/b", title="", body=""),
    }
    first = articles[article_id(url=f"{base}/a", title="", body="")]
    assert (
        first["title"] == "First story" and first["format"] == "text" and first["source"] == "Coastal Gazette"
    )
    assert first["published_at"].startswith("2026-11-29T08:00:00") and first["summary_status"] == "pending"
    feed = world.feed(fid)
    assert feed["title"] == "Coastal Gazette" and feed["last_status"] == 200 and feed["last_error"] is None
    assert (feed["entries_seen"], feed["entries_ingested"], feed["consecutive_errors"]) == (2, 2, 0)
    assert feed["last_polled_at"] == "2026-11-29T12:00:00Z" and feed["next_poll_at"] == "2026-11-29T12:30:00Z"
    # not due yet: the next run queues nothing
    world.clock.now = T0 + timedelta(minutes=10)
    assert world.schedule()["queued"] == 0


def test_a_changed_entry_is_updated_and_summarized_again_and_an_unchanged_one_writes_nothing(world):
    base = world.site.server.url("")
    world.site.body = rss(base, [("/a", "First story", LONG), ("/b", "Second story", LONG)])
    world.follow()
    world.poll_round()
    before = world.articles()
    aid = article_id(url=f"{base}/a", title="", body="")
    table = boto3.resource("dynamodb").Table(world.runtime.environment["ARTICLES_TABLE"])
    table.update_item(
        Key={"id": aid}, UpdateExpression="SET summary_status = :r", ExpressionAttributeValues={":r": "ready"}
    )

    world.site.body = rss(
        base, [("/a", "First story", LONG + " A correction."), ("/b", "Second story", LONG)]
    )
    world.site.ETAG = '"v2"'
    world.clock.now = T0 + timedelta(minutes=31)
    world.dynamodb_calls.clear()
    world.poll_round()

    after = world.articles()
    assert after[aid]["summary_status"] == "pending" and after[aid]["body"].endswith("A correction.")
    other = article_id(url=f"{base}/b", title="", body="")
    assert after[other] == before[other]  # the unchanged entry: not even a conditional write
    assert world.dynamodb_calls.count("UpdateItem") == 2  # the changed article + the poll state


def test_second_poll_of_an_unchanged_feed_is_one_conditional_get_and_one_write(world):
    """Cost and manners: the second poll sends both validators, gets a 304, and writes only the poll state."""
    base = world.site.server.url("")
    world.site.body = rss(base, [(f"/{i}", f"Story {i}", LONG) for i in range(3)])
    fid = world.follow()
    world.poll_round()
    articles = world.articles()

    world.clock.now = T0 + timedelta(minutes=31)
    world.dynamodb_calls.clear()
    requests_before = len(world.site.feed_requests())
    _, _polled, _ = world.poll_round()

    second = world.site.feed_requests()[requests_before:]
    assert len(second) == 1  # one HTTP request in all
    assert second[0]["if-none-match"] == '"v1"' and second[0]["if-modified-since"] == FeedSite.MODIFIED
    assert second[0]["user-agent"].startswith("newsdigest/") and "#readme" in second[0]["user-agent"]
    # the poller's DynamoDB requests: the one conditional write of the poll state (the schedule's one Query
    # per Due shard is the schedule's, not the poll's)
    poll_calls = [c for c in world.dynamodb_calls if c != "Query"]
    assert poll_calls == ["UpdateItem"], world.dynamodb_calls
    assert world.dynamodb_calls.count("Query") == 4  # the schedule: one Query per Due shard
    assert world.articles() == articles
    feed = world.feed(fid)
    assert (
        feed["last_status"] == 304
        and feed["entries_seen"] == 3
        and feed["next_poll_at"] == "2026-11-29T13:01:00Z"
    )


def test_a_feed_answering_429_with_retry_after_an_hour_is_not_polled_within_the_hour(world):
    base = world.site.server.url("")
    world.site.body = rss(base, [("/a", "First story", LONG)])
    fid = world.follow(poll_minutes=15)
    world.site.answer = (429, {"Retry_After": "3600"})
    world.poll_round()
    feed = world.feed(fid)
    assert feed["last_status"] == 429 and feed["consecutive_errors"] == 1
    assert "Retry-After" not in feed["last_error"] and "3600" in feed["last_error"]
    assert feed["next_poll_at"] == "2026-11-29T13:00:00Z"

    world.site.answer = None
    requests = len(world.site.feed_requests())
    for minutes in range(5, 60, 5):  # every schedule run of the hour
        world.clock.now = T0 + timedelta(minutes=minutes)
        scheduled, _, _ = world.poll_round()
        assert scheduled["queued"] == 0
    assert len(world.site.feed_requests()) == requests
    world.clock.now = T0 + timedelta(hours=1)
    scheduled, _, _ = world.poll_round()
    assert scheduled["queued"] == 1 and world.feed(fid)["last_status"] == 200


def test_fifty_new_entries_cost_one_get_and_fifty_one_writes(world):
    base = world.site.server.url("")
    world.site.body = rss(base, [(f"/n{i}", f"Story {i}", LONG + f" Number {i}.") for i in range(50)])
    world.follow()
    world.dynamodb_calls.clear()
    requests_before = len(world.site.server.requests)

    _, polled, _ = world.poll_round()

    poll_calls = [c for c in world.dynamodb_calls if c != "Query"]
    assert poll_calls == ["UpdateItem"] * 51  # 50 articles + the poll state
    assert len(world.site.server.requests) - requests_before == 1
    assert polled == {"batchItemFailures": []} and len(world.articles()) == 50


def test_teaser_entries_fetch_their_page_and_store_its_article(world):
    base = world.site.server.url("")
    world.site.server.routes["/news/ferries"] = lambda h: reply(h, 200, news_page().encode(), "text/html")
    world.site.body = rss(base, [("/news/ferries", "", "The board voted for electric ferries… Read more")])
    world.follow(full_text="auto")
    world.poll_round()
    (article,) = world.articles().values()
    assert article["format"] == "markdown" and article["title"] == "Town votes for electric ferries"
    assert "## How the trial went" in article["body"] and "Related stories" not in article["body"]
    assert article["url"] == f"{base}/news/ferries"


def test_full_text_never_keeps_the_teaser_and_fetches_no_page(world):
    base = world.site.server.url("")
    world.site.server.routes["/news/ferries"] = lambda h: reply(h, 200, news_page().encode(), "text/html")
    world.site.body = rss(
        base, [("/news/ferries", "Ferries", "The board voted for electric ferries… Read more")]
    )
    world.follow(full_text="never")
    world.poll_round()
    (article,) = world.articles().values()
    assert article["format"] == "text" and article["body"].startswith("The board voted")
    assert [r["path"] for r in world.site.server.requests] == ["/feed.xml"]


def test_a_duplicate_job_writes_nothing(world):
    base = world.site.server.url("")
    world.site.body = rss(base, [("/a", "First story", LONG)])
    fid = world.follow()
    world.schedule()
    world.schedule()  # a retried run queues the same feed again
    event = world.jobs()
    assert len(event["Records"]) == 2
    world.runtime.invoke("FeedPollFunction", event)
    feed = world.feed(fid)
    assert feed["entries_seen"] == 1 and feed["entries_ingested"] == 1  # counted once


def test_a_poll_that_fails_is_reported_for_that_job_only(world):
    base = world.site.server.url("")
    world.site.body = rss(base, [("/a", "First story", LONG)])
    world.follow()
    world.schedule()
    event = world.jobs()
    broken = copy.deepcopy(event["Records"][0]) | {"messageId": "broken", "body": "{not json"}
    event["Records"].append(broken)
    result = world.runtime.invoke("FeedPollFunction", event)
    assert result == {"batchItemFailures": [{"itemIdentifier": "broken"}]}
    assert len(world.articles()) == 1


def test_the_event_files_run_as_they_are(aws, fakes):
    from tests.unit.test_fetcher_ssrf import RecordingConnector, RecordingResolver

    connector = RecordingConnector()
    fakes(fetcher=Fetcher(resolver=RecordingResolver(), connector=connector))
    assert aws.invoke("FeedScheduleFunction", load_event("feed-schedule.json"))["queued"] == 0
    # the job's feed is not in the table: polled (news.example.com does not resolve here), nothing written
    assert aws.invoke("FeedPollFunction", load_event("feed-poll-sqs.json")) == {"batchItemFailures": []}
    response = aws.invoke("IngestFunction", load_event("ingest-post-article-url.json"))
    assert response["statusCode"] == 502 and "does not resolve" in response["body"]
    assert connector.attempts == []


def test_a_moved_feed_is_polled_at_its_new_url_and_a_gone_one_is_marked(world):
    from tests.integration.test_fetcher_http import redirect

    base = world.site.server.url("")
    world.site.body = rss(base, [("/a", "First story", LONG)])
    world.site.server.routes["/old.xml"] = redirect(301, "/feed.xml")
    event = copy.deepcopy(load_event("ingest-post-feed.json"))
    event["body"] = json.dumps({"url": world.site.server.url("/old.xml"), "poll_minutes": 15})
    fid = json.loads(world.runtime.invoke("IngestFunction", event)["body"])["id"]
    world.poll_round()
    assert world.feed(fid)["url"] == world.site.url and len(world.articles()) == 1

    world.site.answer = (410, {})
    world.clock.now = T0 + timedelta(minutes=16)
    world.poll_round()
    feed = world.feed(fid)
    assert feed["gone"] is True and feed["last_status"] == 410 and "gone" in feed["last_error"]
    assert feed["next_poll_at"] == "2026-11-30T12:16:00Z"  # still tried, once a day


def test_a_feed_redirecting_to_the_metadata_address_is_refused_without_connecting(world):
    from tests.integration.test_fetcher_http import redirect

    world.site.server.routes["/feed.xml"] = redirect(302, "http://169.254.169.254/latest/meta-data/")
    fid = world.follow()
    _, polled, _ = world.poll_round()
    feed = world.feed(fid)
    assert polled == {"batchItemFailures": []} and feed["consecutive_errors"] == 1
    assert "metadata" in feed["last_error"] and feed["last_status"] is None
    assert set(world.connections.made) == {("127.0.0.1", world.site.server.port)}
    assert world.articles() == {}


def test_a_job_is_not_started_without_the_time_to_finish_it(world):
    from newsdigest.feeds.runs import PollPostponed, poll_and_ingest
    from newsdigest.wiring import services

    base = world.site.server.url("")
    world.site.body = rss(base, [("/a", "First story", LONG)])
    world.follow()
    world.schedule()
    (record,) = world.jobs()["Records"]
    from newsdigest.feeds.feed import FeedJob

    job = FeedJob.model_validate_json(record["body"])
    stores = {"articles": services.article_store, "feeds": services.feed_store}
    with pytest.raises(PollPostponed):
        poll_and_ingest(
            job, fetcher=services.fetcher, clock=world.clock, time_left_ms=lambda: 20_000, **stores
        )
    assert world.site.feed_requests() == [] and world.articles() == {}


def test_a_long_entry_goes_to_the_content_bucket_like_a_posted_article(world):
    from newsdigest.config import MAX_INLINE_CONTENT_BYTES

    base = world.site.server.url("")
    long_text = " ".join([LONG] * (MAX_INLINE_CONTENT_BYTES // len(LONG) + 2))
    world.site.body = rss(base, [("/long", "A long story", long_text)])
    world.follow()
    _, polled, _ = world.poll_round()
    assert polled == {"batchItemFailures": []}
    (item,) = world.articles().values()
    # the item holds the claim check, the bucket the body (as for POST /articles)
    assert "body" not in item and item["content_key"] and item["content_sha256"]
    s3 = boto3.client("s3")
    bucket = world.runtime.environment["CONTENT_BUCKET"]
    stored = json.loads(s3.get_object(Bucket=bucket, Key=item["content_key"])["Body"].read())
    assert (
        stored["body"].startswith("The harbour board") and len(stored["body"]) > MAX_INLINE_CONTENT_BYTES // 2
    )
    event = copy.deepcopy(load_event("api-get-article.json"))
    event["pathParameters"] = {"article_id": item["id"]}
    event["path"] = f"/articles/{item['id']}"
    response = world.runtime.invoke("ApiFunction", event)
    assert response["statusCode"] == 200 and json.loads(response["body"])["body"] == stored["body"]


def test_an_entry_with_a_lone_surrogate_is_not_stored_and_the_others_are(world):
    base = world.site.server.url("")
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Coastal \udfff Gazette",  # the feed's own title: kept, the surrogate replaced
        "items": [
            {"id": "1", "url": f"{base}/bad", "title": "Bad", "content_text": "Broken \udfff text. " + LONG},
            {"id": "2", "url": f"{base}/good", "title": "Good", "content_text": LONG},
        ],
    }
    body = json.dumps(feed).encode()  # ensure_ascii: the lone surrogate is sent as the escape \udfff
    assert b"\\udfff" in body
    world.site.server.routes["/feed.xml"] = lambda h: reply(h, 200, body, "application/feed+json")
    fid = world.follow()
    _, polled, _ = world.poll_round()
    assert polled == {"batchItemFailures": []}
    (item,) = world.articles().values()
    assert item["url"] == f"{base}/good" and item["title"] == "Good"
    assert item["source"] == "Coastal \ufffd Gazette"
    feed = world.feed(fid)
    assert feed["title"] == "Coastal \ufffd Gazette" and feed["last_status"] == 200
    assert (feed["entries_seen"], feed["entries_ingested"]) == (2, 1)
