"""The feed routes under moto, driven by the events/ files: follow (with the fetcher's rules applied at
once), list, show, unfollow, OPML in and out."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

import boto3
import pytest
from newsdigest.feeds.feed import feed_id
from newsdigest.fetcher import Fetcher

from tests.conftest import load_event
from tests.unit.test_fetcher_ssrf import HOSTILE, RecordingConnector, RecordingResolver

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def call(runtime, function: str, event: dict) -> tuple[int, object, dict]:
    response = runtime.invoke(function, event)
    headers = {k: v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()} | (
        response.get("headers") or {}
    )
    body = response["body"]
    content_type = headers.get("Content-Type", "")
    return response["statusCode"], json.loads(body) if "json" in content_type and body else body, headers


def with_body(event: dict, body: object) -> dict:
    changed = copy.deepcopy(event)
    changed["body"] = json.dumps(body) if not isinstance(body, str) else body
    return changed


def with_feed_id(event: dict, fid: str) -> dict:
    changed = copy.deepcopy(event)
    changed["pathParameters"] = {"feed_id": fid}
    changed["path"] = event["path"].rsplit("/", 1)[0] + f"/{fid}"
    return changed


def feed_items(runtime) -> list[dict]:
    return boto3.resource("dynamodb").Table(runtime.environment["FEEDS_TABLE"]).scan()["Items"]


@pytest.fixture
def offline(aws, fakes):
    """The runtime with a fetcher whose DNS is a fake and whose connector records and refuses."""
    resolver, connector = RecordingResolver(), RecordingConnector()
    fakes(fetcher=Fetcher(resolver=resolver, connector=connector), clock=lambda: NOW)
    return aws, resolver, connector


def test_following_a_feed_twice_gives_the_same_id(offline):
    aws, _, connector = offline
    event = load_event("ingest-post-feed.json")
    status, first, headers = call(aws, "IngestFunction", event)
    submitted = json.loads(event["body"])["url"]
    assert status == 201 and first == {"id": feed_id(submitted), "status": "created"}
    assert headers["Location"] == f"/feeds/{first['id']}"
    # the same feed spelled another way (http, www., a tracking parameter) is the same feed
    other = submitted.replace("https://", "http://www.") + "?utm_source=x"
    status, second, _ = call(aws, "IngestFunction", with_body(event, {"url": other}))
    assert status == 200 and second == {"id": first["id"], "status": "exists"}
    (item,) = feed_items(aws)
    assert item["url"] == submitted and item["source"] == "example-news" and item["poll_minutes"] == 30
    assert item["next_poll_at"] == "2026-11-29T12:00:00Z" and item["due_shard"] in "0123"
    assert connector.attempts == []  # following a feed connects nowhere: the schedule polls it


def test_a_feed_is_shown_listed_exported_and_deleted(offline):
    aws, _, _ = offline
    _, created, _ = call(aws, "IngestFunction", load_event("ingest-post-feed.json"))
    status, feed, _ = call(aws, "ApiFunction", load_event("api-get-feed.json"))
    assert status == 200 and feed["id"] == created["id"]
    assert feed["last_polled_at"] is None and feed["consecutive_errors"] == 0 and feed["entries_seen"] == 0
    assert feed["next_poll_at"] == "2026-11-29T12:00:00Z" and feed["full_text"] == "auto"

    status, page, _ = call(aws, "ApiFunction", load_event("api-list-feeds.json"))
    assert status == 200 and [f["id"] for f in page["items"]] == [created["id"]]
    assert page["next_cursor"] is None

    status, opml, headers = call(aws, "ApiFunction", load_event("api-get-feeds-opml.json"))
    assert status == 200 and headers["Content-Type"].startswith("text/x-opml")
    assert 'xmlUrl="https://news.example.com/feeds/all.atom"' in opml and 'text="example-news"' in opml

    status, _, _ = call(aws, "IngestFunction", load_event("ingest-delete-feed.json"))
    assert status == 204 and feed_items(aws) == []
    status, body, _ = call(aws, "ApiFunction", load_event("api-get-feed.json"))
    assert status == 404 and body["error"]["code"] == "not_found"
    status, body, _ = call(aws, "IngestFunction", load_event("ingest-delete-feed.json"))
    assert status == 404


def test_listing_pages_with_a_signed_cursor(offline):
    aws, _, _ = offline
    event = load_event("ingest-post-feed.json")
    ids = [
        call(aws, "IngestFunction", with_body(event, {"url": f"https://news.example.com/feed/{i}.xml"}))[1][
            "id"
        ]
        for i in range(5)
    ]
    listing = load_event("api-list-feeds.json")
    seen, cursor = [], None
    while True:
        query = {"limit": "2"} | ({"cursor": cursor} if cursor else {})
        page_event = copy.deepcopy(listing) | {"queryStringParameters": query}
        page_event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()}
        status, page, _ = call(aws, "ApiFunction", page_event)
        assert status == 200 and len(page["items"]) <= 2
        seen += [f["id"] for f in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(ids) and len(seen) == 5
    forged = copy.deepcopy(listing) | {"queryStringParameters": {"cursor": "eyJ4IjoxfQ.AAAA"}}
    forged["multiValueQueryStringParameters"] = {"cursor": ["eyJ4IjoxfQ.AAAA"]}
    status, body, _ = call(aws, "ApiFunction", forged)
    assert status == 400 and body["error"]["code"] == "invalid_cursor"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "https://x.example/feed", "poll_minutes": 14}, "poll_minutes"),
        ({"url": "https://x.example/feed", "poll_minutes": 1441}, "poll_minutes"),
        ({"url": "https://x.example/feed", "full_text": "sometimes"}, "full_text"),
        ({"url": "ftp://x.example/feed"}, "url"),
        ({"source": "no url"}, "url"),
        ({"url": "https://x.example/feed", "colour": "blue"}, "colour"),
    ],
)
def test_bad_feed_fields_are_422_naming_them(offline, body, field):
    aws, _, _ = offline
    status, answer, _ = call(aws, "IngestFunction", with_body(load_event("ingest-post-feed.json"), body))
    assert status == 422 and answer["error"]["code"] == "validation_error"
    assert field in {d["field"] for d in answer["error"]["details"]}
    assert feed_items(aws) == []


def test_the_refused_event_names_the_rule_and_stores_nothing(offline):
    aws, _resolver, connector = offline
    status, body, _ = call(aws, "IngestFunction", load_event("ingest-post-feed-refused.json"))
    assert status == 422 and body["error"]["code"] == "url_refused"
    assert "metadata" in body["error"]["message"] and body["error"]["details"][0]["field"] == "url"
    assert connector.attempts == [] and feed_items(aws) == []


def test_every_hostile_url_is_refused_by_post_feeds_without_a_connection(offline):
    """The fetcher's whole hostile table, through the API (one stack for all of them): each a 422 that
    names its rule (or, for what is not even an http(s) URL with a host, the url field), no connection."""
    aws, _, connector = offline
    event = load_event("ingest-post-feed.json")
    by_model = []
    for url, rule in HOSTILE:
        status, body, _ = call(aws, "IngestFunction", with_body(event, {"url": url}))
        assert status == 422, (url, body)
        if body["error"]["code"] == "validation_error":
            assert [d["field"] for d in body["error"]["details"]] == ["url"], (url, body)
            by_model.append(url)
        else:
            assert body["error"]["code"] == "url_refused" and rule in body["error"]["message"], (url, body)
    assert connector.attempts == [] and feed_items(aws) == []
    # the fetcher's rules, not the model's URL pattern, are what refuse the table
    assert len(by_model) < len(HOSTILE) // 4, by_model


OPML_HOSTILE = [
    # billion laughs
    """<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">
    <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]><opml version="2.0"><body>
    <outline text="&lol3;" xmlUrl="https://a.example/feed"/></body></opml>""",
    # external entity
    """<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
    <opml version="2.0"><body><outline text="&xxe;" xmlUrl="https://a.example/feed"/></body></opml>""",
    # parameter entity pulling a remote DTD
    """<?xml version="1.0"?><!DOCTYPE opml SYSTEM "http://169.254.169.254/evil.dtd">
    <opml version="2.0"><body><outline xmlUrl="https://a.example/feed"/></body></opml>""",
    # an undeclared entity
    """<opml version="2.0"><body><outline text="&nbsp;" xmlUrl="https://a.example/feed"/></body></opml>""",
    "not xml at all",
    """<rss version="2.0"><channel><title>a feed, not a feed list</title></channel></rss>""",
]


@pytest.mark.parametrize("document", OPML_HOSTILE)
def test_hostile_or_broken_opml_is_a_422_and_follows_nothing(offline, document):
    aws, resolver, connector = offline
    status, body, _ = call(aws, "IngestFunction", with_body(load_event("ingest-import-opml.json"), document))
    assert status == 422 and body["error"]["details"][0]["field"] == "body", body
    assert feed_items(aws) == [] and resolver.asked == [] and connector.attempts == []


def test_opml_import_gives_one_result_per_feed_outline(offline):
    aws, _, connector = offline
    event = load_event("ingest-import-opml.json")
    status, body, _ = call(aws, "IngestFunction", event)
    assert status == 200 and body["created"] == 2 and body["failed"] == 0
    assert [r["url"] for r in body["results"]] == [
        "https://news.example.com/feeds/all.atom",
        "https://blog.example.org/feed.json",
    ]
    mixed = event["body"].replace(
        '<outline type="rss" text="Example Blog"',
        '<outline xmlUrl="http://10.0.0.5/feed"/><outline xmlUrl="gopher://x.example/"/>'
        '<outline type="rss" text="Example Blog"',
    )
    status, body, _ = call(aws, "IngestFunction", with_body(event, mixed))
    assert status == 200 and (body["created"], body["exists"], body["failed"]) == (0, 2, 2)
    refused, invalid = body["results"][1], body["results"][2]
    assert refused["status"] == "error" and refused["error"]["code"] == "url_refused"
    assert "private" in refused["error"]["message"]
    assert invalid["error"]["code"] == "validation_error"
    assert len(feed_items(aws)) == 2 and connector.attempts == []

    # what GET /feeds.opml exports imports back as the same feeds
    _, exported, _ = call(aws, "ApiFunction", load_event("api-get-feeds-opml.json"))
    status, again, _ = call(aws, "IngestFunction", with_body(event, exported))
    assert status == 200 and again["exists"] == 2 and again["created"] == 0


def test_opml_import_as_json_is_refused_clearly(offline):
    aws, _, _ = offline
    event = load_event("ingest-import-opml.json")
    event["headers"]["Content-Type"] = "image/png"
    event["multiValueHeaders"]["Content-Type"] = ["image/png"]
    status, _body, _ = call(aws, "IngestFunction", event)
    assert status == 415
