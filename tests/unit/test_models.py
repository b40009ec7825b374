from datetime import UTC

import pytest
from newsdigest.articles.models import ArticleIn
from newsdigest.config import MAX_BODY_BYTES, MAX_TITLE_CHARS
from pydantic import ValidationError

VALID = {"title": "A title", "body": "Some text.", "format": "text"}


def errors_of(data):
    with pytest.raises(ValidationError) as info:
        ArticleIn.model_validate(data)
    return {(".".join(map(str, e["loc"])), e["type"]) for e in info.value.errors()}


def test_a_minimal_article_is_valid():
    article = ArticleIn.model_validate(VALID)
    assert article.format == "text" and article.url is None


def test_missing_title_and_unknown_format_name_their_fields():
    assert errors_of({"body": "x", "format": "pdf"}) == {("title", "missing"), ("format", "literal_error")}


def test_title_is_trimmed_and_bounded():
    assert ArticleIn.model_validate({**VALID, "title": "  Spaced  "}).title == "Spaced"
    assert ("title", "string_too_short") in errors_of({**VALID, "title": "   "})
    assert ("title", "string_too_long") in errors_of({**VALID, "title": "x" * (MAX_TITLE_CHARS + 1)})


def test_body_limit_counts_utf8_bytes_not_characters():
    # 'é' is two bytes: this body has fewer characters than the limit but more bytes
    body = "é" * (MAX_BODY_BYTES // 2 + 1)
    assert len(body) < MAX_BODY_BYTES
    assert ("body", "body_too_large") in errors_of({**VALID, "body": body})
    assert ArticleIn.model_validate({**VALID, "body": "é" * (MAX_BODY_BYTES // 2)})


def test_blank_body_is_refused():
    assert ("body", "body_empty") in errors_of({**VALID, "body": " \n\t"})


@pytest.mark.parametrize("url", ["example.com/a", "ftp://example.com/a", "javascript:alert(1)", "https://"])
def test_url_must_be_absolute_http(url):
    assert ("url", "url_invalid") in errors_of({**VALID, "url": url})


def test_unknown_fields_are_refused_by_name():
    assert ("author", "extra_forbidden") in errors_of({**VALID, "author": "me"})


def test_naive_published_at_is_utc_and_language_is_a_tag():
    article = ArticleIn.model_validate({**VALID, "published_at": "2026-11-28T10:00:00", "language": "pt-BR"})
    assert article.published_at is not None and article.published_at.tzinfo == UTC
    assert ("language", "language_invalid") in errors_of({**VALID, "language": "english please"})


@pytest.mark.parametrize("url", ["http://a[b/", "https://example.com:99999/", "https://example.com:8o/"])
def test_a_url_that_does_not_parse_is_refused_not_a_crash(url):
    assert ("url", "url_invalid") in errors_of({**VALID, "url": url})


@pytest.mark.parametrize("value", [0, 1795910400, 2.3e-292, True])
def test_published_at_is_iso_text_never_a_number(value):
    assert ("published_at", "datetime_type") in errors_of({**VALID, "published_at": value})


def test_published_at_as_iso_text_is_taken():
    article = ArticleIn.model_validate({**VALID, "published_at": "2026-11-28T09:30:00+01:00"})
    assert article.published_at is not None and article.published_at.utcoffset() is not None
