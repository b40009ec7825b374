"""When to poll a feed next, and what to remember from this poll: the manners of a good feed client.

``next_state(state, outcome, now)`` is pure: it takes the feed's stored poll state and what the fetch
gave, and returns the new state. ``poll_feed(state, fetcher, now)`` runs one poll through the fetcher it
is handed (conditional GET, parse, ``next_state``). The rules:

- a 200 refreshes both validators (ETag *and* Last-Modified, cleared when the server stops sending
  one); a 304 keeps them (or takes the new ones it carries); either resets the error count;
- a permanent redirect (301/308 at the head of the chain) replaces the stored URL;
- 410 marks the feed ``gone`` (still polled once a day, so a feed that comes back heals itself);
- the next poll waits at least ``poll_minutes``, at least ``Cache-Control: max-age`` and at least
  ``Retry-After`` (both capped at a day, so no server can switch a feed off);
- errors (4xx, 5xx, timeouts, network failures, refusals, documents that are not feeds) back off
  exponentially from ``poll_minutes``, up to 24 hours, and never stop the feed for good;
- the last status and the last error, in words, are kept for ``GET /feeds/{id}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http import HTTPStatus
from typing import TYPE_CHECKING, Literal

from newsdigest.errors import FetchError, FetchRefused, FetchTimeout, HTTPStatusError
from newsdigest.feeds.models import FeedError, ParsedFeed
from newsdigest.feeds.parse import parse_feed

if TYPE_CHECKING:  # the fetcher loads http.client and ssl: only a poll needs them, not the feed models
    from newsdigest.fetcher import Fetcher, FetchResult

MIN_POLL_MINUTES = 15
MAX_POLL_MINUTES = 1440
DEFAULT_POLL_MINUTES = 60
MAX_WAIT = timedelta(days=1)
"""The longest any poll is put off: the cap on backoff, Retry-After and max-age."""

OutcomeKind = Literal[
    "fetched", "not_modified", "gone", "http_error", "timeout", "network_error", "refused", "not_a_feed"
]


@dataclass(frozen=True)
class PollState:
    """What is stored per feed between polls."""

    url: str
    poll_minutes: int = DEFAULT_POLL_MINUTES
    etag: str | None = None
    last_modified: str | None = None
    consecutive_errors: int = 0
    last_polled_at: datetime | None = None
    next_poll_at: datetime | None = None
    last_status: int | None = None
    """The last HTTP status (None when the last poll got no HTTP answer: timeout, refusal...)."""
    last_error: str | None = None
    gone: bool = False

    def due(self, now: datetime) -> bool:
        return self.next_poll_at is None or self.next_poll_at <= now


@dataclass(frozen=True)
class PollOutcome:
    """What one poll's fetch (and parse) gave, reduced to what the poll state needs."""

    kind: OutcomeKind
    status: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    cache_control: str | None = None
    retry_after: str | None = None
    permanent_url: str | None = None
    message: str | None = None

    @classmethod
    def of_result(cls, result: FetchResult) -> PollOutcome:
        return cls(
            kind="not_modified" if result.not_modified else "fetched",
            status=result.status,
            etag=result.headers.etag,
            last_modified=result.headers.last_modified,
            cache_control=result.headers.cache_control,
            retry_after=result.headers.retry_after,
            permanent_url=result.permanent_url,
        )

    @classmethod
    def of_error(cls, error: FetchError | FeedError, status: int | None = None) -> PollOutcome:
        """The outcome of a failed poll. ``status`` is the HTTP status of a response that was fetched
        but is not a feed (FeedError)."""
        if isinstance(error, HTTPStatusError):
            return cls(
                kind="gone" if error.status == 410 else "http_error",
                status=error.status,
                retry_after=error.headers.retry_after,
                cache_control=error.headers.cache_control,
                message=_status_words(error.status),
            )
        if isinstance(error, FetchTimeout):
            return cls(kind="timeout", message=str(error))
        if isinstance(error, FetchRefused):
            return cls(kind="refused", message=str(error))
        if isinstance(error, FeedError):
            return cls(kind="not_a_feed", status=status, message=f"not a feed: {error}")
        return cls(kind="network_error", message=str(error))


