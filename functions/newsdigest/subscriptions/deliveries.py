"""The digest run: find due subscribers (hourly), and send each one its period's digest exactly once.

Two halves, joined by a queue:
- ``enqueue_due`` Queries the sparse ``Due`` index (active subscribers whose ``next_due_at`` has passed)
  page by page and puts one job per subscriber on the queue. Nothing is marked here: a subscriber leaves
  the index only when its digest is done, so a run that stops half-way (timeout, crash) is simply
  completed by the retry or the next hourly run.
- ``deliver`` handles one job: claim ``(subscriber, period)`` with a conditional write, send, record
  ``sent``, then advance ``next_due_at``. A duplicate job finds the claim ``done`` (or the subscriber no
  longer due) and sends nothing. A claim left ``sending`` by a crashed sender is taken over once its lease
  has passed, so a crash between claim and send never skips anyone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal, Protocol

from newsdigest.articles.models import SUMMARIZED, ArticleHeader, current_summary
from newsdigest.articles.timeline import TimelineReader
from newsdigest.config import DELIVERY_LEASE_SECONDS, MAX_DIGEST_ARTICLES, Settings
from newsdigest.errors import DeliveryBusy, MailRejected, MailUnavailable
from newsdigest.signing import Keys
from newsdigest.subscriptions.emails import DigestItem, build_mime, digest_item, render_digest
from newsdigest.subscriptions.links import link_base, unsubscribe_url
from newsdigest.subscriptions.models import ClaimOutcome, DeliveryState, DigestJob, Subscriber
from newsdigest.subscriptions.periods import Period, following, latest_due
from newsdigest.subscriptions.subscribers import Mailer

DUE_PAGE_SIZE = 100
# Stop queueing when the function has less than this left; the raised error makes Lambda retry the run.
RUN_SAFETY_MS = 5_000
# Articles read per period at most (Timeline pages of 100); the email shows MAX_DIGEST_ARTICLES of them.
MAX_PERIOD_ARTICLES = 1_000

Outcome = Literal["sent", "empty", "already_done", "not_due", "not_active"]


class DueSource(Protocol):
    def due_page(
        self, shard: str, now: datetime, *, limit: int = ..., start_key: dict[str, Any] | None = ...
    ) -> tuple[list[str], dict[str, Any] | None]: ...


class Deliveries(Protocol):
    def get(self, sid: str) -> Subscriber | None: ...
    def claim_delivery(
        self, sid: str, period_key: str, now: datetime, lease_seconds: int
    ) -> ClaimOutcome: ...
    def finish_delivery(
        self,
        sid: str,
        period_key: str,
        state: DeliveryState,
        now: datetime,
        *,
        message_id: str | None = None,
        articles: int = 0,
    ) -> None: ...
    def advance(self, sid: str, next_due_at: datetime) -> None: ...
    def release_delivery(self, sid: str, period_key: str) -> None: ...


class Queue(Protocol):
    def enqueue(self, jobs: list[DigestJob]) -> None: ...


class RunIncomplete(Exception):
    """The run ran out of time; the subscribers it did not reach are still due (retry, or next hour)."""


@dataclass
class RunReport:
    due: int = 0
    pages: int = 0
    shards: list[str] = field(default_factory=list)


def enqueue_due(
    store: DueSource,
    queue: Queue,
    *,
    shards: list[str],
    now: datetime,
    run_id: str,
    time_left_ms: Callable[[], int] = lambda: 1 << 30,
) -> RunReport:
    report = RunReport(shards=shards)
    for shard in shards:
        start_key: dict[str, Any] | None = None
        while True:
            if time_left_ms() < RUN_SAFETY_MS:
                raise RunIncomplete(f"queued {report.due} job(s) before running out of time")
            ids, start_key = store.due_page(shard, now, limit=DUE_PAGE_SIZE, start_key=start_key)
            report.pages += 1
            if ids:
                queue.enqueue([DigestJob(subscriber_id=i, scheduled_time=now, run_id=run_id) for i in ids])
                report.due += len(ids)
            if not start_key:
                break
    return report


class PeriodArticles:
    """Summarized articles of a UTC window, read once per window and shared by the jobs of a batch."""

    def __init__(self, reader: TimelineReader) -> None:
        self.reader = reader
        self._cache: dict[tuple[str, str], list[ArticleHeader]] = {}

    def of(self, period: Period) -> list[ArticleHeader]:
        bounds = period.key_bounds()
        if bounds not in self._cache:
            found: list[ArticleHeader] = []
            start_key: dict[str, Any] | None = None
            while len(found) < MAX_PERIOD_ARTICLES:
                page = self.reader.timeline(
                    limit=100, start_key=start_key, key_from=bounds[0], key_to=bounds[1]
                )
                found += [a for a in page.items if current_summary(a).status in SUMMARIZED]
                start_key = page.last_key
                if not start_key:
                    break
            self._cache[bounds] = found
        return self._cache[bounds]


def select(articles: list[ArticleHeader], sources: list[str] | None) -> list[DigestItem]:
    wanted = set(sources) if sources else None
    return [digest_item(a) for a in articles if wanted is None or a.source in wanted]


def deliver(
    job: DigestJob,
    *,
    store: Deliveries,
    articles: PeriodArticles,
    mailer: Mailer,
    settings: Settings,
    keys: Keys,
    clock: Callable[[], datetime],
) -> Outcome:
    subscriber = store.get(job.subscriber_id)
    if subscriber is None or subscriber.status != "active" or subscriber.preferences is None:
        return "not_active"  # unsubscribed or suppressed since the run: nothing to send
    if subscriber.next_due_at is None or subscriber.next_due_at > job.scheduled_time:
        return "not_due"  # a duplicate or late job: this period is done already
    prefs = subscriber.preferences
    # The latest period due at the run's time. Periods missed during an outage are not mailed late.
    period = latest_due(prefs, job.scheduled_time)
    claim = store.claim_delivery(subscriber.id, period.key, clock(), DELIVERY_LEASE_SECONDS)
    if claim == "busy":
        raise DeliveryBusy(f"another sender is mailing {period.key} to {subscriber.id}")
    if claim == "claimed":
        items = select(articles.of(period), prefs.sources)
        if not items:
            store.finish_delivery(subscriber.id, period.key, "empty", clock())
            outcome: Outcome = "empty"
        else:
            unsubscribe = unsubscribe_url(settings.public_base_url, keys, subscriber.id)
            more = f"{link_base(settings.public_base_url)}/articles?date={period.first_day.isoformat()}"
            rendered = render_digest(
                items,
                period_label=period.label,
                unsubscribe_url=unsubscribe,
                more_url=more,
                max_articles=MAX_DIGEST_ARTICLES,
            )
            raw = build_mime(
                rendered, sender=settings.mail_from, to=subscriber.email, unsubscribe_url=unsubscribe
            )
            try:
                message_id = mailer.send(raw)
            except (MailUnavailable, MailRejected):
                # SES answered "no": nothing was sent, so the retry may claim again at once. (A timeout
                # is not an answer - SES may have taken the message - and keeps the claim until its lease.)
                store.release_delivery(subscriber.id, period.key)
                raise
            store.finish_delivery(
                subscriber.id, period.key, "sent", clock(), message_id=message_id, articles=rendered.shown
            )
            outcome = "sent"
    else:
        outcome = "already_done"
    store.advance(subscriber.id, following(prefs, period).due_at)
    return outcome
