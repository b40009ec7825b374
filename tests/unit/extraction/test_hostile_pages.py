"""Hostile and broken pages never crash the extractor and never leak script text into the article."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from newsdigest.extraction import NoArticleText, extract_page

from tests.unit.extraction.pages import INTRO, SECTIONS, article_html, news_page

SECRET = "EVIL_PAYLOAD_7731"
SCRIPTED = (
    f"<script>document.write('{SECRET} ' + 'x'.repeat(9999));</script>"
    f"<style>p::after {{ content: '{SECRET}'; }}</style>"
    f"<noscript>{SECRET} enable scripts</noscript>"
    f"<template><p>{SECRET} inside a template that is never shown to the reader at all</p></template>"
)


def _extract_or_empty(page, url=None):
    try:
        return extract_page(page, url)
    except NoArticleText:
        return None


def test_scripts_styles_and_templates_inside_the_article_never_reach_the_text():
    body = article_html().replace("</p>", f"</p>{SCRIPTED}", 2)
    body = body.replace("<p>", f'<p onclick="alert(\'{SECRET}\')" onmouseover="steal()">', 1)
    page = extract_page(news_page(body=body, head=SCRIPTED + "<title>Ferries</title>"))
    assert SECRET not in page.text and SECRET not in page.markdown and "alert" not in page.markdown
    assert INTRO in page.text and [h for h, _ in SECTIONS] == page.headings


def test_script_and_json_ld_text_never_becomes_a_heading_or_title():
    head = f'<script type="application/ld+json">{{"headline": "<script>{SECRET}</script>"}}</script>'
    page = extract_page(news_page(head=head))
    assert all(SECRET not in h for h in page.headings)


@pytest.mark.parametrize("depth", [300, 5000])
def test_deeply_nested_markup_does_not_crash(depth):
    html = "<html><body>" + "<div>" * depth + article_html() + "</div>" * depth + "</body></html>"
    page = _extract_or_empty(html)
    assert page is None or SECRET not in page.text


def test_deeply_nested_inline_markup_inside_a_paragraph():
    html = news_page(body=article_html() + "<p>" + "<b><i>" * 3000 + "deep" + "</i></b>" * 3000 + "</p>")
    page = _extract_or_empty(html)
    assert page is None or INTRO in page.text


@pytest.mark.parametrize(
    "mangle",
    [
        lambda html: html.replace("</p>", ""),  # unclosed paragraphs
        lambda html: html.replace("</article>", "</div></div></span></article>"),  # stray closing tags
        lambda html: html[: len(html) * 2 // 3],  # truncated mid-page
        lambda html: html.replace("<h2>", '<h2 class="a" <<>>').replace("<p>", "<p <!-- >"),  # broken tags
        lambda html: html.replace(
            "<body>", "<body>\x00\x01\x0b\ufffe\ud800"
        ),  # control chars, lone surrogate
        lambda html: '<?xml version="1.0" encoding="iso-8859-1"?>' + html,  # an XML declaration in a str
        lambda html: html.replace("<html", "<html/"),  # a self-closed root
    ],
    ids=[
        "unclosed",
        "stray-close",
        "truncated",
        "broken-tags",
        "control-chars",
        "xml-declaration",
        "self-closed",
    ],
)
def test_malformed_markup_is_read_like_a_browser_would(mangle):
    page = _extract_or_empty(mangle(news_page()))
    assert page is not None
    assert "harbour board voted" in page.text


def test_a_non_utf8_page_is_decoded_by_its_declared_charset():
    html = news_page(head='<meta charset="windows-1252"><title>Caf\u00e9 ferries</title>')
    html = html.replace("<meta charset='utf-8'>", "").replace(
        "small coastal town", "small coastal caf\u00e9 town"
    )
    page = extract_page(html.encode("cp1252"))
    assert "caf\u00e9 town" in page.text


def test_a_latin1_page_with_an_http_equiv_declaration():
    head = '<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"><title>T</title>'
    html = (
        news_page(head=head)
        .replace("<meta charset='utf-8'>", "")
        .replace("coastal town", "coastal t\u00f6wn")
    )
    assert "coastal t\u00f6wn" in extract_page(html.encode("latin-1")).text


def test_bytes_with_an_unknown_declared_charset_or_invalid_utf8_still_decode():
    html = news_page(head='<meta charset="no-such-charset"><title>T</title>').replace(
        "<meta charset='utf-8'>", ""
    )
    raw = html.encode("utf-8").replace(b"small coastal town", b"small coastal \xff\xfe town")
    page = extract_page(raw)
    assert "small coastal" in page.text


def test_binary_garbage_is_no_article_not_a_crash():
    import random

    rng = random.Random(7)
    with pytest.raises(NoArticleText):
        extract_page(bytes(rng.randrange(256) for _ in range(20_000)))


_TAGS = [
    "p",
    "div",
    "h2",
    "h3",
    "b",
    "strong",
    "a",
    "li",
    "ul",
    "table",
    "td",
    "script",
    "style",
    "article",
    "nav",
    "aside",
    "footer",
    "template",
    "svg",
    "br",
    "time",
    "meta",
    "html",
    "body",
    "head",
    "title",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(_TAGS).map(lambda t: f"<{t}>"),
            st.sampled_from(_TAGS).map(lambda t: f"</{t}>"),
            st.sampled_from(
                [
                    '<a href="javascript:alert(1)">',
                    '<p onclick="x()">',
                    "<!--",
                    "-->",
                    "<![CDATA[",
                    "&amp;",
                    "&#0;",
                    "&#xD800;",
                    "<?xml?>",
                    "<!DOCTYPE html>",
                    "\x00",
                    "\ufeff",
                ]
            ),
            st.text(min_size=1, max_size=80),
            st.just(INTRO),
        ),
        max_size=60,
    )
)
def test_any_markup_soup_gives_an_article_or_no_article_text(parts):
    html = "".join(parts)
    for page in (html, html.encode("utf-8", errors="surrogatepass")):
        try:
            result = extract_page(page)
        except NoArticleText:
            continue
        assert result.text.strip() and "alert(1)" not in result.text
