"""Poll-state transitions: one test per thing a poll can bring back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from newsdigest.feeds.models import FeedError
from newsdigest.feeds.polling import (
    MAX_WAIT,
    PollOutcome,
    PollState,
    backoff,
    next_state,
    parse_max_age,
    parse_retry_after,
)
from newsdigest.fetcher import (
    FetchFailed,
    FetchRefused,
    FetchResult,
    FetchTimeout,
    HTTPStatusError,
    ResponseHeaders,
)

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
URL = "https://news.example.com/feed.xml"
STORED = PollState(url=URL, poll_minutes=60, etag='"old"', last_modified="Sat, 28 Nov 2026 10:00:00 GMT")


def ok(**headers: str | None) -> PollOutcome:
    return PollOutcome.of_result(FetchResult(200, URL, URL, ResponseHeaders(**headers), body=b"<rss/>"))


def http_error(status: int, **headers: str | None) -> PollOutcome:
    return PollOutcome.of_error(HTTPStatusError(status, URL, ResponseHeaders(**headers)))


# ---------------------------------------------------------------- 200 and 304
def test_a_200_refreshes_both_validators_and_schedules_the_next_poll():
    state = next_state(STORED, ok(etag='"new"', last_modified="Sun, 29 Nov 2026 11:00:00 GMT"), NOW)
    assert (state.etag, state.last_modified) == ('"new"', "Sun, 29 Nov 2026 11:00:00 GMT")
    assert state.last_status == 200 and state.last_error is None and state.consecutive_errors == 0
    assert state.last_polled_at == NOW and state.next_poll_at == NOW + timedelta(minutes=60)


def test_a_200_without_validators_forgets_the_old_ones():
    state = next_state(STORED, ok(), NOW)
    assert (state.etag, state.last_modified) == (None, None)


def test_a_200_after_errors_resets_the_count_and_the_error():
    failing = PollState(
        url=URL, consecutive_errors=4, last_error="HTTP 503 Service Unavailable", last_status=503
    )
    state = next_state(failing, ok(etag='"e"'), NOW)
    assert (state.consecutive_errors, state.last_error, state.last_status) == (0, None, 200)
    assert state.next_poll_at == NOW + timedelta(minutes=60)


def test_a_304_keeps_the_validators_and_resets_errors():
    failing = PollState(
        url=URL, etag='"old"', last_modified="Sat, 28 Nov 2026 10:00:00 GMT", consecutive_errors=2
    )
    outcome = PollOutcome.of_result(FetchResult(304, URL, URL, ResponseHeaders()))
    assert outcome.kind == "not_modified"
    state = next_state(failing, outcome, NOW)
    assert (state.etag, state.last_modified) == ('"old"', "Sat, 28 Nov 2026 10:00:00 GMT")
    assert (state.last_status, state.consecutive_errors) == (304, 0)


def test_a_304_carrying_a_new_etag_takes_it():
    outcome = PollOutcome.of_result(FetchResult(304, URL, URL, ResponseHeaders(etag='"newer"')))
    state = next_state(STORED, outcome, NOW)
    assert (state.etag, state.last_modified) == ('"newer"', STORED.last_modified)


@pytest.mark.parametrize(
    ("cache_control", "wait"),
    [
        ("max-age=7200", timedelta(hours=2)),  # longer than poll_minutes: honoured
        ("public, max-age=600", timedelta(minutes=60)),  # shorter: poll_minutes still holds
        ("max-age=31536000", MAX_WAIT),  # a year: capped at a day
        ("no-cache, max-age=7200", timedelta(minutes=60)),
        ("s-maxage=7200", timedelta(minutes=60)),
        ("max-age=junk", timedelta(minutes=60)),
    ],
)
def test_cache_control_max_age_is_honoured_up_to_a_day(cache_control, wait):
    state = next_state(STORED, ok(cache_control=cache_control), NOW)
    assert state.next_poll_at == NOW + wait


# ---------------------------------------------------------------- redirects and gone
def test_a_permanent_redirect_replaces_the_stored_url():
    moved = FetchResult(
        200,
        "https://new.example.com/feed",
        URL,
        ResponseHeaders(),
        permanent_url="https://new.example.com/feed",
    )
    assert next_state(STORED, PollOutcome.of_result(moved), NOW).url == "https://new.example.com/feed"


def test_a_temporary_redirect_keeps_the_stored_url():
    temporary = FetchResult(200, "https://cdn.example.com/feed", URL, ResponseHeaders(), permanent_url=None)
    assert next_state(STORED, PollOutcome.of_result(temporary), NOW).url == URL


def test_410_marks_the_feed_gone_but_still_looks_once_a_day():
    state = next_state(STORED, http_error(410), NOW)
    assert state.gone and state.last_status == 410
    assert (
        state.last_error is not None
        and "410 Gone" in state.last_error
        and "gone for good" in state.last_error
    )
    assert state.next_poll_at == NOW + timedelta(days=1)
    assert (state.etag, state.url) == (STORED.etag, URL)
    # and a feed that comes back is no longer gone
    assert not next_state(state, ok(), NOW + timedelta(days=1)).gone


# ---------------------------------------------------------------- errors, Retry-After, backoff
def test_429_with_retry_after_is_not_polled_again_within_the_hour():
    state = next_state(PollState(url=URL, poll_minutes=15), http_error(429, retry_after="3600"), NOW)
    assert state.next_poll_at is not None and state.next_poll_at >= NOW + timedelta(hours=1)
    assert not state.due(NOW + timedelta(minutes=59))
    assert state.due(NOW + timedelta(hours=1))
    assert state.last_status == 429 and state.consecutive_errors == 1
    assert state.last_error == "HTTP 429 Too Many Requests (asked to retry after 3600)"


def test_retry_after_as_an_http_date():
    outcome = http_error(503, retry_after="Sun, 29 Nov 2026 15:00:00 GMT")
    state = next_state(PollState(url=URL, poll_minutes=15), outcome, NOW)
    assert state.next_poll_at == NOW + timedelta(hours=3)


def test_a_retry_after_of_a_year_is_capped_at_a_day():
    state = next_state(STORED, http_error(503, retry_after=str(365 * 86400)), NOW)
    assert state.next_poll_at == NOW + MAX_WAIT


def test_errors_back_off_exponentially_up_to_a_day_and_never_stop():
    state = STORED
    waits = []
    for _ in range(30):
        state = next_state(state, http_error(500), NOW)
        assert state.next_poll_at is not None
        waits.append(state.next_poll_at - NOW)
    hours = [w / timedelta(hours=1) for w in waits[:6]]
    assert hours == [2, 4, 8, 16, 24, 24]
    assert all(w == MAX_WAIT for w in waits[5:])  # capped, never switched off
    assert state.consecutive_errors == 30 and not state.gone
    assert state.etag == STORED.etag  # an error keeps the validators


@pytest.mark.parametrize(
    ("error", "kind", "words"),
    [
        (FetchTimeout("timed out: no complete answer within 20 s", URL), "timeout", "timed out"),
        (FetchFailed("news.example.com does not resolve", URL), "network_error", "does not resolve"),
        (
            FetchRefused(
                "news.example.com resolves to 10.0.0.5, a private address", "no private networks", URL
            ),
            "refused",
            "rule: no private networks",
        ),
        (FeedError("not an RSS, Atom or JSON feed"), "not_a_feed", "not a feed: not an RSS"),
        (HTTPStatusError(404, URL, ResponseHeaders()), "http_error", "HTTP 404 Not Found"),
        (HTTPStatusError(599, URL, ResponseHeaders()), "http_error", "HTTP 599"),
    ],
)
def test_each_failure_is_an_error_in_words_with_backoff(error, kind, words):
    outcome = PollOutcome.of_error(error)
    assert outcome.kind == kind
    state = next_state(STORED, outcome, NOW)
    assert state.last_error is not None and words in state.last_error
    assert state.consecutive_errors == 1 and state.next_poll_at == NOW + timedelta(hours=2)
    assert state.last_status == (error.status if isinstance(error, HTTPStatusError) else None)


def test_poll_minutes_out_of_range_are_clamped():
    assert next_state(PollState(url=URL, poll_minutes=1), ok(), NOW).next_poll_at == NOW + timedelta(
        minutes=15
    )
    assert next_state(PollState(url=URL, poll_minutes=99999), ok(), NOW).next_poll_at == NOW + timedelta(
        days=1
    )


def test_a_new_feed_is_due_at_once():
    assert PollState(url=URL).due(NOW)


@pytest.mark.parametrize(
    ("value", "wait"),
    [
        ("120", timedelta(seconds=120)),
        (" 0 ", timedelta(0)),
        ("Sun, 29 Nov 2026 12:30:00 GMT", timedelta(minutes=30)),
        ("Sun, 29 Nov 2026 11:00:00 GMT", timedelta(0)),  # in the past
        ("-5", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value, wait):
    assert parse_retry_after(value, NOW) == wait


def test_parse_max_age_and_backoff_helpers():
    assert parse_max_age('max-age="90"') == timedelta(seconds=90)
    assert parse_max_age("no-store") is None and parse_max_age(None) is None
    assert backoff(60, 0) == timedelta(hours=1) and backoff(15, 1) == timedelta(minutes=30)
    assert backoff(15, 10_000) == MAX_WAIT
