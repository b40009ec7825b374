"""ApiFunction/IngestFunction HTTP manners under moto: daily digests, deletes, filters, ETags, OpenAPI,
hostile input, and what each read costs in DynamoDB requests."""

from __future__ import annotations

import base64
import copy
import json
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from newsdigest_local.streams import StreamPoller

from tests.conftest import load_event


def call(runtime, function: str, event: dict) -> tuple[int, dict[str, str], str]:
    response = runtime.invoke(function, event)
    headers = {k.lower(): v[-1] for k, v in (response.get("multiValueHeaders") or {}).items()}
    headers |= {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    return response["statusCode"], headers, response.get("body") or ""


def request(
    name: str,
    *,
    path: str | None = None,
    params: dict | None = None,
    query: dict | None = None,
    headers: dict | None = None,
    body: object = None,
) -> dict:
    event = load_event(name)
    if path is not None:
        event["path"] = path
    if params is not None:
        event["pathParameters"] = params
    if query is not None:
        event["queryStringParameters"] = {k: str(v) for k, v in query.items()}
        event["multiValueQueryStringParameters"] = {k: [str(v)] for k, v in query.items()}
    for key, value in (headers or {}).items():
        event["headers"][key] = value
        event["multiValueHeaders"][key] = [value]
    if body is not None:
        event["body"] = body if isinstance(body, str) else json.dumps(body)
    return event


def ingest(runtime, **overrides) -> str:
    article = json.loads(load_event("ingest-post-article.json")["body"]) | overrides
    status, _, body = call(runtime, "IngestFunction", request("ingest-post-article.json", body=article))
    assert status in (200, 201), body
    return json.loads(body)["id"]


def summarize_all(runtime) -> None:
    source = runtime.specs["SummarizeFunction"].streams[0]
    StreamPoller(source, runtime.resolver.get_att(source.table, "StreamArn"), runtime, None).poll_once()


def today() -> str:
    return datetime.now(UTC).date().isoformat()


def test_delete_removes_the_article_and_its_summary(aws):
    article_id = ingest(aws)
    summarize_all(aws)
    status, _, _ = call(aws, "IngestFunction", load_event("ingest-delete-article.json"))
    assert status == 204
    assert call(aws, "ApiFunction", load_event("api-get-digest.json"))[0] == 404
    table = boto3.resource("dynamodb").Table(aws.environment["ARTICLES_TABLE"])
    assert "Item" not in table.get_item(Key={"id": article_id})
    # deleting again: it is gone
    assert call(aws, "IngestFunction", load_event("ingest-delete-article.json"))[0] == 404


def test_daily_digest_lists_the_day_with_digests_and_outlines(aws):
    ingest(aws, url="https://news.example.com/a", title="First")
    ingest(aws, url="https://news.example.com/b", title="Second")
    summarize_all(aws)
    status, headers, body = call(
        aws,
        "ApiFunction",
        request("api-get-daily-digest.json", path=f"/digests/{today()}", params={"day": today()}, query={}),
    )
    digest = json.loads(body)
    assert status == 200 and digest["date"] == today() and digest["timezone"] == "UTC"
    assert [item["title"] for item in digest["items"]] == ["Second", "First"]  # newest first
    assert all(item["status"] == "ready" and item["digest"] and item["outline"] for item in digest["items"])
    assert headers["cache-control"] == "public, max-age=60"  # today may still change


def test_a_past_day_is_cacheable_by_a_cdn_and_a_time_zone_shifts_the_day(aws):
    ingest(aws)
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    status, headers, body = call(
        aws,
        "ApiFunction",
        request(
            "api-get-daily-digest.json", path=f"/digests/{yesterday}", params={"day": yesterday}, query={}
        ),
    )
    assert status == 200 and json.loads(body)["items"] == []
    assert "s-maxage=86400" in headers["cache-control"]
    # Somewhere 14 hours ahead of UTC, an article ingested now belongs to the local "today", never "yesterday"
    local_today = datetime.now(UTC).astimezone(__import__("zoneinfo").ZoneInfo("Pacific/Kiritimati")).date()
    status, _, body = call(
        aws,
        "ApiFunction",
        request(
            "api-get-daily-digest.json",
            path=f"/digests/{local_today}",
            params={"day": str(local_today)},
            query={"tz": "Pacific/Kiritimati"},
        ),
    )
    assert status == 200 and len(json.loads(body)["items"]) == 1


@pytest.mark.parametrize(
    ("day", "query", "field"),
    [("2026-13-40", {}, "day"), ("yesterday", {}, "day"), ("2026-11-28", {"tz": "Mars/Olympus"}, "tz")],
)
def test_daily_digest_rejects_bad_days_and_zones_naming_them(aws, day, query, field):
    status, _, body = call(
        aws,
        "ApiFunction",
        request("api-get-daily-digest.json", path=f"/digests/{day}", params={"day": day}, query=query),
    )
    assert status == 422
    assert json.loads(body)["error"]["details"][0]["field"] == field


def test_the_html_page_escapes_untrusted_text(aws):
    ingest(aws, title='<script>alert("x")</script> Mayor & council', url="https://news.example.com/x")
    summarize_all(aws)
    for event in (
        request(
            "api-get-daily-digest-html.json",
            path=f"/digests/{today()}.html",
            params={"day": f"{today()}.html"},
        ),
        request(
            "api-get-daily-digest.json",
            path=f"/digests/{today()}",
            params={"day": today()},
            query={},
            headers={"Accept": "text/html,application/xhtml+xml"},
        ),
    ):
        status, headers, page = call(aws, "ApiFunction", event)
        assert status == 200 and headers["content-type"].startswith("text/html")
        assert "<script>alert" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; Mayor &amp; council" in page
        assert (
            "http://" not in page.split("<main>")[0] and "https://" not in page.split("<main>")[0]
        )  # no assets


def test_etag_and_if_none_match(aws):
    ingest(aws)
    status, headers, _ = call(aws, "ApiFunction", load_event("api-get-article.json"))
    assert status == 200 and headers["etag"].startswith('"')
    status, again, body = call(
        aws, "ApiFunction", request("api-get-article.json", headers={"If-None-Match": headers["etag"]})
    )
    assert status == 304 and body == "" and again["etag"] == headers["etag"]
    status, _, _ = call(
        aws, "ApiFunction", request("api-get-article.json", headers={"If-None-Match": '"stale"'})
    )
    assert status == 200
    # the digest's representation changes when the summary arrives, and so does its ETag
    _, pending, _ = call(aws, "ApiFunction", load_event("api-get-digest.json"))
    summarize_all(aws)
    status, ready, _ = call(
        aws, "ApiFunction", request("api-get-digest.json", headers={"If-None-Match": pending["etag"]})
    )
    assert status == 200 and ready["etag"] != pending["etag"]
    assert pending["cache-control"] == "no-cache"


def test_source_filter_and_date_range(aws):
    ingest(aws, url="https://a.example.com/1", source="wire")
    ingest(aws, url="https://a.example.com/2", source="blog")
    ingest(aws, url="https://a.example.com/3", source="wire")

    def titles(**query):
        status, _, body = call(aws, "ApiFunction", request("api-list-articles.json", query=query))
        assert status == 200, body
        return [item["url"] for item in json.loads(body)["items"]]

    assert titles(source="wire") == ["https://a.example.com/3", "https://a.example.com/1"]
    assert len(titles(**{"from": today(), "to": today()})) == 3
    assert titles(**{"from": "2020-01-01", "to": "2020-01-31"}) == []
    status, _, body = call(
        aws,
        "ApiFunction",
        request("api-list-articles.json", query={"from": "2026-02-01", "to": "2026-01-01"}),
    )
    assert status == 422 and json.loads(body)["error"]["details"][0]["field"] == "from"


def test_openapi_document_is_valid_and_covers_every_route(aws):
    from newsdigest_local.template import Template
    from openapi_spec_validator import validate

    status, _, body = call(aws, "ApiFunction", request("api-health.json", path="/openapi.json", params=None))
    document = json.loads(body)
    assert status == 200
    validate(document)
    documented = {(method.upper(), path) for path, ops in document["paths"].items() for method in ops}
    declared = {
        (r.method, r.path) for r in Template.load().routes if r.path not in {"/openapi.json", "/docs"}
    }
    assert declared == documented
    assert document["paths"]["/articles"]["post"]["security"] == [{"apiKey": []}]
    status, _headers, page = call(aws, "ApiFunction", request("api-health.json", path="/docs", params=None))
    assert status == 200 and "swagger-ui" in page and "unpkg.com" not in page


def test_health(aws):
    status, _, body = call(aws, "ApiFunction", load_event("api-health.json"))
    assert status == 200 and json.loads(body)["status"] == "ok"


# ---------------------------------------------------------------- hostile input


def post_raw(
    runtime, body: str, *, b64: bool = False, content_type: str = "application/json"
) -> tuple[int, dict]:
    event = request("ingest-post-article.json", headers={"Content-Type": content_type}, body=body)
    event["isBase64Encoded"] = b64
    status, _, text = call(runtime, "IngestFunction", event)
    return status, json.loads(text)


def test_non_utf8_bytes_are_a_400(aws):
    status, body = post_raw(aws, base64.b64encode(b'{"title": "\xff\xfe"}').decode(), b64=True)
    assert status == 400 and body["error"]["code"] == "invalid_encoding"


def test_deeply_nested_json_is_a_400_not_a_crash(aws):
    status, body = post_raw(aws, "[" * 100_000 + "]" * 100_000)
    assert status == 400 and "deeply" in body["error"]["message"]


def test_unicode_and_right_to_left_text_round_trip(aws):
    title = "מבזק: الأخبار 🗞️ Ünïcödé"
    body = "זהו משפט ראשון. هذه جملة ثانية. Third sentence here.\n\nכותרת\n\nעוד טקסט כאן. ועוד משפט."
    article_id = ingest(aws, title=title, body=body, url="https://news.example.com/rtl", language="he")
    summarize_all(aws)
    status, _, text = call(
        aws,
        "ApiFunction",
        request("api-get-article.json", path=f"/articles/{article_id}", params={"article_id": article_id}),
    )
    assert status == 200 and json.loads(text)["title"] == title
    status, _, text = call(
        aws,
        "ApiFunction",
        request(
            "api-get-digest.json", path=f"/articles/{article_id}/digest", params={"article_id": article_id}
        ),
    )
    digest = json.loads(text)
    assert status == 200 and digest["status"] in {"ready", "too_short"}
    assert all(body[s["start"] : s["end"]] == s["text"] for s in digest["digest"])


@pytest.mark.parametrize("limit", ["-1", "0", "101", "99999999999999999999", "1e3", "NaN"])
def test_out_of_range_limits_are_422(aws, limit):
    event = request("api-list-articles.json")
    event["queryStringParameters"] = {"limit": limit}
    event["multiValueQueryStringParameters"] = {"limit": [limit]}
    status, _, body = call(aws, "ApiFunction", event)
    assert status == 422 and json.loads(body)["error"]["details"][0]["field"] == "limit"


# ---------------------------------------------------------------- cost per request


@pytest.fixture
def dynamodb_calls(aws):
    """Counts the DynamoDB requests made by the handlers (every boto3 client of the default session)."""
    from tests.conftest import cold_start

    calls: list[str] = []
    session = boto3._get_default_session()

    def count(model, **kwargs):
        calls.append(model.name)

    session.events.register("before-call.dynamodb", count)
    cold_start()
    yield calls
    session.events.unregister("before-call.dynamodb", count)


def test_each_read_costs_one_dynamodb_request(aws, dynamodb_calls):
    ingest(aws, source="wire")
    summarize_all(aws)
    day = today()
    routes = {
        "GET /articles": request("api-list-articles.json", query={"limit": 5}),
        "GET /articles?source": request("api-list-articles.json", query={"source": "wire"}),
        "GET /articles?from&to": request("api-list-articles.json", query={"from": day, "to": day}),
        "GET /articles/{id}": load_event("api-get-article.json"),
        "GET /articles/{id}/digest": load_event("api-get-digest.json"),
        "GET /digests/{day}": request(
            "api-get-daily-digest.json", path=f"/digests/{day}", params={"day": day}
        ),
        "GET /digests/{day}.html": request(
            "api-get-daily-digest-html.json", path=f"/digests/{day}.html", params={"day": f"{day}.html"}
        ),
        "GET /health": load_event("api-health.json"),
    }
    costs = {}
    for name, event in routes.items():
        dynamodb_calls.clear()
        status, _, _ = call(aws, "ApiFunction", copy.deepcopy(event))
        assert status == 200, name
        costs[name] = list(dynamodb_calls)
    assert costs == {
        "GET /articles": ["Query"],
        "GET /articles?source": ["Query"],
        "GET /articles?from&to": ["Query"],
        "GET /articles/{id}": ["GetItem"],
        "GET /articles/{id}/digest": ["GetItem"],
        "GET /digests/{day}": ["Query"],
        "GET /digests/{day}.html": ["Query"],
        "GET /health": [],
    }


def test_rejected_requests_cost_nothing(aws, dynamodb_calls):
    for event in (
        request("api-get-article.json", path="/articles/x' OR '1'='1", params={"article_id": "x' OR '1'='1"}),
        request("api-list-articles.json", query={"cursor": "forged"}),
    ):
        dynamodb_calls.clear()
        status, _, _ = call(aws, "ApiFunction", event)
        assert status in (400, 404) and dynamodb_calls == []


def test_cors_headers_follow_the_setting(aws, monkeypatch):
    from newsdigest.api.app import build_resolver
    from newsdigest.api.routes import read_routers
    from newsdigest_local.context import LocalContext

    from tests.conftest import cold_start

    event = request("api-health.json", headers={"Origin": "https://news.example.com"})
    plain = build_resolver(*read_routers(), settings=cold_start().settings).resolve(
        copy.deepcopy(event), LocalContext("ApiFunction", 256, 10)
    )
    assert "Access-Control-Allow-Origin" not in (plain.get("multiValueHeaders") or {})

    monkeypatch.setenv("NEWSDIGEST_CORS_ALLOW_ORIGIN", "https://news.example.com")
    app = build_resolver(*read_routers(), settings=cold_start().settings)
    response = app.resolve(copy.deepcopy(event), LocalContext("ApiFunction", 256, 10))
    assert response["multiValueHeaders"]["Access-Control-Allow-Origin"] == ["https://news.example.com"]
