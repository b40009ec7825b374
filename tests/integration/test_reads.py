"""ApiFunction listing: newest first, signed cursors, day filter."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime

from tests.conftest import load_event


def ingest(runtime, n: int) -> list[str]:
    ids = []
    template = load_event("ingest-post-article.json")
    for i in range(n):
        event = copy.deepcopy(template)
        article = json.loads(event["body"])
        article.update(url=f"https://news.example.com/story-{i}", title=f"Story {i}")
        event["body"] = json.dumps(article)
        ids.append(json.loads(runtime.invoke("IngestFunction", event)["body"])["id"])
    return ids


def list_page(runtime, **query) -> tuple[int, dict]:
    event = load_event("api-list-articles.json")
    event["queryStringParameters"] = {k: str(v) for k, v in query.items()}
    event["multiValueQueryStringParameters"] = {k: [str(v)] for k, v in query.items()}
    response = runtime.invoke("ApiFunction", event)
    return response["statusCode"], json.loads(response["body"])


def test_listing_pages_newest_first_with_a_cursor(aws):
    ids = ingest(aws, 5)
    seen = []
    status, page = list_page(aws, limit=2)
    while True:
        assert status == 200 and len(page["items"]) <= 2
        seen += [item["id"] for item in page["items"]]
        if not page["next_cursor"]:
            break
        status, page = list_page(aws, limit=2, cursor=page["next_cursor"])
    assert seen == list(reversed(ids))


def test_day_filter_selects_that_utc_day(aws):
    ingest(aws, 2)
    today = datetime.now(UTC).date().isoformat()
    assert len(list_page(aws, date=today)[1]["items"]) == 2
    assert list_page(aws, date="2001-01-01")[1]["items"] == []


def test_bad_query_parameters_are_422_naming_them(aws):
    for query, field in [
        ({"limit": 0}, "limit"),
        ({"limit": 1000}, "limit"),
        ({"limit": "x"}, "limit"),
        ({"date": "yesterday"}, "date"),
    ]:
        status, body = list_page(aws, **query)
        assert status == 422, query
        assert body["error"]["details"][0]["field"] == field


def test_a_forged_or_foreign_cursor_is_a_400(aws):
    ingest(aws, 3)
    _, page = list_page(aws, limit=1)
    cursor = page["next_cursor"]
    assert list_page(aws, limit=1, cursor=cursor[:-3] + "AAA")[0] == 400
    assert list_page(aws, limit=1, cursor="eyJrZXkiOnt9fQ")[0] == 400
    # a cursor from the unfiltered listing does not continue a filtered one
    status, body = list_page(aws, limit=1, cursor=cursor, date="2026-01-01")
    assert status == 400 and body["error"]["code"] == "invalid_cursor"
