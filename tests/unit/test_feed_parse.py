"""Feed parsing: every supported format to the same ParsedFeed, text fields as text, no network."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from newsdigest.feeds.models import FeedError
from newsdigest.feeds.parse import parse_feed

URL = "https://news.example.com/feeds/main.xml"

RSS091 = b"""<?xml version="1.0"?>
<rss version="0.91"><channel><title>Old News</title><link>https://news.example.com/</link>
<item><title>First</title><link>https://news.example.com/1</link>
<description>One &amp; only</description></item>
</channel></rss>"""

RSS10 = b"""<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
 xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel rdf:about="https://news.example.com/"><title>RDF News</title><link>https://news.example.com/</link></channel>
<item rdf:about="https://news.example.com/1"><title>First</title><link>https://news.example.com/1</link>
<description>Hello</description><dc:creator>Ann Writer</dc:creator>
<dc:date>2026-11-28T09:30:00Z</dc:date></item>
</rdf:RDF>"""

RSS20 = b"""<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Harbour &amp; City</title><link>https://news.example.com/</link>
<item>
  <title>Ferries go &lt;b&gt;electric&lt;/b&gt;</title>
  <link>/2026/11/ferries</link>
  <guid isPermaLink="false">ferries-42</guid>
  <author>desk@example.com (City Desk)</author>
  <pubDate>Sat, 28 Nov 2026 09:30:00 +0100</pubDate>
  <description>&lt;p&gt;Short teaser&lt;/p&gt;</description>
  <content:encoded><![CDATA[<p>The full <b>story</b> &amp; more.</p><script>steal()</script>
  <p onclick="x()">End.</p>]]></content:encoded>
</item>
<item><title>Permalink guid only</title><guid>https://news.example.com/2026/11/guid-link</guid></item>
<item><title>Bad link</title><link>javascript:alert(1)</link></item>
</channel></rss>"""

ATOM03 = b"""<?xml version="1.0"?>
<feed version="0.3" xmlns="http://purl.org/atom/ns#"><title>Atom 0.3</title>
<link rel="alternate" type="text/html" href="https://news.example.com/"/>
<entry><title>Zero three</title><link rel="alternate" type="text/html" href="https://news.example.com/03"/>
<id>tag:example.com,2026:03</id><issued>2026-11-28T09:30:00Z</issued>
<content type="text/html" mode="escaped">&lt;p&gt;Body&lt;/p&gt;</content></entry></feed>"""

ATOM10 = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example.com/blog/">
<title type="html">Blog &lt;i&gt;of&lt;/i&gt; things</title>
<link href="https://news.example.com/blog/"/>
<entry>
  <title type="text">a &lt; b, always</title>
  <link rel="enclosure" href="https://cdn.example.com/a.mp3" type="audio/mpeg"/>
  <link rel="alternate" type="text/html" href="posts/a-b"/>
  <id>tag:example.com,2026:a-b</id>
  <updated>2026-11-28T10:00:00Z</updated>
  <published>2026-11-28T08:00:00Z</published>
  <author><name>Bo Author</name></author>
  <summary type="html">&lt;p&gt;Sum &amp;amp; mary&lt;/p&gt;</summary>
  <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Full <em>text</em>.</p></div></content>
</entry></feed>"""


def json_feed(version: str = "https://jsonfeed.org/version/1.1", **extra: object) -> bytes:
    document = {
        "version": version,
        "title": "JSON News",
        "home_page_url": "https://news.example.com/",
        "feed_url": "https://news.example.com/feed.json",
        "authors": [{"name": "Desk"}],
        "items": [
            {
                "id": 7,
                "url": "/2026/11/json-item",
                "title": "JSON <item>",
                "content_html": "<p>Hello <b>world</b></p><script>alert(1)</script>"
                "<img src=x onerror=alert(2)>",
                "summary": "Short",
                "date_published": "2026-11-28T09:30:00+01:00",
            },
            {"id": "t", "content_text": "Only text", "external_url": "https://elsewhere.example/x"},
            "not an item",
        ],
        **extra,
    }
    return json.dumps(document).encode()


def test_rss_091():
    feed = parse_feed(RSS091, url=URL)
    assert (feed.format, feed.title, feed.link) == ("rss091u", "Old News", "https://news.example.com/")
    [entry] = feed.entries
    assert (entry.link, entry.title, entry.text) == ("https://news.example.com/1", "First", "One & only")


def test_rss_10_rdf():
    feed = parse_feed(RSS10, url=URL)
    assert (feed.format, feed.title) == ("rss10", "RDF News")
    [entry] = feed.entries
    assert entry.author == "Ann Writer"
    assert entry.published == datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def test_rss_20_entries_are_text_and_links_are_absolute_http():
    feed = parse_feed(RSS20, url=URL, content_type="application/rss+xml; charset=utf-8")
    assert (feed.format, feed.title) == ("rss20", "Harbour & City")
    first, by_guid, bad = feed.entries
    assert first.link == "https://news.example.com/2026/11/ferries"  # relative, against the feed URL
    assert first.title == "Ferries go electric"
    assert first.guid == "ferries-42"
    assert first.published == datetime(2026, 11, 28, 8, 30, tzinfo=UTC)
    assert first.summary == "Short teaser"
    assert first.text == "The full story & more.\n\nEnd."  # content:encoded wins; the script's text is gone
    assert first.content_html is not None
    assert "<script" not in first.content_html and "onclick" not in first.content_html
    assert "City Desk" in (first.author or "")
    assert by_guid.link == "https://news.example.com/2026/11/guid-link"  # a permalink guid is the link
    assert bad.link is None  # javascript: is no link


