"""POST /articles with a URL (the service fetches the page) or a whole web page as HTML: what is stored is
the extracted article (Markdown with the page's own section headings) and the URL, never the raw page.
Pages come from a server on 127.0.0.1 that each test starts and stops; the fetcher reaches it only because
its port is named (the test-only setting); every other rule stays on."""

from __future__ import annotations

import copy
import json
import time

import boto3
from newsdigest.articles.ids import article_id
from newsdigest.fetcher import Fetcher

from tests.conftest import load_event
from tests.integration.test_fetcher_http import Connections, redirect, reply, server  # noqa: F401
from tests.unit.extraction.pages import news_page
from tests.unit.test_fetcher_ssrf import HOSTILE, RecordingConnector, RecordingResolver

HTML = "text/html; charset=utf-8"


def post(runtime, body: dict) -> tuple[int, dict]:
    event = copy.deepcopy(load_event("ingest-post-article.json"))
    event["body"] = json.dumps(body)
    response = runtime.invoke("IngestFunction", event)
    return response["statusCode"], json.loads(response["body"])


def stored(runtime) -> list[dict]:
    return boto3.resource("dynamodb").Table(runtime.environment["ARTICLES_TABLE"]).scan()["Items"]


def local_fetcher(fakes, server, **kwargs) -> Connections:  # noqa: F811
    connections = Connections()
    dns = {"metadata.example": ["169.254.169.254"], "private.example": ["10.0.0.5"]}
    fakes(
        fetcher=Fetcher(
            resolver=lambda host: dns[host],
            connector=connections,
            allow_loopback_ports={server.port},
            **kwargs,
        )
    )
    return connections


def test_a_url_alone_is_fetched_and_its_article_stored_with_its_headings(aws, fakes, server):  # noqa: F811
    server.routes["/news/ferries"] = lambda h: reply(h, 200, news_page().encode(), HTML)
    local_fetcher(fakes, server)
    url = server.url("/news/ferries")

    status, body = post(aws, {"url": url, "source": "coastal-gazette"})

    assert status == 201 and body == {"id": article_id(url=url, title="", body=""), "status": "created"}
    (item,) = stored(aws)
    assert item["format"] == "markdown" and item["url"] == url and item["source"] == "coastal-gazette"
    assert item["title"] == "Town votes for electric ferries" and item["language"] == "en"
    assert "## How the trial went" in item["body"] and "## What it will cost" in item["body"]
    # the page's furniture and markup are not stored
    for furniture in ("Related stories", "Comments", "Newsletter", "All rights reserved", "<", "Sign up"):
        assert furniture not in item["body"], furniture
    # the same page again: the same id, nothing written
    status, again = post(aws, {"url": url, "source": "coastal-gazette"})
    assert status == 200 and again == {"id": body["id"], "status": "unchanged"}


def test_the_outline_of_a_fetched_page_is_its_own_sections(aws, fakes, server):  # noqa: F811
    server.routes["/news/ferries"] = lambda h: reply(h, 200, news_page().encode(), HTML)
    local_fetcher(fakes, server)
    _, _created = post(aws, {"url": server.url("/news/ferries")})
    (item,) = stored(aws)
    from newsdigest.articles.summaries import summarize_article
    from newsdigest.dal.articles import article_from_item
    from newsdigest.wiring import services

    summary = summarize_article(article_from_item(item), services.article_store, sentences=3)
    assert summary is not None
    headings = [o.heading for o in summary.outline if o.heading]
    assert headings == ["How the trial went", "What it will cost", "What comes next"]


def test_a_page_without_article_text_is_a_422_and_stores_nothing(aws, fakes, server):  # noqa: F811
    empty = (
        "<!DOCTYPE html><html><head><title>Log in</title></head>"
        "<body><nav><a href='/'>Home</a></nav></body></html>"
    )
    server.routes["/login"] = lambda h: reply(h, 200, empty.encode(), HTML)
    local_fetcher(fakes, server)
    status, body = post(aws, {"url": server.url("/login")})
    assert status == 422 and body["error"]["code"] == "no_article_text"
    assert "no article text" in body["error"]["message"] and stored(aws) == []


