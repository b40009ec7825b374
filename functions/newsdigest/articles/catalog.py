"""Reads: one article, its digest, pages of the timeline, and daily digests.

Every page costs exactly one Query (or one GetItem): filters are key conditions on an index, never Scans.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsdigest.articles.models import (
    Article,
    ArticleHeader,
    ArticleListItem,
    ArticlePage,
    ArticleSummary,
    DailyDigest,
    DigestEntry,
    DigestOut,
    current_summary,
)
from newsdigest.articles.timeline import TimelineReader, window_bounds
from newsdigest.clock import utcnow
from newsdigest.config import MAX_DATE_RANGE_DAYS
from newsdigest.errors import InvalidCursor, InvalidQuery
from newsdigest.signing import BadSignature, Keys, sign, verify

MAX_CURSOR_CHARS = 1024
_CURSOR = "cursor"  # the signing context: a cursor is never an email link's token


class ArticleReader(TimelineReader, Protocol):
    def get_article(self, article_id: str) -> Article: ...


def encode_cursor(position: dict[str, Any], keys: Keys) -> str:
    """An opaque, signed position in a listing: a client can hand back only a cursor this API issued."""
    return sign(position, keys, _CURSOR)


def decode_cursor(cursor: str, keys: Keys) -> dict[str, Any]:
    if len(cursor) > MAX_CURSOR_CHARS:
        raise InvalidCursor("the cursor is too long")
    try:
        return verify(cursor, keys, _CURSOR, max_chars=MAX_CURSOR_CHARS)
    except BadSignature as exc:
        raise InvalidCursor() from exc


def _shown(summary: ArticleSummary) -> dict[str, Any]:
    """What a reader sees of a summary (the digest of one article, or an entry of a daily digest)."""
    return {
        "status": summary.status,
        "digest": summary.digest,
        "outline": summary.outline,
        "keywords": summary.keywords,
        "reading_time_minutes": summary.reading_time_minutes,
    }


def digest_of(article: Article | ArticleHeader) -> DigestOut:
    summary = current_summary(article)
    return DigestOut(
        article_id=article.id,
        error=summary.error,
        outline_sections=summary.outline_sections,
        **_shown(summary),
    )


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidQuery(
            "tz", f"unknown time zone {name!r}; use an IANA name such as Europe/Lisbon"
        ) from None


def day_bounds(day: date, tz: ZoneInfo) -> tuple[str, str]:
    start = datetime.combine(day, time.min, tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz)
    return window_bounds(start, end)


def _read_page(
    store: ArticleReader,
    *,
    scope: dict[str, Any],
    limit: int,
    cursor: str | None,
    keys: Keys,
    bounds: tuple[str, str] | None,
    source: str | None,
) -> tuple[list[ArticleHeader], str | None]:
    start_key = None
    if cursor:
        position = decode_cursor(cursor, keys)
        if position.get("scope") != scope or not isinstance(position.get("key"), dict):
            raise InvalidCursor("the cursor belongs to another listing; drop it or repeat the same filters")
        start_key = position["key"]
    key_from, key_to = bounds if bounds else (None, None)
    page = store.timeline(limit=limit, start_key=start_key, key_from=key_from, key_to=key_to, source=source)
    next_cursor = encode_cursor({"scope": scope, "key": page.last_key}, keys) if page.last_key else None
    return page.items, next_cursor


def list_articles(
    store: ArticleReader,
    *,
    limit: int,
    cursor: str | None,
    keys: Keys,
    day: date | None = None,
    day_from: date | None = None,
    day_to: date | None = None,
    source: str | None = None,
    now: datetime | None = None,
) -> ArticlePage:
    if day and (day_from or day_to):
        raise InvalidQuery("date", "give either date or a from/to range, not both")
    if day:
        day_from = day_to = day
    bounds = None
    if day_from or day_to:
        first = day_from or date(1970, 1, 1)
        last = day_to or (now or utcnow()).date()
        if first > last:
            raise InvalidQuery("from", "from must not be after to")
        if (last - first).days >= MAX_DATE_RANGE_DAYS and day_from and day_to:
            raise InvalidQuery("to", f"a range covers at most {MAX_DATE_RANGE_DAYS} days")
        bounds = (day_bounds(first, ZoneInfo("UTC"))[0], day_bounds(last, ZoneInfo("UTC"))[1])
    scope = {
        "from": str(day_from) if day_from else None,
        "to": str(day_to) if day_to else None,
        "source": source,
    }
    headers, next_cursor = _read_page(
        store, scope=scope, limit=limit, cursor=cursor, keys=keys, bounds=bounds, source=source
    )
    items = [ArticleListItem.model_validate(h, from_attributes=True) for h in headers]
    return ArticlePage(items=items, next_cursor=next_cursor)


def _entry(header: ArticleHeader) -> DigestEntry:
    return DigestEntry(
        id=header.id,
        title=header.title,
        url=header.url,
        source=header.source,
        published_at=header.published_at,
        ingested_at=header.ingested_at,
        **_shown(current_summary(header)),
    )


def daily_digest(
    store: ArticleReader,
    *,
    day: date,
    tz_name: str,
    limit: int,
    cursor: str | None,
    keys: Keys,
    source: str | None = None,
) -> DailyDigest:
    """Every article ingested on `day` in time zone `tz_name`, newest first, with its digest and outline."""
    tz = zone(tz_name)
    scope = {"digest": day.isoformat(), "tz": tz_name, "source": source}
    headers, next_cursor = _read_page(
        store,
        scope=scope,
        limit=limit,
        cursor=cursor,
        keys=keys,
        bounds=day_bounds(day, tz),
        source=source,
    )
    return DailyDigest(
        date=day.isoformat(), timezone=tz_name, items=[_entry(h) for h in headers], next_cursor=next_cursor
    )


def is_past(day: date, tz_name: str, now: datetime) -> bool:
    return day < now.astimezone(zone(tz_name)).date()