def _status_words(status: int) -> str:
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """Retry-After as a wait: delta-seconds or an HTTP date; None when absent or unreadable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return timedelta(seconds=int(value))
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(when - now, timedelta(0))


_MAX_AGE = re.compile(r"(?:^|,)\s*max-age\s*=\s*\"?(\d+)\"?\s*(?:,|$)", re.IGNORECASE)


def parse_max_age(cache_control: str | None) -> timedelta | None:
    """Cache-Control's max-age (no-store/no-cache ask for nothing to be put off: None)."""
    if not cache_control:
        return None
    lowered = cache_control.lower()
    if "no-store" in lowered or "no-cache" in lowered:
        return None
    match = _MAX_AGE.search(cache_control)
    return timedelta(seconds=int(match.group(1))) if match else None


def backoff(poll_minutes: int, consecutive_errors: int) -> timedelta:
    """The wait after ``consecutive_errors`` failures in a row: poll_minutes doubled per error, ≤ 1 day."""
    if consecutive_errors <= 0:
        return timedelta(minutes=poll_minutes)
    doublings = min(consecutive_errors, 16)  # 2**16 polls of 15 minutes is far past a day already
    return min(timedelta(minutes=poll_minutes * 2**doublings), MAX_WAIT)


def _clamp_minutes(minutes: int) -> int:
    return min(max(minutes, MIN_POLL_MINUTES), MAX_POLL_MINUTES)


def next_state(state: PollState, outcome: PollOutcome, now: datetime) -> PollState:
    """The feed's poll state after ``outcome``, observed at ``now`` (timezone-aware)."""
    poll_minutes = _clamp_minutes(state.poll_minutes)
    server_asks = [
        wait
        for wait in (parse_retry_after(outcome.retry_after, now), parse_max_age(outcome.cache_control))
        if wait is not None
    ]
    server_wait = min(max(server_asks), MAX_WAIT) if server_asks else timedelta(0)
    polled = replace(state, last_polled_at=now, last_status=outcome.status, poll_minutes=poll_minutes)

    if outcome.kind in ("fetched", "not_modified"):
        if outcome.kind == "fetched":  # a 200: both validators are the ones it sent, or none
            etag, last_modified = outcome.etag, outcome.last_modified
        else:  # a 304 may carry fresher validators; otherwise the stored ones still hold
            etag = outcome.etag or state.etag
            last_modified = outcome.last_modified or state.last_modified
        wait = max(timedelta(minutes=poll_minutes), server_wait)
        return replace(
            polled,
            url=outcome.permanent_url or state.url,
            etag=etag,
            last_modified=last_modified,
            consecutive_errors=0,
            last_error=None,
            gone=False,
            next_poll_at=now + wait,
        )

    errors = state.consecutive_errors + 1
    if outcome.kind == "gone":
        return replace(
            polled,
            consecutive_errors=errors,
            last_error=f"{outcome.message or 'HTTP 410 Gone'}: the feed says it is gone for good",
            gone=True,
            next_poll_at=now + MAX_WAIT,
        )
    wait = max(backoff(poll_minutes, errors), server_wait)
    message = outcome.message or outcome.kind.replace("_", " ")
    if outcome.retry_after and parse_retry_after(outcome.retry_after, now) is not None:
        message += f" (asked to retry after {outcome.retry_after.strip()})"
    return replace(
        polled,
        consecutive_errors=errors,
        last_error=message,
        next_poll_at=now + wait,
    )


@dataclass(frozen=True)
class PollResult:
    state: PollState
    """The feed's new poll state: store it (the only write an unchanged feed needs)."""
    feed: ParsedFeed | None
    """The parsed feed after a 200; None after a 304 or a failure (``state.last_error`` says which)."""


def poll_feed(state: PollState, fetcher: Fetcher, now: datetime) -> PollResult:
    """One poll: a conditional GET of the stored URL, the document parsed, the state moved on.
    Never raises for anything the feed or the network does: that is in ``state.last_error``."""
    try:
        from newsdigest.fetcher import FEED_TYPES

        result = fetcher.fetch(state.url, FEED_TYPES, etag=state.etag, last_modified=state.last_modified)
    except FetchError as error:
        return PollResult(next_state(state, PollOutcome.of_error(error), now), None)
    if result.not_modified:
        return PollResult(next_state(state, PollOutcome.of_result(result), now), None)
    try:
        feed = parse_feed(result.body, url=result.url, content_type=result.headers.content_type)
    except FeedError as error:
        # the validators of a document we could not read are not kept: the next poll fetches it whole
        return PollResult(next_state(state, PollOutcome.of_error(error, status=result.status), now), None)
    return PollResult(next_state(state, PollOutcome.of_result(result), now), feed)