def test_upstream_failures_are_502_or_504_with_the_reason(aws, fakes, server):  # noqa: F811
    server.routes["/gone"] = lambda h: reply(h, 404, b"nope", "text/plain")
    server.routes["/pdf"] = lambda h: reply(h, 200, b"%PDF-1.7", "application/pdf")
    server.routes["/slow"] = lambda h: (time.sleep(1.5), reply(h, 200, news_page().encode(), HTML))
    local_fetcher(fakes, server, total_timeout=0.5)
    status, body = post(aws, {"url": server.url("/gone")})
    assert (
        status == 502
        and body["error"]["code"] == "upstream_status"
        and "HTTP 404" in body["error"]["message"]
    )
    status, body = post(aws, {"url": server.url("/slow")})
    assert (
        status == 504
        and body["error"]["code"] == "upstream_timeout"
        and "timed out" in body["error"]["message"]
    )
    status, body = post(aws, {"url": server.url("/pdf")})
    assert (
        status == 422
        and body["error"]["code"] == "url_refused"
        and "content types" in body["error"]["message"]
    )
    assert stored(aws) == []


def test_a_redirect_to_the_metadata_address_is_refused_before_connecting_to_it(aws, fakes, server):  # noqa: F811
    server.routes["/r1"] = redirect(302, "http://169.254.169.254/latest/meta-data/")
    server.routes["/r2"] = redirect(301, "http://metadata.example/")
    server.routes["/r3"] = redirect(307, "file:///etc/passwd")
    server.routes["/r4"] = redirect(302, "http://private.example/admin")
    connections = local_fetcher(fakes, server)
    for path, rule in [
        ("/r1", "metadata"),
        ("/r2", "metadata"),
        ("/r3", "http and https only"),
        ("/r4", "no private networks"),
    ]:
        status, body = post(aws, {"url": server.url(path)})
        assert status == 422 and body["error"]["code"] == "url_refused" and rule in body["error"]["message"]
    assert set(connections.made) == {("127.0.0.1", server.port)} and stored(aws) == []


def test_every_hostile_url_is_refused_by_post_articles_without_a_connection(aws, fakes):
    connector = RecordingConnector()
    fakes(fetcher=Fetcher(resolver=RecordingResolver(), connector=connector))
    by_model = 0
    for url, rule in HOSTILE:
        status, body = post(aws, {"url": url})
        assert status == 422, (url, body)
        if body["error"]["code"] == "validation_error":
            by_model += 1
            assert {d["field"] for d in body["error"]["details"]} == {"url"}, (url, body)
        else:
            assert body["error"]["code"] == "url_refused" and rule in body["error"]["message"], (url, body)
    assert connector.attempts == [] and stored(aws) == [] and by_model < len(HOSTILE) // 4


def test_a_whole_web_page_posted_as_html_is_stored_as_its_article(aws):
    page = news_page()
    status, _body = post(
        aws, {"title": "Electric ferries", "format": "html", "body": page, "url": "https://gazette.example/f"}
    )
    assert status == 201
    (item,) = stored(aws)
    assert item["format"] == "markdown" and item["title"] == "Electric ferries"
    assert "## How the trial went" in item["body"] and "<" not in item["body"]
    assert "Related stories" not in item["body"] and "Comments" not in item["body"]
    # an HTML fragment (an article's body, not a page) is stored as sent
    fragment = "<p>One short paragraph.</p><h2>Part two</h2><p>Another paragraph here.</p>"
    status, _ = post(aws, {"title": "Fragment", "format": "html", "body": fragment})
    assert status == 201
    assert any(i["format"] == "html" and i["body"] == fragment for i in stored(aws))


def test_a_whole_page_without_article_is_a_422_naming_the_problem(aws):
    page = "<!DOCTYPE html><html><body><nav><a href='/'>Home</a></nav></body></html>"
    status, body = post(aws, {"title": "Nothing", "format": "html", "body": page})
    assert status == 422 and body["error"]["code"] == "no_article_text" and stored(aws) == []


def test_url_only_posts_with_bad_fields_name_them(aws, fakes):
    fakes(fetcher=Fetcher(resolver=RecordingResolver(), connector=RecordingConnector()))
    status, body = post(aws, {"url": "https://example.com/a", "colour": "red"})
    assert status == 422 and [d["field"] for d in body["error"]["details"]] == ["colour"]
    status, body = post(aws, {"body": "x", "format": "pdf"})
    assert status == 422 and {d["field"] for d in body["error"]["details"]} == {"title", "format"}
