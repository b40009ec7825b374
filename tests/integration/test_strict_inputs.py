"""Inputs are what the document says: days are YYYY-MM-DD only, URLs carry no control characters, an email
is never empty; and a raw scheduled event's time is the run's time."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.conftest import load_event


def list_articles(aws, **query: str) -> tuple[int, dict[str, Any]]:
    event = load_event("api-list-articles.json")
    event["queryStringParameters"] = query
    event["multiValueQueryStringParameters"] = {k: [v] for k, v in query.items()}
    response = aws.invoke("ApiFunction", event)
    return response["statusCode"], json.loads(response["body"])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"date": "1795910400"}, "date"),  # seconds since 1970: pydantic alone would take it
        ({"to": "0"}, "to"),
        ({"from": "0"}, "from"),
        ({"date": "0000-00-00"}, "date"),
        ({"date": "0000-01-01"}, "date"),
        ({"date": "2026-02-30"}, "date"),
        ({"date": "20261128"}, "date"),  # ISO basic format: not YYYY-MM-DD
        ({"date": "2026-11-28T00:00:00"}, "date"),
        ({"from": "2026-11-28", "date": "2026-11-28"}, "date"),
    ],
)
def test_days_are_yyyy_mm_dd_only_and_the_422_names_the_field(aws, query, field):
    status, body = list_articles(aws, **query)
    assert status == 422, body
    assert field in [d["field"] for d in body["error"]["details"]]


def test_a_real_day_is_taken(aws):
    assert list_articles(aws, date="2026-11-28")[0] == 200
    assert list_articles(aws, **{"from": "2026-11-01", "to": "2026-11-28"})[0] == 200


@pytest.mark.parametrize("day", ["0000-00-00", "1795910400", "2026-13-01", "2026-02-30.html"])
def test_a_daily_digest_day_is_yyyy_mm_dd_too(aws, day):
    event = load_event("api-get-daily-digest.json")
    event["path"] = f"/digests/{day}"
    event["pathParameters"] = {"day": day}
    response = aws.invoke("ApiFunction", event)
    assert response["statusCode"] == 422
    assert "day" in [d["field"] for d in json.loads(response["body"])["error"]["details"]]


@pytest.mark.parametrize(
    "url", ["https://news.example.com/a\x01b", "https://news.example.com/\x7f", " https://a.example"]
)
def test_a_url_with_control_characters_or_spaces_is_refused(aws, url):
    event = load_event("ingest-post-article.json")
    event["body"] = json.dumps(json.loads(event["body"]) | {"url": url})
    response = aws.invoke("IngestFunction", event)
    assert response["statusCode"] == 422
    assert "url" in [d["field"] for d in json.loads(response["body"])["error"]["details"]]


def test_the_document_says_what_the_code_enforces():
    import re

    from newsdigest.api.routes import openapi_document

    document = json.loads(openapi_document())
    parameters = {p["name"]: p["schema"] for p in document["paths"]["/articles"]["get"]["parameters"]}
    for name in ("date", "from", "to"):
        schema = json.dumps(parameters[name])
        assert '"format": "date"' in schema and '"pattern"' in schema, name
        pattern = next(
            s["pattern"] for s in parameters[name].get("anyOf", [parameters[name]]) if "pattern" in s
        )
        assert re.match(pattern, "2026-11-28") and not re.match(pattern, "0000-00-00")
        assert not re.match(pattern, "1795910400")
    date_doc = next(p for p in document["paths"]["/articles"]["get"]["parameters"] if p["name"] == "date")
    assert "from" in date_doc["description"]  # the two are mutually exclusive, and the document says so
    schemas = document["components"]["schemas"]
    url = schemas["ArticleIn"]["properties"]["url"]
    assert not re.match(url["pattern"], "https://a.example/\x01") and re.match(
        url["pattern"], "https://a.example/"
    )
    email = schemas["SubscriptionIn"]["properties"]["email"]
    assert email["minLength"] == 1 and not re.match(email["pattern"], "")


def test_empty_email_is_refused(aws):
    event = load_event("subscriptions-post.json")
    event["body"] = json.dumps(json.loads(event["body"]) | {"email": ""})
    response = aws.invoke("SubscriptionsFunction", event)
    assert response["statusCode"] == 422
    assert "email" in [d["field"] for d in json.loads(response["body"])["error"]["details"]]


def test_a_raw_scheduled_event_runs_at_its_own_time_not_the_clock(aws, fakes):
    # Given a raw scheduled event (a schedule without Input), delivered long after its time
    event = load_event("digest-schedule-raw.json")
    fakes(clock=lambda: datetime(2030, 1, 1, tzinfo=UTC))
    # When the run handles it
    report = aws.invoke("DigestScheduleFunction", event)
    # Then the run is at the event's time
    assert datetime.fromisoformat(report["scheduled_time"]) == datetime.fromisoformat(
        event["time"].replace("Z", "+00:00")
    )


def test_the_scheduler_input_still_wins_and_no_time_means_now(aws, fakes):
    now = datetime(2030, 1, 1, tzinfo=UTC)
    fakes(clock=lambda: now)
    event = load_event("digest-schedule.json")
    report = aws.invoke("DigestScheduleFunction", event)
    assert report["scheduled_time"].startswith(event["scheduled_time"].removesuffix("Z"))
    assert datetime.fromisoformat(aws.invoke("DigestScheduleFunction", {})["scheduled_time"]) == now


@pytest.mark.parametrize(
    ("route", "event_file", "field"),
    [
        ("IngestFunction", "ingest-post-article.json", "url"),
        ("IngestFunction", "ingest-post-feed.json", "url"),
    ],
)
@pytest.mark.parametrize(
    "url",
    [
        "HTtP://\u00b1\u00d9\u00bchq[^\u00f6",  # schemathesis' find: an unbalanced IPv6 bracket was a 500
        "https://news.example.com:99999/a",  # port out of range
        "https://news.example.com:80x/a",  # port not a number
    ],
)
def test_a_url_that_matches_the_pattern_but_does_not_parse_is_a_422(aws, route, event_file, field, url):
    event = load_event(event_file)
    event["body"] = json.dumps(json.loads(event["body"]) | {"url": url})
    response = aws.invoke(route, event)
    assert response["statusCode"] == 422, response["body"]
    assert field in [d["field"] for d in json.loads(response["body"])["error"]["details"]]


def test_the_feed_schedule_reads_a_raw_event_the_same_way(aws, fakes):
    # Given the same raw scheduled event, delivered to the feed schedule long after its time
    event = load_event("digest-schedule-raw.json")
    fakes(clock=lambda: datetime(2030, 1, 1, tzinfo=UTC))
    # When the feed run handles it
    report = aws.invoke("FeedScheduleFunction", event)
    # Then it runs at the event's time too (one ScheduleEvent serves both schedules)
    assert datetime.fromisoformat(report["scheduled_time"]) == datetime.fromisoformat(
        event["time"].replace("Z", "+00:00")
    )