def test_atom_03():
    feed = parse_feed(ATOM03, url=URL)
    assert feed.format == "atom03"
    [entry] = feed.entries
    assert (entry.link, entry.text, entry.guid) == (
        "https://news.example.com/03",
        "Body",
        "tag:example.com,2026:03",
    )
    assert entry.published == datetime(2026, 11, 28, 9, 30, tzinfo=UTC)


def test_atom_10_picks_the_alternate_link_and_keeps_plain_text_titles_as_text():
    feed = parse_feed(ATOM10, url=URL)
    assert (feed.format, feed.title) == ("atom10", "Blog of things")
    [entry] = feed.entries
    assert entry.link == "https://news.example.com/blog/posts/a-b"  # xml:base applies, enclosure skipped
    assert entry.title == "a < b, always"  # a text title is text, not markup to strip
    assert entry.author == "Bo Author"
    assert entry.summary == "Sum & mary"
    assert entry.text == "Full text."
    assert entry.published == datetime(2026, 11, 28, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("version", "fmt"),
    [("https://jsonfeed.org/version/1", "json1"), ("https://jsonfeed.org/version/1.1", "json11")],
)
def test_json_feed(version, fmt):
    feed = parse_feed(json_feed(version), url="https://news.example.com/feed.json")
    assert (feed.format, feed.title, feed.link) == (fmt, "JSON News", "https://news.example.com/")
    html_item, text_item = feed.entries  # the non-object item is skipped
    assert html_item.link == "https://news.example.com/2026/11/json-item"
    assert html_item.title == "JSON <item>"  # JSON Feed titles are text
    assert html_item.text == "Hello world"
    assert html_item.content_html is not None
    assert "script" not in html_item.content_html and "onerror" not in html_item.content_html
    assert html_item.guid == "7" and html_item.author == "Desk" and html_item.summary == "Short"
    assert html_item.published == datetime(2026, 11, 28, 8, 30, tzinfo=UTC)
    assert (text_item.link, text_item.text, text_item.content_html) == (
        "https://elsewhere.example/x",
        "Only text",
        None,
    )


def test_json_feed_is_recognised_without_a_content_type():
    assert parse_feed(b"\xef\xbb\xbf  " + json_feed(), url=URL).format == "json11"


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"<html><head><title>Hi</title></head><body><p>A page</p></body></html>", "text/html", "not an RSS"),
        (b"", None, "not an RSS"),
        (b"\x00\xffgarbage", None, "not well-formed"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": {}}', None, "'items' list"),
        (b'{"title": "no version"}', None, "not a JSON Feed"),
        (b"{not json", "application/feed+json", "does not parse"),
        (b"[1, 2]", "application/json", "must be an object"),
        (b'{"version": "https://jsonfeed.org/version/1", "items": []}'.replace(b"1", b"\xff"), None, "UTF-8"),
    ],
)
def test_what_is_not_a_feed_is_a_feed_error_with_a_reason(body, content_type, message):
    with pytest.raises(FeedError, match=message):
        parse_feed(body, url=URL, content_type=content_type)


def test_an_empty_but_valid_feed_has_no_entries():
    feed = parse_feed(b'<rss version="2.0"><channel><title>New blog</title></channel></rss>', url=URL)
    assert (feed.title, feed.entries) == ("New blog", [])


def test_external_entities_and_entity_bombs_are_not_expanded():
    lols = "<!ENTITY l0 'lollollollollollollollollollol'>" + "".join(
        f"<!ENTITY l{i} '{f'&l{i - 1};' * 10}'>" for i in range(1, 10)
    )
    bomb = (
        f"<?xml version='1.0'?><!DOCTYPE rss [{lols}<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
        "<rss version='2.0'><channel><title>&l9;</title><item><title>a &x;</title>"
        "<description>&l9;</description></item></channel></rss>"
    ).encode()
    feed = parse_feed(bomb, url=URL)
    texts = [feed.title, *(e.title for e in feed.entries), *(e.text for e in feed.entries)]
    assert all(len(t) < 1000 for t in texts)
    assert not any("root:" in t for t in texts)


def test_a_document_naming_a_local_file_is_not_read_as_one(tmp_path):
    # feedparser opens ``bytes`` as a file name if one exists; we hand it a stream, never bytes.
    secret = tmp_path / "secret.xml"
    secret.write_bytes(b'<rss version="2.0"><channel><title>SECRET</title></channel></rss>')
    with pytest.raises(FeedError):
        parse_feed(str(secret).encode(), url=URL)


def test_parsing_never_touches_the_network(monkeypatch):
    import socket
    import urllib.request

    import feedparser.http

    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("the parser tried to reach the network")

    monkeypatch.setattr(feedparser.http, "get", forbidden)
    monkeypatch.setattr(urllib.request, "urlopen", forbidden)
    monkeypatch.setattr(socket, "getaddrinfo", forbidden)
    monkeypatch.setattr(socket.socket, "connect", forbidden)
    dtd = (
        b'<?xml version="1.0"?><!DOCTYPE rss SYSTEM "http://127.0.0.1:9/rss.dtd">' + RSS20.split(b"?>", 1)[1]
    )
    for body in (RSS091, RSS10, RSS20, ATOM03, ATOM10, json_feed(), dtd):
        assert parse_feed(body, url="http://127.0.0.1:9/feed").entries
