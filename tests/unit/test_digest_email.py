"""The digest email: escaping, parts, RFC 8058 headers, Gmail's clipping limit."""

from __future__ import annotations

import email
import email.policy
from datetime import UTC, datetime

from newsdigest.articles.models import ArticleHeader, ArticleSummary, OutlineItem, SpanOut
from newsdigest.subscriptions.emails import DigestItem, SectionGist, build_mime, digest_item, render_digest

UNSUBSCRIBE = "https://api.example.com/v1/unsubscribe?token=eyJwIjoidW5zdWJzY3JpYmUifQ.c2lnbmF0dXJl"
MORE = "https://api.example.com/v1/articles?date=2026-11-28"


def item(title: str = "Ferries go electric", **extra) -> DigestItem:
    values = {
        "title": title,
        "url": "https://news.example.com/a",
        "source": "example-news",
        "digest": ["The harbour's ferries switch to batteries next year."],
        "outline": [SectionGist("What it will cost", "About 40 million.")],
    } | extra
    return DigestItem(**values)


def test_untrusted_titles_and_text_are_escaped_in_html_and_plain_in_text():
    hostile = item(
        "<script>alert(1)</script> & <b>bold</b>",
        digest=['"><img src=x onerror=alert(2)>'],
        outline=[SectionGist("<iframe>", None)],
    )
    rendered = render_digest([hostile], period_label="Friday", unsubscribe_url=UNSUBSCRIBE, more_url=MORE)
    assert "<script>" not in rendered.html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp;" in rendered.html
    assert "<img" not in rendered.html and "<iframe>" not in rendered.html
    assert "<script>alert(1)</script>" in rendered.text  # the text part is not HTML


def test_only_http_links_are_rendered():
    header = ArticleHeader(
        id="a" * 24,
        title="x",
        url="javascript:alert(1)",
        ingested_at=datetime(2026, 11, 28, tzinfo=UTC),
        summary_status="ready",
        summary=ArticleSummary(status="ready", digest=[SpanOut(text="One.", start=0, end=4)]),
    )
    assert digest_item(header).url is None


def test_each_article_has_its_digest_outline_and_link():
    header = ArticleHeader(
        id="b" * 24,
        title="Ferries",
        url="https://news.example.com/f",
        ingested_at=datetime(2026, 11, 28, tzinfo=UTC),
        summary_status="ready",
        summary=ArticleSummary(
            status="ready",
            digest=[SpanOut(text="Ferries go electric.", start=0, end=20)],
            outline=[
                OutlineItem(heading=None, gist=None),
                OutlineItem(heading="What it will cost", gist=SpanOut(text="A lot.", start=30, end=36)),
            ],
        ),
    )
    rendered = render_digest(
        [digest_item(header)], period_label="Friday", unsubscribe_url=UNSUBSCRIBE, more_url=MORE
    )
    for part in (rendered.html, rendered.text):
        assert "Ferries go electric." in part and "What it will cost" in part and "A lot." in part
        assert "https://news.example.com/f" in part and UNSUBSCRIBE.replace("&", "&amp;") in part


def test_a_huge_period_is_cut_under_the_clipping_limit_with_a_link_to_the_rest():
    long_text = "word " * 110
    items = [item(f"Article {i}", digest=[long_text] * 5) for i in range(200)]
    rendered = render_digest(items, period_label="Friday", unsubscribe_url=UNSUBSCRIBE, more_url=MORE)
    assert len(rendered.html.encode()) <= 100_000 < 102 * 1024
    assert 1 <= rendered.shown < 200 and rendered.total == 200
    assert f"{200 - rendered.shown} more articles on the web" in rendered.html and MORE in rendered.html


def test_mime_has_both_parts_and_one_click_unsubscribe_headers():
    rendered = render_digest([item()], period_label="Friday", unsubscribe_url=UNSUBSCRIBE, more_url=MORE)
    raw = build_mime(
        rendered, sender="digest@newsdigest.example.com", to="ada@example.com", unsubscribe_url=UNSUBSCRIBE
    )
    message = email.message_from_bytes(raw, policy=email.policy.default)
    assert message["List-Unsubscribe"] == f"<{UNSUBSCRIBE}>"  # one line, not folded or encoded
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["To"] == "ada@example.com" and "digest@newsdigest.example.com" in message["From"]
    assert raw.isascii() and all(len(line) <= 998 for line in raw.split(b"\r\n"))
