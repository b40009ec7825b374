"""The followed feeds: add (URL checked by the fetcher's rules first), list, show, delete, OPML in and out.

Logic: receives its store and fetcher as arguments; no AWS here.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from pydantic import ValidationError

from newsdigest.articles.catalog import decode_cursor, encode_cursor
from newsdigest.config import MAX_OPML_EXPORT, MAX_OPML_OUTLINES
from newsdigest.errors import FetchRefused
from newsdigest.feeds.feed import (
    Feed,
    FeedCreated,
    FeedIn,
    FeedOut,
    FeedPage,
    OpmlImportResult,
    OpmlOutlineResult,
    feed_id,
)
from newsdigest.feeds.opml import ExportedFeed, parse_opml, render_opml
from newsdigest.signing import Keys
from newsdigest.validation import error_details, summary_message


class FeedRegistry(Protocol):
    def add(self, feed: Feed) -> bool: ...
    def get(self, feed_id: str) -> Feed: ...
    def delete(self, feed_id: str) -> None: ...
    def page(
        self, *, limit: int, start_key: dict[str, Any] | None = None
    ) -> tuple[list[Feed], dict[str, Any] | None]: ...


class UrlChecker(Protocol):
    def check(self, url: str) -> None: ...


def add_feed(data: FeedIn, store: FeedRegistry, fetcher: UrlChecker, now: datetime) -> FeedCreated:
    """Follow a feed. Its URL must pass the fetcher's rules now (FetchRefused otherwise: nothing stored,
    no connection made); it is first polled by the next schedule run."""
    fetcher.check(data.url)
    now = now.replace(microsecond=0)
    feed = Feed(
        id=feed_id(data.url),
        url=data.url,
        submitted_url=data.url,
        source=data.source,
        poll_minutes=data.poll_minutes,
        full_text=data.full_text,
        created_at=now,
        next_poll_at=now,
    )
    created = store.add(feed)
    return FeedCreated(id=feed.id, status="created" if created else "exists")


def list_feeds(store: FeedRegistry, *, limit: int, cursor: str | None, keys: Keys) -> FeedPage:
    start_key = decode_cursor(cursor, keys) if cursor else None
    feeds, last_key = store.page(limit=limit, start_key=start_key)
    return FeedPage(
        items=[FeedOut.of(feed) for feed in feeds],
        next_cursor=encode_cursor(last_key, keys) if last_key else None,
    )


def import_opml(body: str, store: FeedRegistry, fetcher: UrlChecker, now: datetime) -> OpmlImportResult:
    """Follow every feed an OPML document names: one result per feed outline, in order; a bad outline
    does not sink the others."""
    results: list[OpmlOutlineResult] = []
    for index, outline in enumerate(parse_opml(body, max_outlines=MAX_OPML_OUTLINES)):
        try:
            data = FeedIn.model_validate({"url": outline.url})
            created = add_feed(data, store, fetcher, now)
        except ValidationError as exc:
            details = error_details(exc.errors(include_url=False, include_input=False))
            error = {"code": "validation_error", "message": summary_message(details), "details": details}
            results.append(OpmlOutlineResult(index=index, url=outline.url, status="error", error=error))
            continue
        except FetchRefused as exc:
            error = {"code": "url_refused", "message": str(exc), "rule": exc.rule}
            results.append(OpmlOutlineResult(index=index, url=outline.url, status="error", error=error))
            continue
        results.append(OpmlOutlineResult(index=index, url=outline.url, id=created.id, status=created.status))
    return OpmlImportResult(
        results=results,
        created=sum(r.status == "created" for r in results),
        exists=sum(r.status == "exists" for r in results),
        failed=sum(r.status == "error" for r in results),
    )


def export_opml(store: FeedRegistry) -> str:
    feeds: list[Feed] = []
    start_key: dict[str, Any] | None = None
    while len(feeds) < MAX_OPML_EXPORT:
        page, start_key = store.page(limit=100, start_key=start_key)
        feeds += page
        if not start_key:
            break
    exported = [ExportedFeed(f.url, f.title, f.site_url, f.source) for f in feeds[:MAX_OPML_EXPORT]]
    return render_opml(exported, title="newsdigest feeds")
