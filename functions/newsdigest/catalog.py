"""Reads: one article, its digest, and pages of the timeline."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from newsdigest.cursor import decode_cursor, encode_cursor
from newsdigest.dal.articles import Page
from newsdigest.errors import InvalidCursor
from newsdigest.models import Article, ArticleListItem, ArticlePage, DigestOut


class ArticleReader(Protocol):
    def get_article(self, article_id: str) -> Article: ...

    def timeline(
        self,
        *,
        limit: int,
        start_key: dict[str, Any] | None = None,
        key_from: str | None = None,
        key_to: str | None = None,
    ) -> Page: ...


def digest_of(article: Article) -> DigestOut:
    summary = article.summary
    if summary is None or article.summary_status == "pending":
        return DigestOut(
            article_id=article.id,
            status="pending",
            digest=[],
            outline=[],
            keywords=[],
            reading_time_minutes=0,
        )
    return DigestOut(
        article_id=article.id,
        status=summary.status,
        digest=summary.digest,
        outline=summary.outline,
        keywords=summary.keywords,
        reading_time_minutes=summary.reading_time_minutes,
        error=summary.error,
    )


def _day_bounds(day: date) -> tuple[str, str]:
    prefix = day.isoformat()
    # ingested_key = "<ISO timestamp>#<id>": every key of the day sorts between these two.
    return f"{prefix}T", f"{prefix}T\uffff"


def list_articles(
    store: ArticleReader, *, limit: int, cursor: str | None, day: date | None, secret: str
) -> ArticlePage:
    start_key = None
    scope = day.isoformat() if day else None
    if cursor:
        position = decode_cursor(cursor, secret)
        if position.get("scope") != scope or not isinstance(position.get("key"), dict):
            raise InvalidCursor("the cursor belongs to another listing; drop it or repeat the same filters")
        start_key = position["key"]
    key_from, key_to = _day_bounds(day) if day else (None, None)
    page = store.timeline(limit=limit, start_key=start_key, key_from=key_from, key_to=key_to)
    next_cursor = encode_cursor({"scope": scope, "key": page.last_key}, secret) if page.last_key else None
    items = [
        ArticleListItem(
            id=h.id,
            title=h.title,
            url=h.url,
            source=h.source,
            published_at=h.published_at,
            ingested_at=h.ingested_at,
            summary_status=h.summary_status,
        )
        for h in page.items
    ]
    return ArticlePage(items=items, next_cursor=next_cursor)
