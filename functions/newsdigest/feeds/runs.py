"""The two runs that follow feeds: the schedule's (queue one poll job per due feed) and a poll job's
(one conditional GET, the new and changed entries ingested, one write of the poll state).

A poll ingests entries through the same ``ingest_article`` as ``POST /articles``: the article id comes
from the entry's canonical link, an unchanged article writes nothing and a changed one is updated (and so
summarized again). Before that, each entry's fingerprint (link, title, text, date) is compared with the
ones the feed stored after its last 200: an entry seen before costs nothing at all - no write, and no
fetch of its page. Logic: stores, queue and fetcher are handed in; no AWS here.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from pydantic import BaseModel, ValidationError

from newsdigest.articles.ingest import ArticleWriter, ingest_article
from newsdigest.articles.models import ArticleIn
from newsdigest.articles.pages import PageFetcher, fit_bytes, page_article, read_page
from newsdigest.clock import Clock
from newsdigest.config import MAX_SOURCE_CHARS, MAX_TITLE_CHARS
from newsdigest.errors import ArticleTooLarge, FetchError, NoArticleOnPage
from newsdigest.feeds.feed import Feed, FeedJob
from newsdigest.feeds.models import FeedEntry, ParsedFeed
from newsdigest.feeds.polling import PollState, poll_feed
from newsdigest.feeds.text import is_teaser
from newsdigest.fetcher import Fetcher
from newsdigest.validation import without_lone_surrogates

DUE_PAGE_SIZE = 100
MAX_PAGES_PER_POLL = 20
"""Pages (behind teaser entries) one poll fetches at most; the other new entries wait for the next poll."""
TIME_RESERVE_MS = 30_000
"""A poll stops taking on entries when less than this is left of the function's time (the rest wait)."""
START_RESERVE_MS = 60_000
"""A job is not started with less than this left (a fetch may take 20 s, and the state must be written)."""


class PollPostponed(Exception):
    """Too little of the function's time is left to start this poll: the job fails and is retried (the
    feed stays due, so the next schedule run queues it again too)."""


# ---------------------------------------------------------------- the schedule's run
class DueFeeds(Protocol):
    def due_page(
        self, shard: str, now: datetime, *, limit: int = ..., start_key: dict[str, Any] | None = None
    ) -> tuple[list[Feed], dict[str, Any] | None]: ...


class Queue(Protocol):
    def enqueue(self, jobs: Sequence[BaseModel]) -> None: ...


@dataclass
class ScheduleReport:
    queued: int = 0
    pages: int = 0
    complete: bool = True


def enqueue_due(
    store: DueFeeds,
    queue: Queue,
    *,
    shards: list[str],
    now: datetime,
    time_left_ms: Callable[[], int] = lambda: 1 << 30,
) -> ScheduleReport:
    """One poll job per feed due by ``now``: a Query of the Due index per shard and page, never a Scan.
    A feed stays due until its poll moves it on, so a run cut short (or a job lost) is made good by the
    next run."""
    report = ScheduleReport()
    for shard in shards:
        start_key: dict[str, Any] | None = None
        while True:
            if time_left_ms() < TIME_RESERVE_MS // 3:
                report.complete = False
                return report
            feeds, start_key = store.due_page(shard, now, limit=DUE_PAGE_SIZE, start_key=start_key)
            report.pages += 1
            if feeds:
                queue.enqueue([FeedJob(feed=feed, scheduled_time=now) for feed in feeds])
                report.queued += len(feeds)
            if not start_key:
                break
    return report


# ---------------------------------------------------------------- a poll job's run
class PollStateWriter(Protocol):
    def save_poll(
        self,
        feed_id: str,
        state: PollState,
        *,
        due_at: datetime,
        title: str | None = None,
        site_url: str | None = None,
        fingerprints: list[str] | None = None,
        seen: int = 0,
        ingested: int = 0,
    ) -> bool: ...


@dataclass
class PollReport:
    feed_id: str
    outcome: str
    """fetched (a 200), not_modified (a 304) or error (``last_error`` in the feed says which)."""
    status: int | None = None
    entries: int = 0
    known: int = 0
    """Entries seen before (same fingerprint): nothing done for them."""
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    deferred: int = 0
    pages: int = 0
    saved: bool = True
    """False when the feed had moved on (a duplicate job) or was deleted: nothing was written for it."""

    @property
    def seen(self) -> int:
        return self.created + self.updated + self.unchanged + self.failed

    @property
    def ingested(self) -> int:
        return self.created + self.updated


