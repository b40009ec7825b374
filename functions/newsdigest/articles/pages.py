"""Web pages as articles: fetch a page through the safe fetcher, extract its article, and make the article
the service stores - the extracted Markdown (the page's own section headings kept, so the outline works)
and the URL, never the raw page.

Used by ``POST /articles`` (``{"url": ...}``, or an HTML body that is a whole web page) and by the feed
poll (the page behind a teaser entry). Logic: the fetcher is handed in; no AWS here.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Protocol

from pydantic import ValidationError

from newsdigest.articles.models import ArticleIn, PageIn
from newsdigest.config import MAX_BODY_BYTES, MAX_PAGE_BYTES, MAX_TITLE_CHARS
from newsdigest.errors import NoArticleOnPage
from newsdigest.extraction import ExtractedPage, NoArticleText, extract_page
from newsdigest.fetcher import PAGE_TYPES, ContentTypes, FetchResult
from newsdigest.validation import has_lone_surrogate

_WHOLE_PAGE = re.compile(r"<(?:!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.IGNORECASE)
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class PageFetcher(Protocol):
    def fetch(self, url: str, accept: ContentTypes, *, max_bytes: int = ...) -> FetchResult: ...


def is_whole_page(html: str) -> bool:
    """An HTML body that is a whole web page (doctype, <html>, <head> or <body>), not an article fragment."""
    return bool(_WHOLE_PAGE.search(html[:20_000]))


def extract(html: str | bytes, url: str | None) -> ExtractedPage:
    try:
        return extract_page(html, url)
    except NoArticleText:
        where = f" at {url}" if url else ""
        raise NoArticleOnPage(
            f"no article text was found on the page{where} (an empty page, a login wall or a page of "
            "links); post the article's text instead"
        ) from None


def read_page(url: str, fetcher: PageFetcher) -> ExtractedPage:
    """Fetch ``url`` (every rule of the safe fetcher applies) and extract its article. Raises the
    fetcher's errors (FetchRefused, FetchTimeout, FetchFailed, HTTPStatusError) or NoArticleOnPage."""
    result = fetcher.fetch(url, PAGE_TYPES, max_bytes=MAX_PAGE_BYTES)
    return extract(result.body, result.url)


def fit_bytes(text: str, limit: int = MAX_BODY_BYTES) -> str:
    """``text`` cut (at a paragraph if it can) to at most ``limit`` bytes of UTF-8. Text with a lone
    surrogate is not UTF-8 at all: it is left as it is, for the article's validation to refuse."""
    if has_lone_surrogate(text):
        return text
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    cut = data[:limit].decode("utf-8", errors="ignore")
    paragraph = cut.rfind("\n\n")
    return cut[:paragraph] if paragraph > limit // 2 else cut


def _date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def page_article(
    page: ExtractedPage,
    *,
    url: str | None,
    title: str | None = None,
    source: str | None = None,
    published_at: datetime | None = None,
    language: str | None = None,
) -> ArticleIn:
    """The article to ingest for an extracted page: its Markdown as the body (format markdown); what the
    caller knows (title, date, language) wins over what the page says."""
    first_line = page.text.strip().split("\n", 1)[0].strip()
    page_language = page.language if page.language and _LANGUAGE.match(page.language) else None
    headline = next((t.strip() for t in (title, page.title, first_line, url) if t and t.strip()), "untitled")
    try:
        return ArticleIn(
            title=headline[:MAX_TITLE_CHARS],
            body=fit_bytes(page.markdown),
            format="markdown",
            url=url,
            source=source,
            published_at=published_at or _date(page.published),
            language=language or page_language,
        )
    except ValidationError as exc:
        # What the caller sent was validated already: this is the page's own text (the client's 4xx).
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise NoArticleOnPage(f"the page's article cannot be stored: {where}: {first['msg']}") from exc


def fetched_article(request: PageIn, fetcher: PageFetcher) -> ArticleIn:
    """``POST /articles {"url": ...}``: the page at the URL, fetched and extracted, as an article."""
    page = read_page(request.url, fetcher)
    return page_article(
        page,
        url=request.url,
        title=request.title,
        source=request.source,
        published_at=request.published_at,
        language=request.language,
    )


def posted_article(article: ArticleIn) -> ArticleIn:
    """``POST /articles`` with a body: a whole web page posted as HTML is extracted like a fetched one
    (what is stored is its article, not the page); anything else is stored as it was sent."""
    if article.format != "html" or not is_whole_page(article.body):
        return article
    page = extract(article.body, article.url)
    return page_article(
        page,
        url=article.url,
        title=article.title,
        source=article.source,
        published_at=article.published_at,
        language=article.language,
    )
