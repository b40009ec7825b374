"""`newsdigest serve` fires the template's schedules on time: FeedPolls every 5 minutes (so a followed feed
is polled with nothing fired by hand), HourlyDigest at minute 0."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from newsdigest_local.schedules import ScheduleRunner, next_fire
from newsdigest_local.template import Template

from tests.conftest import load_event

T = datetime(2026, 11, 29, 12, 3, 20, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("rate(5 minutes)", datetime(2026, 11, 29, 12, 5, tzinfo=UTC)),
        ("rate(1 hour)", datetime(2026, 11, 29, 13, 0, tzinfo=UTC)),
        ("cron(0 * * * ? *)", datetime(2026, 11, 29, 13, 0, tzinfo=UTC)),
        ("cron(30 * * * ? *)", datetime(2026, 11, 29, 12, 30, tzinfo=UTC)),
        ("cron(0 7 ? * MON *)", None),
    ],
)
def test_next_fire(expression, expected):
    assert next_fire(expression, T) == expected


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_the_template_schedules_fire_on_time(aws, fakes):
    """FeedPolls runs every 5 minutes and queues the feed that has come due; HourlyDigest at the hour."""
    clock = Clock(T)
    fakes(clock=clock)
    fired: list[tuple[str, dict]] = []
    results: list[dict] = []

    class Recording:
        def invoke(self, function, event, what="invoke"):
            fired.append((function, event))
            results.append(aws.invoke(function, event, what))
            return results[-1]

    runner = ScheduleRunner(Recording(), Template.load().schedules, log=lambda line: None, clock=clock)
    assert runner.poll_once() == 0  # nothing is due at 12:03:20

    # a feed followed now is due at once
    from tests.integration.test_feeds_api import call

    event = load_event("ingest-post-feed.json")
    clock.now = T
    status, _, _ = call(aws, "IngestFunction", event)
    assert status == 201

    clock.now = datetime(2026, 11, 29, 12, 5, 0, 500, tzinfo=UTC)
    assert runner.poll_once() == 1
    ((function, schedule_event),) = fired
    assert function == "FeedScheduleFunction" and schedule_event["scheduled_time"] == "2026-11-29T12:05:00Z"
    assert results[0]["queued"] == 1  # the feed followed at 12:03 is queued for its first poll
    clock.now += timedelta(seconds=30)
    assert runner.poll_once() == 0  # not again before 12:10

    clock.now = datetime(2026, 11, 29, 13, 0, 1, tzinfo=UTC)
    assert runner.poll_once() == 2  # FeedPolls (12:10 and after: once) and HourlyDigest
    assert {f for f, _ in fired[1:]} == {"FeedScheduleFunction", "DigestScheduleFunction"}
    assert json.dumps(fired)  # the events are plain JSON, as Scheduler delivers them