def fingerprint(entry: FeedEntry) -> str:
    data = [entry.link, entry.guid, entry.title, entry.text, entry.published and entry.published.isoformat()]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()[:16]


def wants_page(entry: FeedEntry, feed: Feed) -> bool:
    if not entry.link or feed.full_text == "never":
        return False
    return feed.full_text == "always" or is_teaser(entry.text)


def _title(entry: FeedEntry, fallback: str | None) -> str:
    title = entry.title.strip()
    if not title:
        words = entry.text.split()
        title = " ".join(words[:12]) + (" …" if len(words) > 12 else "")
    return (title or fallback or "untitled")[:MAX_TITLE_CHARS]


def entry_article(entry: FeedEntry, feed: Feed, parsed: ParsedFeed, fetcher: PageFetcher) -> ArticleIn | None:
    """The article for one entry: the page behind its link when the feed's ``full_text`` asks for it
    (its extracted Markdown; title, date and language from the page where the entry has none), else the
    entry's own text (plain text: the feed's HTML is never stored). None: the entry has no text at all."""
    source = without_lone_surrogates(feed.source or parsed.title or "").strip()[:MAX_SOURCE_CHARS] or None
    if wants_page(entry, feed):
        assert entry.link is not None
        try:
            page = read_page(entry.link, fetcher)
        except (FetchError, NoArticleOnPage):
            pass  # the entry's own text is what there is
        else:
            return page_article(
                page,
                url=entry.link,
                title=entry.title.strip()[:MAX_TITLE_CHARS] or None,
                source=source,
                published_at=entry.published,
            )
    if not entry.text.strip():
        return None
    return ArticleIn(
        title=_title(entry, parsed.title and without_lone_surrogates(parsed.title)),
        body=fit_bytes(entry.text),
        format="text",
        url=entry.link,
        source=source,
        published_at=entry.published,
    )


def poll_and_ingest(
    job: FeedJob,
    *,
    fetcher: Fetcher,
    articles: ArticleWriter,
    feeds: PollStateWriter,
    clock: Clock,
    time_left_ms: Callable[[], int] = lambda: 1 << 30,
) -> PollReport:
    """Poll one feed and ingest its new and changed entries; then the one write of its poll state,
    conditional on the feed still being due as the job saw it."""
    if time_left_ms() < START_RESERVE_MS:
        raise PollPostponed(f"{time_left_ms()} ms left: feed {job.feed.id} is left for a later poll")
    feed = job.feed
    now = clock()
    result = poll_feed(feed.poll_state(), fetcher, now)
    parsed = result.feed
    outcome = "fetched" if parsed else ("not_modified" if result.state.last_error is None else "error")
    report = PollReport(feed_id=feed.id, outcome=outcome, status=result.state.last_status)
    fingerprints: list[str] | None = None
    if parsed is not None:
        report.entries = len(parsed.entries)
        known = set(feed.entry_fingerprints)
        fingerprints = []
        for entry in parsed.entries:
            mark = fingerprint(entry)
            if mark in known:
                report.known += 1
                fingerprints.append(mark)
                continue
            needs_page = wants_page(entry, feed)
            if time_left_ms() < TIME_RESERVE_MS or (needs_page and report.pages >= MAX_PAGES_PER_POLL):
                report.deferred += 1  # not fingerprinted: the next poll takes it up
                continue
            report.pages += needs_page
            try:
                article = entry_article(entry, feed, parsed, fetcher)
                status = ingest_article(article, articles, clock).status if article else None
            except (ValidationError, NoArticleOnPage, ArticleTooLarge):
                status = None
            if status is None:
                report.failed += 1
            else:
                setattr(report, status, getattr(report, status) + 1)
            fingerprints.append(mark)
    report.saved = feeds.save_poll(
        feed.id,
        result.state,
        due_at=feed.next_poll_at,
        title=without_lone_surrogates(parsed.title)[:MAX_TITLE_CHARS] if parsed and parsed.title else None,
        site_url=without_lone_surrogates(parsed.link) if parsed and parsed.link else None,
        fingerprints=fingerprints,
        seen=report.seen,
        ingested=report.ingested,
    )
    return report
